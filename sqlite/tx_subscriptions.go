package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fanclub/internal/rowcodec"
	"strings"
	"time"

	"fanclub"
)

var _ fanclub.SubscriptionTx = (*Tx)(nil)

// subscriptionCols are the columns scanSubscription reads, in order.
const subscriptionCols = rowcodec.SubscriptionCols

// scanSubscription reads one subscription row (the rowcodec both stores share).
var scanSubscription = rowcodec.ScanSubscription

// CreateSubscription inserts s with a new id and version 1; a second live
// subscription of the fan in the club is a conflict (unique index).
func (t *Tx) CreateSubscription(ctx context.Context, s *fanclub.Subscription) error {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = t.now
	}
	if s.UpdatedAt.IsZero() {
		s.UpdatedAt = s.CreatedAt
	}
	res, err := t.execOne(ctx, `INSERT INTO subscriptions(fan_id, club_id, tier, plan, price, currency, status, auto_renew,
 agreement_id, anchor, period_index, period_start, period_end, benefits_until, benefits_cut, refunded, retries, charge_id,
 created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		s.FanID, s.ClubID, s.Tier, string(s.Plan), s.Price, s.Currency, string(s.Status), s.AutoRenew, s.AgreementID,
		ts(s.Anchor), s.PeriodIndex, ts(s.PeriodStart), ts(s.PeriodEnd), ts(s.BenefitsUntil), s.BenefitsCut, s.Refunded,
		s.Retries, s.ChargeID, ts(s.CreatedAt), ts(s.UpdatedAt))
	if err != nil {
		return wrap("live subscription", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return wrap("subscription", err)
	}
	s.ID, s.Version = id, 1
	return nil
}

// FindSubscription returns a subscription by id.
func (t *Tx) FindSubscription(ctx context.Context, id int64) (*fanclub.Subscription, error) {
	return t.findSubscription(ctx, `SELECT `+subscriptionCols+` FROM subscriptions WHERE id = ?`, id)
}

// FindSubscriptionByMember returns the fan's latest subscription in a club.
func (t *Tx) FindSubscriptionByMember(ctx context.Context, fanID, clubID int64) (*fanclub.Subscription, error) {
	return t.findSubscription(ctx, `SELECT `+subscriptionCols+` FROM subscriptions
 WHERE fan_id = ? AND club_id = ? ORDER BY id DESC LIMIT 1`, fanID, clubID)
}

func (t *Tx) findSubscription(ctx context.Context, q string, args ...any) (*fanclub.Subscription, error) {
	s, err := scanSubscription(t.queryRow(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Subscription", args[0])
	} else if err != nil {
		return nil, wrap("subscription", err)
	}
	return s, nil
}

// ListSubscriptions lists a fan's subscriptions, newest first.
func (t *Tx) ListSubscriptions(ctx context.Context, fanID int64) ([]*fanclub.Subscription, error) {
	rows, err := t.query(ctx, `SELECT `+subscriptionCols+` FROM subscriptions WHERE fan_id = ? ORDER BY id DESC`, fanID)
	if err != nil {
		return nil, wrap("subscriptions", err)
	}
	defer rows.Close()
	out := []*fanclub.Subscription{}
	for rows.Next() {
		s, err := scanSubscription(rows)
		if err != nil {
			return nil, wrap("subscriptions", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("subscriptions", err)
	}
	return out, nil
}

// UpdateSubscription stores s when the stored version is s.Version, then
// bumps it; a moved version is a conflict.
func (t *Tx) UpdateSubscription(ctx context.Context, s *fanclub.Subscription) error {
	res, err := t.execOne(ctx, `UPDATE subscriptions SET tier = ?, plan = ?, price = ?, currency = ?, status = ?,
 auto_renew = ?, agreement_id = ?, anchor = ?, period_index = ?, period_start = ?, period_end = ?, benefits_until = ?,
 benefits_cut = ?, refunded = ?, retries = ?, charge_id = ?, updated_at = ?, version = version + 1
 WHERE id = ? AND version = ?`,
		s.Tier, string(s.Plan), s.Price, s.Currency, string(s.Status), s.AutoRenew, s.AgreementID, ts(s.Anchor),
		s.PeriodIndex, ts(s.PeriodStart), ts(s.PeriodEnd), ts(s.BenefitsUntil), s.BenefitsCut, s.Refunded, s.Retries,
		s.ChargeID, ts(t.now), s.ID, s.Version)
	if err != nil {
		return wrap("live subscription", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap("subscription", err)
	}
	if n == 0 {
		if _, err := t.FindSubscription(ctx, s.ID); err != nil {
			return err
		}
		return fanclub.Errorf(fanclub.ECONFLICT, "Subscription %d changed since version %d was read.", s.ID, s.Version)
	}
	s.Version++
	s.UpdatedAt = t.now
	return nil
}

// qMemberBenefits reads one key's live subscription through the
// subscriptions_one_live index: the prepared statement of a single
// membership's view.
const qMemberBenefits = `SELECT tier, period_start, benefits_until FROM subscriptions
 WHERE fan_id = ? AND club_id = ? AND status IN ('active', 'past_due', 'canceled') AND period_start <= ? AND benefits_until > ?`

func init() {
	// Prepared with the other hot single-row statements when a DB opens.
	singleQueries = append(singleQueries, qMemberBenefits)
	readQueries = append(readQueries, qMemberBenefits)
}

// benefitsChunk is the most keys one ActiveBenefits query carries (two
// parameters a key, well under SQLite's parameter limit).
const benefitsChunk = 500

// ActiveBenefits returns the benefits of the keys' live subscriptions that
// overlap [from, to]: a query per chunk of keys, joining a VALUES list of
// keys to the subscriptions_one_live index (the live subscription of a fan
// in a club); a single key runs the prepared qMemberBenefits.
func (t *Tx) ActiveBenefits(ctx context.Context, keys []fanclub.MemberKey, from, to time.Time) (map[fanclub.MemberKey]fanclub.Benefits, error) {
	out := make(map[fanclub.MemberKey]fanclub.Benefits)
	if len(keys) == 1 {
		k := keys[0]
		var b fanclub.Benefits
		var start, until int64
		err := t.queryRow(ctx, qMemberBenefits, k.FanID, k.ClubID, ts(to), ts(from)).Scan(&b.Tier, &start, &until)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, wrap("benefits", err)
		default:
			b.From, b.Until = rowcodec.FromNanos(start), rowcodec.FromNanos(until)
			out[k] = b
		}
		return out, nil
	}
	var q strings.Builder
	args := make([]any, 0, 2*min(len(keys), benefitsChunk)+2)
	for len(keys) > 0 {
		n := min(len(keys), benefitsChunk)
		q.Reset()
		args = args[:0]
		q.WriteString(`WITH k(fan_id, club_id) AS (VALUES `)
		for i, k := range keys[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?)")
			args = append(args, k.FanID, k.ClubID)
		}
		keys = keys[n:]
		q.WriteString(`) SELECT s.fan_id, s.club_id, s.tier, s.period_start, s.benefits_until FROM k
 JOIN subscriptions AS s ON s.fan_id = k.fan_id AND s.club_id = k.club_id
 AND s.status IN ('active', 'past_due', 'canceled') WHERE s.period_start <= ? AND s.benefits_until > ?`)
		args = append(args, ts(to), ts(from))
		rows, err := t.query(ctx, q.String(), args...)
		if err != nil {
			return nil, wrap("benefits", err)
		}
		for rows.Next() {
			var k fanclub.MemberKey
			var b fanclub.Benefits
			var start, until int64
			if err := rows.Scan(&k.FanID, &k.ClubID, &b.Tier, &start, &until); err != nil {
				rows.Close()
				return nil, wrap("benefits", err)
			}
			b.From, b.Until = rowcodec.FromNanos(start), rowcodec.FromNanos(until)
			out[k] = b
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, wrap("benefits", err)
		}
	}
	return out, nil
}

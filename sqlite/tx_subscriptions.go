package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fanclub/internal/rowcodec"

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

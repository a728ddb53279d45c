package postgres

import (
	"context"
	"fanclub/internal/rowcodec"
	"time"

	"github.com/jackc/pgx/v5"

	"fanclub"
)

var _ fanclub.SubscriptionTx = (*Tx)(nil)

// Subscriptions.
const (
	// qCreateSubscription inserts nothing (a conflict) when the fan
	// already has a live subscription in the club (subscriptions_one_live).
	qCreateSubscription = `INSERT INTO subscriptions(fan_id, club_id, tier, plan, price, currency, status, auto_renew,
 agreement_id, anchor, period_index, period_start, period_end, benefits_until, benefits_cut, refunded, retries, charge_id,
 created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
 $19, $20, 1) ON CONFLICT DO NOTHING RETURNING id`
	qFindSubscription = `SELECT ` + rowcodec.SubscriptionCols + ` FROM subscriptions WHERE id = $1`
	// qFindSubscriptionForUpdate locks the row in write transactions, so
	// that concurrent read-modify-writes wait instead of failing.
	qFindSubscriptionForUpdate = qFindSubscription + ` FOR UPDATE`
	qFindSubscriptionByMember  = `SELECT ` + rowcodec.SubscriptionCols + ` FROM subscriptions
 WHERE fan_id = $1 AND club_id = $2 ORDER BY id DESC LIMIT 1`
	qFindSubscriptionByMemberForUpdate = qFindSubscriptionByMember + ` FOR UPDATE`
	qListSubscriptions                 = `SELECT ` + rowcodec.SubscriptionCols + ` FROM subscriptions WHERE fan_id = $1 ORDER BY id DESC`
	// qLiveSubscriptionOther finds another live subscription of the same
	// fan and club, checked before an update makes an existing row live
	// (a unique violation would abort the transaction).
	qLiveSubscriptionOther = `SELECT id FROM subscriptions WHERE fan_id = $1 AND club_id = $2 AND id <> $3
 AND status IN ('active', 'past_due', 'canceled') AND EXISTS (SELECT 1 FROM subscriptions WHERE id = $3) LIMIT 1`
	qUpdateSubscription = `UPDATE subscriptions SET tier = $1, plan = $2, price = $3, currency = $4, status = $5,
 auto_renew = $6, agreement_id = $7, anchor = $8, period_index = $9, period_start = $10, period_end = $11,
 benefits_until = $12, benefits_cut = $13, refunded = $14, retries = $15, charge_id = $16, updated_at = $17,
 version = version + 1 WHERE id = $18 AND version = $19`
)

// CreateSubscription inserts s with a new id and version 1; a second live
// subscription of the fan in the club is a conflict.
func (t *Tx) CreateSubscription(ctx context.Context, s *fanclub.Subscription) error {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = t.now
	}
	if s.UpdatedAt.IsZero() {
		s.UpdatedAt = s.CreatedAt
	}
	id, err := t.insertID(ctx, "live subscription", qCreateSubscription, s.FanID, s.ClubID, s.Tier, string(s.Plan), s.Price,
		s.Currency, string(s.Status), s.AutoRenew, s.AgreementID, ts(s.Anchor), s.PeriodIndex, ts(s.PeriodStart),
		ts(s.PeriodEnd), ts(s.BenefitsUntil), s.BenefitsCut, s.Refunded, s.Retries, s.ChargeID, ts(s.CreatedAt), ts(s.UpdatedAt))
	if err != nil {
		return err
	}
	s.ID, s.Version = id, 1
	return nil
}

// FindSubscription returns a subscription by id, locking it in a write
// transaction.
func (t *Tx) FindSubscription(ctx context.Context, id int64) (*fanclub.Subscription, error) {
	q := qFindSubscription
	if t.write {
		q = qFindSubscriptionForUpdate
	}
	return t.findSubscription(ctx, q, id)
}

// FindSubscriptionByMember returns the fan's latest subscription in a
// club, locking it in a write transaction.
func (t *Tx) FindSubscriptionByMember(ctx context.Context, fanID, clubID int64) (*fanclub.Subscription, error) {
	q := qFindSubscriptionByMember
	if t.write {
		q = qFindSubscriptionByMemberForUpdate
	}
	return t.findSubscription(ctx, q, fanID, clubID)
}

func (t *Tx) findSubscription(ctx context.Context, q string, args ...any) (*fanclub.Subscription, error) {
	if t.conflict != nil {
		return nil, t.conflict
	}
	s, err := rowcodec.ScanSubscription(t.tx.QueryRow(ctx, q, args...))
	if errNoRows(err) {
		return nil, notFound("Subscription", args[0])
	} else if err != nil {
		return nil, t.fail("subscription", err)
	}
	return s, nil
}

// ListSubscriptions lists a fan's subscriptions, newest first.
func (t *Tx) ListSubscriptions(ctx context.Context, fanID int64) ([]*fanclub.Subscription, error) {
	return collect(t, ctx, "subscriptions", qListSubscriptions, []any{fanID}, func(r pgx.Rows) (*fanclub.Subscription, error) {
		return rowcodec.ScanSubscription(r)
	})
}

// UpdateSubscription stores s when the stored version is s.Version, then
// bumps it; a moved version, or a second live subscription of the fan in
// the club, is a conflict.
func (t *Tx) UpdateSubscription(ctx context.Context, s *fanclub.Subscription) error {
	if s.Status.Live() {
		var other int64
		err := t.queryRow(ctx, "subscription", qLiveSubscriptionOther, []any{s.FanID, s.ClubID, s.ID}, &other)
		if err == nil {
			return fanclub.Errorf(fanclub.ECONFLICT, "Fan %d already has live subscription %d in club %d.", s.FanID, other, s.ClubID)
		} else if !errNoRows(err) {
			return err
		}
	}
	tag, err := t.exec(ctx, "live subscription", qUpdateSubscription, s.Tier, string(s.Plan), s.Price, s.Currency,
		string(s.Status), s.AutoRenew, s.AgreementID, ts(s.Anchor), s.PeriodIndex, ts(s.PeriodStart), ts(s.PeriodEnd),
		ts(s.BenefitsUntil), s.BenefitsCut, s.Refunded, s.Retries, s.ChargeID, ts(t.now), s.ID, s.Version)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		if _, err := t.findSubscription(ctx, qFindSubscription, s.ID); err != nil {
			return err
		}
		return fanclub.Errorf(fanclub.ECONFLICT, "Subscription %d changed since version %d was read.", s.ID, s.Version)
	}
	s.Version++
	s.UpdatedAt = t.now
	return nil
}

// qActiveBenefits reads the live subscription of each (fan, club) key
// through the subscriptions_one_live partial index, keeping those whose
// benefits overlap [$4, $3].
const qActiveBenefits = `SELECT s.fan_id, s.club_id, s.tier, s.period_start, s.benefits_until
 FROM unnest($1::bigint[], $2::bigint[]) AS k(fan_id, club_id)
 JOIN subscriptions AS s ON s.fan_id = k.fan_id AND s.club_id = k.club_id
 AND s.status IN ('active', 'past_due', 'canceled')
 WHERE s.period_start <= $3 AND s.benefits_until > $4`

// ActiveBenefits returns the benefits of the keys' live subscriptions that
// overlap [from, to], in one query.
func (t *Tx) ActiveBenefits(ctx context.Context, keys []fanclub.MemberKey, from, to time.Time) (map[fanclub.MemberKey]fanclub.Benefits, error) {
	out := make(map[fanclub.MemberKey]fanclub.Benefits)
	if len(keys) == 0 {
		return out, nil
	}
	fans, clubs := make([]int64, len(keys)), make([]int64, len(keys))
	for i, k := range keys {
		fans[i], clubs[i] = k.FanID, k.ClubID
	}
	type row struct {
		k fanclub.MemberKey
		b fanclub.Benefits
	}
	rs, err := collect(t, ctx, "benefits", qActiveBenefits, []any{fans, clubs, ts(to), ts(from)}, func(r pgx.Rows) (row, error) {
		var x row
		var start, until int64
		if err := r.Scan(&x.k.FanID, &x.k.ClubID, &x.b.Tier, &start, &until); err != nil {
			return x, err
		}
		x.b.From, x.b.Until = rowcodec.FromNanos(start), rowcodec.FromNanos(until)
		return x, nil
	})
	if err != nil {
		return nil, err
	}
	for _, x := range rs {
		out[x.k] = x.b
	}
	return out, nil
}

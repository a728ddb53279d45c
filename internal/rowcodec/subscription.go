package rowcodec

import "fanclub"

// SubscriptionCols are the subscription columns ScanSubscription reads, in
// order; both stores select them.
const SubscriptionCols = `id, fan_id, club_id, tier, plan, price, currency, status, auto_renew, agreement_id,
 anchor, period_index, period_start, period_end, benefits_until, benefits_cut, refunded, retries, charge_id,
 created_at, updated_at, version`

// ScanSubscription reads the SubscriptionCols of one row; sql.ErrNoRows
// and pgx.ErrNoRows pass through unwrapped.
func ScanSubscription(r Scanner) (*fanclub.Subscription, error) {
	var s fanclub.Subscription
	var plan, status string
	var anchor, start, end, until, created, updated int64
	if err := r.Scan(&s.ID, &s.FanID, &s.ClubID, &s.Tier, &plan, &s.Price, &s.Currency, &status, &s.AutoRenew,
		&s.AgreementID, &anchor, &s.PeriodIndex, &start, &end, &until, &s.BenefitsCut, &s.Refunded, &s.Retries,
		&s.ChargeID, &created, &updated, &s.Version); err != nil {
		return nil, err
	}
	s.Plan, s.Status = fanclub.Plan(plan), fanclub.SubscriptionStatus(status)
	s.Anchor, s.PeriodStart, s.PeriodEnd, s.BenefitsUntil = FromNanos(anchor), FromNanos(start), FromNanos(end), FromNanos(until)
	s.CreatedAt, s.UpdatedAt = FromNanos(created), FromNanos(updated)
	return &s, nil
}

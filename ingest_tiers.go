package fanclub

import (
	"context"
	"fmt"
	"time"
)

// tierRates returns, by index into cand, the tier multiplier of each fresh
// event whose fan's paid benefits in the club are active at the event's
// time and whose policy gives that tier a multiplier other than 1. The
// candidates are active members already. Subscriptions are read once for
// the batch, and not at all when no club of the batch multiplies points.
func (e *Engine) tierRates(ctx context.Context, tx Tx, cand []Event, fresh []bool, work []ingestWork, candIdx []int) (map[int]tierRate, error) {
	var keys []MemberKey
	var from, to time.Time
	for j, ev := range cand {
		if !fresh[j] || !work[candIdx[j]].cp.policy.Engagement.hasTierRates() {
			continue
		}
		keys = append(keys, MemberKey{FanID: ev.FanID, ClubID: ev.ClubID})
		if from.IsZero() || ev.At.Before(from) {
			from = ev.At
		}
		if ev.At.After(to) {
			to = ev.At
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	benefits, err := tx.ActiveBenefits(ctx, keys, from, to)
	if err != nil {
		return nil, fmt.Errorf("active benefits: %w", err)
	}
	if len(benefits) == 0 {
		return nil, nil
	}
	type policyTier struct {
		p    *Policy
		tier string
	}
	cache := map[policyTier]tierRate{}
	out := make(map[int]tierRate)
	for j, ev := range cand {
		if !fresh[j] {
			continue
		}
		b, ok := benefits[MemberKey{FanID: ev.FanID, ClubID: ev.ClubID}]
		if !ok || !b.ActiveAt(ev.At) {
			continue
		}
		p := work[candIdx[j]].cp.policy
		pt := policyTier{p, b.Tier}
		rate, ok := cache[pt]
		if !ok {
			m, _ := p.Engagement.TierMultiplier(b.Tier)
			rate = newTierRate(m)
			cache[pt] = rate
		}
		if !rate.one() {
			out[j] = rate
		}
	}
	return out, nil
}

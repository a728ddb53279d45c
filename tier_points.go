package fanclub

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
)

// tierRate is a tier multiplier as an exact fraction num/den: the shortest
// decimal that reads back as the policy's float (1.15 is 115/100, not the
// binary float just below it), so that floor(points × multiplier) never
// loses a point to binary rounding.
type tierRate struct {
	num, den *big.Int
	// small is set when num and den fit in 64 bits (n, d): the fast path.
	small bool
	n, d  uint64
}

// newTierRate returns the exact fraction of a positive finite multiplier.
func newTierRate(m float64) tierRate {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(m, 'f', -1, 64))
	if !ok || r.Sign() <= 0 {
		r = big.NewRat(1, 1)
	}
	t := tierRate{num: new(big.Int).Set(r.Num()), den: new(big.Int).Set(r.Denom())}
	if t.num.IsUint64() && t.den.IsUint64() {
		t.small, t.n, t.d = true, t.num.Uint64(), t.den.Uint64()
	}
	return t
}

// one reports whether the rate is exactly 1 (nothing changes).
func (t tierRate) one() bool { return t.small && t.n == t.d }

// apply returns floor(p × rate) for p ≥ 0, at most MaxPoints.
func (t tierRate) apply(p int64) int64 {
	if p <= 0 {
		return 0
	}
	if t.small {
		hi, lo := bits.Mul64(uint64(p), t.n)
		if hi >= t.d { // the quotient does not fit in 64 bits
			return MaxPoints
		}
		q, _ := bits.Div64(hi, lo, t.d)
		if q > uint64(MaxPoints) {
			return MaxPoints
		}
		return int64(q)
	}
	q := new(big.Int).Mul(big.NewInt(p), t.num)
	q.Quo(q, t.den)
	if !q.IsInt64() || q.Int64() > MaxPoints {
		return MaxPoints
	}
	return q.Int64()
}

// MultiplyPoints returns floor(p × multiplier) for p ≥ 0 (0 for p ≤ 0),
// at most MaxPoints. The multiplier is taken as the shortest decimal that
// reads back as it (1.15 multiplies by 115/100 exactly); a multiplier that
// is not positive and finite counts as 1.
func MultiplyPoints(p int64, multiplier float64) int64 {
	if !(multiplier > 0) || math.IsInf(multiplier, 1) {
		multiplier = 1
	}
	return newTierRate(multiplier).apply(p)
}

// TierMultiplier returns the multiplier the policy gives members of a
// paid tier, and whether it declares one (1 when it does not).
func (g Engagement) TierMultiplier(tier string) (float64, bool) {
	for _, m := range g.TierMultipliers {
		if m.Tier == tier {
			return m.Multiplier, true
		}
	}
	return 1, false
}

// hasTierRates reports whether any tier multiplier of the policy differs
// from 1: only then can paid benefits change earned points.
func (g Engagement) hasTierRates() bool {
	for _, m := range g.TierMultipliers {
		if m.Multiplier != 1 {
			return true
		}
	}
	return false
}

// EarnMultiplied is Earn for a member whose paid benefits multiply earned
// points: Points × amount, times the multiplier rounded down
// (MultiplyPoints), then cut to what is left of the daily cap (never below
// zero) and to MaxPoints. The cap is in points and bounds the multiplied
// points: a paid tier earns the day's cap sooner, never more than it.
func EarnMultiplied(rule ActionRule, amount, earnedToday int64, multiplier float64) int64 {
	if !(multiplier > 0) || math.IsInf(multiplier, 1) {
		multiplier = 1
	}
	return earnRate(rule, amount, earnedToday, newTierRate(multiplier))
}

// earnRate is EarnMultiplied with the multiplier's fraction precomputed.
func earnRate(rule ActionRule, amount, earnedToday int64, rate tierRate) int64 {
	if rate.one() {
		return Earn(rule, amount, earnedToday)
	}
	if amount <= 0 || rule.Points <= 0 {
		return 0
	}
	raw := int64(math.MaxInt64)
	if amount <= math.MaxInt64/rule.Points {
		raw = rule.Points * amount
	}
	got := rate.apply(raw)
	if rule.DailyCap > 0 {
		got = min(got, max(rule.DailyCap-earnedToday, 0))
	}
	return min(got, MaxPoints)
}

package fanclub

import (
	"math/big"
	"strconv"
	"time"
)

// day is the unit of unused and period days: 24 h of elapsed time.
const day = 24 * time.Hour

// AddMonths returns anchor plus n calendar months in loc: the anchor's
// wall-clock time in loc and the anchor's day of month, clamped to the last
// day of a shorter month (anchor Jan 31 → Feb 28 or 29 → Mar 31 → Apr 30).
// Chained periods are always computed from the anchor (see PeriodEnd), so a
// clamp in one month never shortens the next. A nil loc means UTC.
func AddMonths(anchor time.Time, n int, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t := anchor.In(loc)
	y, m, d := t.Date()
	months := int(m) - 1 + n
	y += months / 12
	months %= 12
	if months < 0 {
		months += 12
		y--
	}
	month := time.Month(months + 1)
	if last := daysIn(y, month); d > last {
		d = last
	}
	return time.Date(y, month, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
}

// daysIn is the number of days of a month.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// PeriodStart is the start of the index-th period (0: the first) of a plan
// counted from anchor: anchor + index × plan months.
func PeriodStart(anchor time.Time, index int, plan Plan, loc *time.Location) time.Time {
	return AddMonths(anchor, index*plan.Months(), loc)
}

// PeriodEnd is the end of the index-th period (0: the first) of a plan
// counted from anchor: anchor + (index+1) × plan months. It is the next
// period's start, and never drifts with month-end clamping.
func PeriodEnd(anchor time.Time, index int, plan Plan, loc *time.Location) time.Time {
	return AddMonths(anchor, (index+1)*plan.Months(), loc)
}

// UnusedWholeMonths is the largest k ≥ 0 with x + k months ≤ periodEnd,
// adding the months to x itself (AddMonths(x, k, loc), as the spec says),
// not to the period's anchor. It is 0 when x is at or after periodEnd.
func UnusedWholeMonths(x, periodEnd time.Time, loc *time.Location) int {
	if !x.Before(periodEnd) {
		return 0
	}
	if loc == nil {
		loc = time.UTC
	}
	xl, el := x.In(loc), periodEnd.In(loc)
	k := (el.Year()-xl.Year())*12 + int(el.Month()) - int(xl.Month()) + 1
	for ; k > 0; k-- {
		if !AddMonths(x, k, loc).After(periodEnd) {
			return k
		}
	}
	return 0
}

// UnusedDays is floor((end − x) / 24 h), 0 when x is at or after end.
func UnusedDays(x, end time.Time) int64 {
	return wholeDays(x, end)
}

// PeriodDays is floor((end − start) / 24 h), 0 when end is not after start.
func PeriodDays(start, end time.Time) int64 {
	return wholeDays(start, end)
}

// wholeDays counts whole 24 h days from a to b without overflowing
// time.Duration for spans of centuries.
func wholeDays(a, b time.Time) int64 {
	if !b.After(a) {
		return 0
	}
	secs := b.Unix() - a.Unix()
	if b.Nanosecond() < a.Nanosecond() {
		secs-- // the last second is not complete
	}
	return secs / int64(day/time.Second)
}

// Prorate is floor(price × ratio × num ÷ den), computed exactly (no
// overflow for prices up to 10^12 minor units and beyond, no float
// rounding): ratio is taken as the shortest decimal that reads back as the
// float (0.5 is 1/2, 0.3 is 3/10). ratio is clamped to [0, 1] and num to
// [0, den], so the result is never negative and never above price. A den
// ≤ 0 or a price ≤ 0 gives 0.
func Prorate(price int64, ratio float64, num, den int64) int64 {
	if price <= 0 || den <= 0 || num <= 0 || !(ratio > 0) {
		return 0
	}
	if num > den {
		num = den
	}
	if ratio > 1 {
		ratio = 1
	}
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(ratio, 'g', -1, 64))
	if !ok {
		return 0
	}
	v := new(big.Rat).Mul(r, big.NewRat(num, den))
	v.Mul(v, new(big.Rat).SetInt64(price))
	q := new(big.Int).Quo(v.Num(), v.Denom()) // both positive: truncation is floor
	if !q.IsInt64() || q.Int64() > price {
		return price
	}
	return q.Int64()
}

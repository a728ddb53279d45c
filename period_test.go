package fanclub_test

import (
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"

	"fanclub"
)

// shanghai is the presets' time zone.
var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// sh is a wall-clock time in Asia/Shanghai.
func sh(y int, m time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, m, d, h, mi, s, 0, shanghai)
}

func TestAddMonthsClampsToMonthEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		anchor time.Time
		n      int
		want   time.Time
	}{
		{"Jan 31 + 1 → Feb 28", sh(2027, 1, 31, 10, 0, 0), 1, sh(2027, 2, 28, 10, 0, 0)},
		{"Jan 31 + 2 → Mar 31", sh(2027, 1, 31, 10, 0, 0), 2, sh(2027, 3, 31, 10, 0, 0)},
		{"Jan 31 + 3 → Apr 30", sh(2027, 1, 31, 10, 0, 0), 3, sh(2027, 4, 30, 10, 0, 0)},
		{"leap Jan 31 + 1 → Feb 29", sh(2028, 1, 31, 23, 59, 59), 1, sh(2028, 2, 29, 23, 59, 59)},
		{"Feb 29 + 12 → Feb 28", sh(2028, 2, 29, 8, 0, 0), 12, sh(2029, 2, 28, 8, 0, 0)},
		{"Feb 29 + 48 → Feb 29", sh(2028, 2, 29, 8, 0, 0), 48, sh(2032, 2, 29, 8, 0, 0)},
		{"Dec 15 + 1 → next year", sh(2027, 12, 15, 0, 0, 0), 1, sh(2028, 1, 15, 0, 0, 0)},
		{"Mar 31 − 1 → Feb 28", sh(2027, 3, 31, 12, 0, 0), -1, sh(2027, 2, 28, 12, 0, 0)},
		{"Jan 10 − 13 → previous Dec", sh(2027, 1, 10, 12, 0, 0), -13, sh(2025, 12, 10, 12, 0, 0)},
		{"zero", sh(2027, 5, 31, 1, 2, 3), 0, sh(2027, 5, 31, 1, 2, 3)},
		// 16:00 UTC on Jan 31 is 00:00 Feb 1 in Shanghai: the wall clock in loc counts.
		{"UTC instant, Shanghai wall clock", time.Date(2027, 1, 31, 16, 0, 0, 0, time.UTC), 1, sh(2027, 3, 1, 0, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := fanclub.AddMonths(tt.anchor, tt.n, shanghai); !got.Equal(tt.want) {
				t.Errorf("AddMonths(%v, %d) = %v, want %v", tt.anchor, tt.n, got, tt.want)
			}
		})
	}
}

func TestPeriodEndsChainFromTheAnchor(t *testing.T) {
	t.Parallel()
	anchor := sh(2027, 1, 31, 10, 0, 0)
	want := []time.Time{sh(2027, 2, 28, 10, 0, 0), sh(2027, 3, 31, 10, 0, 0), sh(2027, 4, 30, 10, 0, 0), sh(2027, 5, 31, 10, 0, 0)}
	for i, w := range want {
		if got := fanclub.PeriodEnd(anchor, i, fanclub.PlanMonthly, shanghai); !got.Equal(w) {
			t.Errorf("monthly PeriodEnd(%d) = %v, want %v", i, got, w)
		}
		if got := fanclub.PeriodStart(anchor, i+1, fanclub.PlanMonthly, shanghai); !got.Equal(w) {
			t.Errorf("monthly PeriodStart(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := fanclub.PeriodEnd(anchor, 1, fanclub.PlanQuarterly, shanghai); !got.Equal(sh(2027, 7, 31, 10, 0, 0)) {
		t.Errorf("quarterly PeriodEnd(1) = %v", got)
	}
	if got := fanclub.PeriodEnd(sh(2028, 2, 29, 0, 0, 0), 0, fanclub.PlanAnnual, shanghai); !got.Equal(sh(2029, 2, 28, 0, 0, 0)) {
		t.Errorf("annual PeriodEnd from Feb 29 = %v", got)
	}
}

func TestUnusedWholeMonthsCountsFromX(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		x, end time.Time
		want   int
	}{
		{"two whole months", sh(2027, 2, 10, 10, 0, 0), sh(2027, 4, 30, 10, 0, 0), 2},
		{"clamped month fits exactly", sh(2027, 1, 31, 10, 0, 0), sh(2027, 2, 28, 10, 0, 0), 1},
		{"a second short", sh(2027, 1, 31, 10, 0, 1), sh(2027, 2, 28, 10, 0, 0), 0},
		{"wechat quarterly after 40 days", sh(2027, 4, 10, 0, 0, 0), sh(2027, 6, 1, 0, 0, 0), 1},
		{"annual", sh(2027, 3, 20, 8, 0, 0), sh(2028, 1, 15, 12, 0, 0), 9},
		{"at the end", sh(2027, 6, 1, 0, 0, 0), sh(2027, 6, 1, 0, 0, 0), 0},
		{"after the end", sh(2027, 7, 1, 0, 0, 0), sh(2027, 6, 1, 0, 0, 0), 0},
		{"a whole year", sh(2027, 1, 1, 0, 0, 0), sh(2028, 1, 1, 0, 0, 0), 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := fanclub.UnusedWholeMonths(tt.x, tt.end, shanghai); got != tt.want {
				t.Errorf("UnusedWholeMonths = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestDaysAreWholeTwentyFourHours(t *testing.T) {
	t.Parallel()
	start, end := sh(2027, 3, 1, 0, 0, 0), sh(2027, 6, 1, 0, 0, 0)
	if got := fanclub.PeriodDays(start, end); got != 92 {
		t.Errorf("PeriodDays = %d, want 92", got)
	}
	tests := []struct {
		x    time.Time
		want int64
	}{
		{sh(2027, 4, 10, 12, 0, 0), 51},
		{sh(2027, 5, 31, 0, 0, 0), 1},
		{sh(2027, 5, 31, 0, 0, 0).Add(time.Nanosecond), 0},
		{end, 0},
		{end.Add(time.Hour), 0},
		{start, 92},
	}
	for _, tt := range tests {
		if got := fanclub.UnusedDays(tt.x, end); got != tt.want {
			t.Errorf("UnusedDays(%v) = %d, want %d", tt.x, got, tt.want)
		}
	}
}

func TestProrateRoundsDownExactly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		price            int64
		ratio            float64
		num, den, expect int64
	}{
		{"wechat quarterly 1 of 3 months", 4000, 1, 1, 3, 1333},
		{"douyin half of 51 of 92 days", 4000, 0.5, 51, 92, 1108},
		{"fair 51 of 92 days", 4000, 1, 51, 92, 2217},
		{"decimal ratio is exact", 10, 0.3, 1, 1, 3},
		{"huge price, no overflow", 1_000_000_000_000, 0.5, 365, 366, 498_633_879_781},
		{"max int64 price", math.MaxInt64, 1, 366, 366, math.MaxInt64},
		{"num capped at den", 1500, 1, 40, 30, 1500},
		{"ratio capped at 1", 1500, 2, 1, 1, 1500},
		{"zero den", 1500, 1, 1, 0, 0},
		{"negative num", 1500, 1, -1, 30, 0},
		{"NaN ratio", 1500, math.NaN(), 1, 1, 0},
		{"negative price", -1500, 1, 1, 1, 0},
	}
	for _, tt := range tests {
		if got := fanclub.Prorate(tt.price, tt.ratio, tt.num, tt.den); got != tt.expect {
			t.Errorf("%s: Prorate = %d, want %d", tt.name, got, tt.expect)
		}
	}
}

// TestPeriodProperties checks, for random anchors and plans, that periods
// chained from the anchor never drift (every period starts where the last
// ended, on the anchor's day clamped to the month, at the anchor's wall
// clock) and that the unused-time counts are within the period.
func TestPeriodProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		anchor := sh(rapid.IntRange(2000, 2100).Draw(t, "year"), time.Month(rapid.IntRange(1, 12).Draw(t, "month")),
			rapid.IntRange(1, 31).Draw(t, "day"), rapid.IntRange(0, 23).Draw(t, "hour"), rapid.IntRange(0, 59).Draw(t, "min"), 0)
		plan := rapid.SampledFrom(fanclub.Plans).Draw(t, "plan")
		a := anchor.In(shanghai)
		for i := range 30 {
			end := fanclub.PeriodEnd(anchor, i, plan, shanghai)
			if next := fanclub.PeriodStart(anchor, i+1, plan, shanghai); !next.Equal(end) {
				t.Fatalf("period %d ends %v, period %d starts %v", i, end, i+1, next)
			}
			e := end.In(shanghai)
			wantDay := min(a.Day(), time.Date(e.Year(), e.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day())
			if e.Day() != wantDay || e.Hour() != a.Hour() || e.Minute() != a.Minute() {
				t.Fatalf("period %d end %v drifted from anchor %v", i, e, a)
			}
			start := fanclub.PeriodStart(anchor, i, plan, shanghai)
			days := fanclub.PeriodDays(start, end)
			if days < 28*int64(plan.Months()) || days > 31*int64(plan.Months()) {
				t.Fatalf("period %d lasts %d days", i, days)
			}
			x := start.Add(time.Duration(rapid.Int64Range(0, int64(end.Sub(start))).Draw(t, "x")))
			if u := fanclub.UnusedDays(x, end); u < 0 || u > days {
				t.Fatalf("unused days %d of %d", u, days)
			}
			if k := fanclub.UnusedWholeMonths(x, end, shanghai); k < 0 || k > plan.Months() ||
				fanclub.AddMonths(x, k, shanghai).After(end) || !fanclub.AddMonths(x, k+1, shanghai).After(end) {
				t.Fatalf("unused whole months %d at %v of period ending %v", k, x, end)
			}
		}
	})
}

package fanclub

import (
	"math"
	"math/big"
	"testing"

	"pgregory.net/rapid"
)

func TestCheckedAndSaturatingAdd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b, sat int64
		ok        bool
	}{
		{1, 2, 3, true},
		{math.MaxInt64, 1, math.MaxInt64, false},
		{math.MaxInt64, math.MaxInt64, math.MaxInt64, false},
		{math.MinInt64, -1, math.MinInt64, false},
		{math.MinInt64, math.MaxInt64, -1, true},
		{math.MaxInt64, math.MinInt64, -1, true},
		{-5, 5, 0, true},
	} {
		if got := SaturatingAdd(tc.a, tc.b); got != tc.sat {
			t.Errorf("SaturatingAdd(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.sat)
		}
		if _, ok := CheckedAdd(tc.a, tc.b); ok != tc.ok {
			t.Errorf("CheckedAdd(%d, %d) ok = %v, want %v", tc.a, tc.b, ok, tc.ok)
		}
	}
}

// bigClamp clamps an exact sum to the points bounds.
func bigClamp(s *big.Int) int64 {
	if s.Cmp(big.NewInt(MaxPoints)) > 0 {
		return MaxPoints
	}
	if s.Cmp(big.NewInt(-MaxPoints)) < 0 {
		return -MaxPoints
	}
	return s.Int64()
}

func TestPointsArithmeticProperty(t *testing.T) {
	t.Parallel()
	extreme := rapid.OneOf(rapid.Int64(), rapid.SampledFrom([]int64{math.MaxInt64, math.MinInt64, MaxPoints, -MaxPoints, 0, 1, -1}))
	rapid.Check(t, func(rt *rapid.T) {
		a, b := extreme.Draw(rt, "a"), extreme.Draw(rt, "b")
		exact := new(big.Int).Add(big.NewInt(a), big.NewInt(b))
		s, ok := CheckedAdd(a, b)
		if ok != exact.IsInt64() || (ok && s != exact.Int64()) {
			rt.Fatalf("CheckedAdd(%d, %d) = %d, %v; exact %s", a, b, s, ok, exact)
		}
		if got, want := AddPoints(a, b), bigClamp(exact); got != want {
			rt.Fatalf("AddPoints(%d, %d) = %d, want %d", a, b, got, want)
		}
		// A ledger of entries within the bounds sums exactly, clamped.
		entries := rapid.SliceOfN(rapid.Int64Range(-MaxPoints, MaxPoints), 0, 50).Draw(rt, "entries")
		sum := new(big.Int)
		for _, e := range entries {
			sum.Add(sum, big.NewInt(e))
		}
		if got, want := SumPoints(entries), bigClamp(sum); got != want {
			rt.Fatalf("SumPoints(%v) = %d, want %d", entries, got, want)
		}
		// Any entries at all: bounded, never a panic or a wrap.
		wild := rapid.SliceOfN(extreme, 0, 20).Draw(rt, "wild")
		if got := SumPoints(wild); got > MaxPoints || got < -MaxPoints {
			rt.Fatalf("SumPoints(%v) = %d, out of bounds", wild, got)
		}
	})
}

func TestEarnIsBounded(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		rule := ActionRule{Action: ActionGift, Points: rapid.Int64Range(0, math.MaxInt64).Draw(rt, "points"),
			DailyCap: rapid.Int64Range(0, math.MaxInt64).Draw(rt, "cap")}
		amount := rapid.Int64Range(math.MinInt64, math.MaxInt64).Draw(rt, "amount")
		earned := rapid.Int64Range(0, math.MaxInt64).Draw(rt, "earned")
		if got := Earn(rule, amount, earned); got < 0 || got > MaxPoints {
			rt.Fatalf("Earn(%+v, %d, %d) = %d, out of [0, MaxPoints]", rule, amount, earned, got)
		}
	})
}

func TestCheckAmount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		action Action
		amount int64
		ok     bool
	}{
		{ActionWatchMinutes, 0, true},
		{ActionWatchMinutes, 1440, true},
		{ActionWatchMinutes, 1441, false},
		{ActionWatchMinutes, 100_000_000_000, false},
		{ActionLike, 1000, true},
		{ActionLike, 1001, false},
		{ActionComment, -1, false},
		{ActionShare, math.MaxInt64, false},
		{ActionGift, 100_000, true},
		{ActionGift, 100_001, false},
		{"dance", 5, true}, // unknown actions are reported by the action check
	} {
		fe := CheckAmount(tc.action, tc.amount, "events[2].amount")
		if (fe == nil) != tc.ok {
			t.Errorf("CheckAmount(%s, %d) = %v, want ok %v", tc.action, tc.amount, fe, tc.ok)
		}
		if fe != nil && (fe.Path != "events[2].amount" || fe.Allowed == "" || fe.Found == "") {
			t.Errorf("CheckAmount(%s, %d) = %+v: want the path, what was found and what is allowed", tc.action, tc.amount, fe)
		}
	}
}

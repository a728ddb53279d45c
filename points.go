package fanclub

import (
	"fmt"
	"math"
)

// MaxPoints bounds every points amount and balance the engine keeps: the
// level points of a membership, the points one event earns, a general
// points entry and a fan's general points balance (10^15, far above any
// level table and far below the int64 limit, so sums of a few bounded
// values never wrap).
const MaxPoints int64 = 1_000_000_000_000_000

// Per-event amount bounds, in the units the policies count each action in
// (engagement rules award points per minute, per like, comment or share,
// per coin of gift value). An amount above its bound is invalid input,
// not something to cap: no real client reports it.
const (
	// MaxWatchMinutes is the most minutes one watch event reports: a day.
	MaxWatchMinutes int64 = 24 * 60
	// MaxCount is the most likes, comments or shares one event reports.
	MaxCount int64 = 1000
	// MaxGiftCoins is the most coins of gift value one gift event reports
	// (100 000 coins: 10 000 CNY at the default 10 fen a coin).
	MaxGiftCoins int64 = 100_000
)

// MaxAmount returns the largest amount one event of action may report (0
// for an unknown action).
func MaxAmount(a Action) int64 {
	switch a {
	case ActionWatchMinutes:
		return MaxWatchMinutes
	case ActionLike, ActionComment, ActionShare:
		return MaxCount
	case ActionGift:
		return MaxGiftCoins
	}
	return 0
}

// amountUnit names what one unit of an action's amount is.
func amountUnit(a Action) string {
	switch a {
	case ActionWatchMinutes:
		return "minutes"
	case ActionGift:
		return "coins of gift value"
	}
	return string(a) + "s"
}

// CheckAmount validates an event's amount for its action: 0 stands for 1
// (the default), negative amounts and amounts above MaxAmount are invalid.
// path names the field in the caller's input (e.g. "events[3].amount").
// It is the one amount rule of the API, the batch ingest, the CLI and the
// simulator; it returns nil for an unknown action (reported elsewhere).
func CheckAmount(a Action, amount int64, path string) *FieldError {
	limit := MaxAmount(a)
	switch {
	case amount < 0:
		return &FieldError{Path: path, Found: fmt.Sprint(amount), Allowed: fmt.Sprintf("1 to %d (0 or absent: 1)", max(limit, 1)), Message: "invalid amount"}
	case limit > 0 && amount > limit:
		return &FieldError{Path: path, Found: fmt.Sprint(amount), Allowed: fmt.Sprintf("1 to %d %s per %s event", limit, amountUnit(a), a),
			Message: "amount too large"}
	}
	return nil
}

// AddPoints returns a+b clamped to [-MaxPoints, MaxPoints]. It never wraps,
// whatever its arguments: sums of points are taken with it.
func AddPoints(a, b int64) int64 {
	return ClampPoints(SaturatingAdd(a, b))
}

// ClampPoints returns p clamped to [-MaxPoints, MaxPoints].
func ClampPoints(p int64) int64 {
	return min(max(p, -MaxPoints), MaxPoints)
}

// SaturatingAdd returns a+b, or MaxInt64 or MinInt64 where the exact sum
// is beyond them.
func SaturatingAdd(a, b int64) int64 {
	s, ok := CheckedAdd(a, b)
	if ok {
		return s
	}
	if b > 0 {
		return math.MaxInt64
	}
	return math.MinInt64
}

// CheckedAdd returns a+b and true, or 0 and false when the exact sum does
// not fit in an int64.
func CheckedAdd(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// SumPoints returns a balance derived from ledger entries: the sum of the
// entries, each first clamped to [-MaxPoints, MaxPoints] (an entry booked
// before the bounds existed may be larger), taken without wrapping and
// clamped to [-MaxPoints, MaxPoints].
func SumPoints(entries []int64) int64 {
	var s int64
	for _, e := range entries {
		s = SaturatingAdd(s, ClampPoints(e))
	}
	return ClampPoints(s)
}

package fanclub

import (
	"math"
	"time"
)

// dayLayout formats the calendar date a daily counter belongs to.
const dayLayout = "2006-01-02"

// LevelFor returns the highest level whose threshold is at most points;
// levels[0] is level 1. It returns 1 when levels is empty.
func LevelFor(levels []int64, points int64) int {
	lvl := 1
	for i, t := range levels {
		if t > points {
			break
		}
		lvl = i + 1
	}
	return lvl
}

// LevelThreshold returns the level points at which level starts (0 for
// levels outside the table's range below, the top threshold above it).
func LevelThreshold(levels []int64, level int) int64 {
	switch {
	case level < 1 || len(levels) == 0:
		return 0
	case level > len(levels):
		return levels[len(levels)-1]
	}
	return levels[level-1]
}

// DayKey returns the calendar date of t in loc as YYYY-MM-DD: the day a
// daily cap counter belongs to.
func DayKey(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(dayLayout)
}

// ActionRule returns the engagement rule for an action, if the policy has one.
func (g Engagement) ActionRule(a Action) (ActionRule, bool) {
	for _, r := range g.Actions {
		if r.Action == a {
			return r, true
		}
	}
	return ActionRule{}, false
}

// Earn returns the level points an interaction of amount units earns under
// rule when earnedToday points of the same action were already earned the
// same day: Points × amount, cut to what is left of the daily cap (never
// below zero) and to MaxPoints. A DailyCap of 0 means no cap.
func Earn(rule ActionRule, amount, earnedToday int64) int64 {
	if amount <= 0 || rule.Points <= 0 {
		return 0
	}
	raw := rule.Points * amount
	if amount > math.MaxInt64/rule.Points {
		raw = math.MaxInt64
	}
	if rule.DailyCap > 0 {
		left := rule.DailyCap - earnedToday
		if left < 0 {
			left = 0
		}
		if raw > left {
			raw = left
		}
	}
	return min(raw, MaxPoints)
}

// IsLit reports whether a membership is lit at now: active, and fewer than
// the lit window has passed since its last interaction (joining counts).
func IsLit(m Membership, window Span, loc *time.Location, now time.Time) bool {
	if m.Status != StatusActive {
		return false
	}
	end, ok := window.End(m.LastInteractionAt, loc)
	if !ok {
		return true
	}
	return now.Before(end)
}

// DecayedPoints returns floor(p0 × (n − d) / n) for d whole days elapsed of
// an n-day linear decay: the retained points after d days. From day n on it
// is 0; n ≤ 0 means no decay.
func DecayedPoints(p0 int64, n, d int) int64 {
	switch {
	case n <= 0:
		return p0
	case d <= 0:
		return p0
	case d >= n:
		return 0
	}
	// p0 × (n − d) cannot overflow for realistic points; guard anyway.
	rem := int64(n - d)
	if p0 > math.MaxInt64/rem {
		return int64(float64(p0) * float64(rem) / float64(n))
	}
	return p0 * rem / int64(n)
}

// RetainedPointsAt returns the level points a rejoin at `at` would restore
// for a left membership: zero when nothing is retained or the retention has
// ended; the decayed retained points for RestorePoints (whole days counted
// from the exit); the kept level's threshold for RestoreLevelThreshold.
func RetainedPointsAt(levels []int64, m Membership, at time.Time) int64 {
	r := m.Retained
	if m.Status != StatusLeft || r == nil || r.Restore == RestoreNone {
		return 0
	}
	if !r.Forever && !at.Before(r.Until) {
		return 0
	}
	switch r.Restore {
	case RestoreLevelThreshold:
		return LevelThreshold(levels, r.Level)
	case RestorePoints:
		if r.Decay != DecayLinearDaily {
			return r.Points
		}
		d := int(at.Sub(m.LeftAt) / (24 * time.Hour))
		return DecayedPoints(r.Points, r.DecayDays, d)
	}
	return 0
}

// RestoresProgress reports whether a rejoin at `at` gives back progress
// the last exit of m retained: m is left, with a retention whose restore
// is not none and which has not ended. Such a rejoin continues the ended
// tenure; any other rejoin starts a new one at L1 with 0 points.
func RestoresProgress(m Membership, at time.Time) bool {
	r := m.Retained
	return m.Status == StatusLeft && r != nil && r.Restore != RestoreNone && (r.Forever || at.Before(r.Until))
}

// RestoreAt returns the level and level points a rejoin at `at` gives a
// left membership under the retention its exit left: L1 with 0 points when
// nothing (or nothing any more) is retained.
func RestoreAt(levels []int64, m Membership, at time.Time) (int, int64) {
	if !RestoresProgress(m, at) {
		return 1, 0
	}
	r := m.Retained
	if r.Restore == RestoreLevelThreshold {
		lvl := r.Level
		if lvl < 1 {
			lvl = 1
		}
		return lvl, LevelThreshold(levels, lvl)
	}
	pts := RetainedPointsAt(levels, m, at)
	return LevelFor(levels, pts), pts
}

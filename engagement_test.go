package fanclub

import (
	"testing"
	"time"
)

func mustShanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatalf("load zone: %v", err)
	}
	return loc
}

func TestLevelFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		points int64
		want   int
	}{
		{0, 1}, {99, 1}, {100, 2}, {299, 2}, {300, 3}, {999, 4}, {1000, 5},
		{79999, 19}, {80000, 20}, {1 << 40, 20}, {-5, 1},
	}
	for _, tt := range tests {
		if got := LevelFor(specLevels, tt.points); got != tt.want {
			t.Errorf("LevelFor(%d) = %d, want %d", tt.points, got, tt.want)
		}
	}
	if got := LevelThreshold(specLevels, 5); got != 1000 {
		t.Errorf("LevelThreshold(5) = %d, want 1000", got)
	}
	if got := LevelThreshold(specLevels, 0); got != 0 {
		t.Errorf("LevelThreshold(0) = %d, want 0", got)
	}
}

func TestEarn(t *testing.T) {
	t.Parallel()
	like := ActionRule{Action: ActionLike, Points: 1, DailyCap: 30}
	comment := ActionRule{Action: ActionComment, Points: 5, DailyCap: 50}
	gift := ActionRule{Action: ActionGift, Points: 10}
	tests := []struct {
		name          string
		rule          ActionRule
		amount, today int64
		want          int64
	}{
		{"under cap", like, 5, 0, 5},
		{"reaches cap", like, 30, 0, 30},
		{"cut to what is left", like, 10, 25, 5},
		{"capped earns zero", like, 3, 30, 0},
		{"over-full counter earns zero", like, 3, 40, 0},
		{"comment cut", comment, 3, 40, 10},
		{"uncapped gift", gift, 1000, 1 << 20, 10000},
		{"zero amount", gift, 0, 0, 0},
	}
	for _, tt := range tests {
		if got := Earn(tt.rule, tt.amount, tt.today); got != tt.want {
			t.Errorf("%s: Earn = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestDayKeyShanghaiBoundary(t *testing.T) {
	t.Parallel()
	loc := mustShanghai(t)
	// 2026-03-01 15:59:59 UTC is 23:59:59 in Shanghai; one second later is the next day.
	before := time.Date(2026, 3, 1, 15, 59, 59, 0, time.UTC)
	after := before.Add(time.Second)
	if got := DayKey(before, loc); got != "2026-03-01" {
		t.Errorf("DayKey(before) = %s", got)
	}
	if got := DayKey(after, loc); got != "2026-03-02" {
		t.Errorf("DayKey(after) = %s", got)
	}
	if got := DayKey(after, time.UTC); got != "2026-03-01" {
		t.Errorf("DayKey(after, UTC) = %s", got)
	}
	var dc dayCache
	for _, at := range []time.Time{before, after, before, after.Add(23 * time.Hour), after.Add(24 * time.Hour)} {
		if got, want := dc.dayKey(at, loc), DayKey(at, loc); got != want {
			t.Errorf("dayCache.dayKey(%v) = %s, want %s", at, got, want)
		}
	}
}

func TestIsLit(t *testing.T) {
	t.Parallel()
	loc := mustShanghai(t)
	last := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	m := Membership{Status: StatusActive, LastInteractionAt: last}
	w := Days(7)
	if !IsLit(m, w, loc, last.Add(7*24*time.Hour-time.Nanosecond)) {
		t.Error("dark just before the window ends")
	}
	if IsLit(m, w, loc, last.Add(7*24*time.Hour)) {
		t.Error("lit when the window has passed")
	}
	m.Status = StatusLeft
	if IsLit(m, w, loc, last) {
		t.Error("a left membership is lit")
	}
}

func TestDecayedPoints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p0   int64
		d    int
		want int64
	}{
		{700, 0, 700}, {700, 1, 600}, {700, 6, 100}, {700, 7, 0}, {700, 30, 0},
		{1000, 1, 857}, {1000, 3, 571}, {1, 1, 0}, {0, 2, 0},
	}
	for _, tt := range tests {
		if got := DecayedPoints(tt.p0, 7, tt.d); got != tt.want {
			t.Errorf("DecayedPoints(%d, 7, %d) = %d, want %d", tt.p0, tt.d, got, tt.want)
		}
	}
}

func TestRetainedPointsAtDouyin(t *testing.T) {
	t.Parallel()
	left := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	m := Membership{Status: StatusLeft, LeftAt: left, Retained: &Retained{
		Points: 1000, Level: 5, Until: left.Add(7 * 24 * time.Hour), Decay: DecayLinearDaily, DecayDays: 7, Restore: RestorePoints}}
	tests := []struct {
		after time.Duration
		want  int64
		lvl   int
	}{
		{0, 1000, 5},
		{24*time.Hour - time.Second, 1000, 5},
		{24 * time.Hour, 857, 4},
		{6*24*time.Hour + time.Hour, 142, 2},
		{7 * 24 * time.Hour, 0, 1},
	}
	for _, tt := range tests {
		at := left.Add(tt.after)
		if got := RetainedPointsAt(specLevels, m, at); got != tt.want {
			t.Errorf("after %v: retained %d, want %d", tt.after, got, tt.want)
		}
		if lvl, pts := RestoreAt(specLevels, m, at); lvl != tt.lvl || pts != tt.want {
			t.Errorf("after %v: restore L%d/%d, want L%d/%d", tt.after, lvl, pts, tt.lvl, tt.want)
		}
	}
}

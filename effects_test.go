package fanclub

import (
	"testing"
	"time"
)

func TestRecommendationWeightAndHiddenCount(t *testing.T) {
	t.Parallel()
	exit := time.Date(2026, 3, 2, 15, 30, 0, 0, time.UTC) // 23:30 in Shanghai
	end := time.Date(2026, 3, 5, 16, 0, 0, 0, time.UTC)   // 00:00 of the 4th day in Shanghai
	weight := Effect{ClubID: 3, Kind: EffectRecommendationWeight, Scope: ScopeInstance, Start: exit, Until: &end, Factor: 0.5}
	hidden := Effect{ClubID: 1, Kind: EffectMemberCountHidden, Scope: ScopeClub, Start: exit, EndsOnRejoin: true}
	effs := []Effect{weight, hidden}
	for _, tc := range []struct {
		name       string
		at         time.Time
		weight     float64
		hiddenIn1  bool
		hiddenIn2  bool
		activeKind int
	}{
		{"before the exit", exit.Add(-time.Second), 1, false, false, 0},
		{"at the exit", exit, 0.5, true, false, 2},
		{"1 s before the calendar-day end", end.Add(-time.Second), 0.5, true, false, 2},
		{"at the calendar-day end", end, 1, true, false, 1},
	} {
		if got := RecommendationWeight(effs, tc.at); got != tc.weight {
			t.Errorf("%s: weight %g, want %g", tc.name, got, tc.weight)
		}
		if got := MemberCountHidden(effs, 1, tc.at); got != tc.hiddenIn1 {
			t.Errorf("%s: hidden in club 1 = %v, want %v", tc.name, got, tc.hiddenIn1)
		}
		if got := MemberCountHidden(effs, 2, tc.at); got != tc.hiddenIn2 {
			t.Errorf("%s: hidden in club 2 = %v, want %v", tc.name, got, tc.hiddenIn2)
		}
		if got := len(ActiveEffects(effs, tc.at)); got != tc.activeKind {
			t.Errorf("%s: %d active effects, want %d", tc.name, got, tc.activeKind)
		}
	}
	twice := []Effect{weight, weight}
	if got := RecommendationWeight(twice, exit); got != 0.25 {
		t.Errorf("two weight effects: %g, want 0.25 (they multiply)", got)
	}
	everywhere := hidden
	everywhere.Scope = ScopeInstance
	if !MemberCountHidden([]Effect{everywhere}, 2, exit) {
		t.Error("an instance-wide member_count_hidden must hide every club's count")
	}
}

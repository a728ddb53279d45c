package simulate_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"fanclub/internal/teststores"
)

// specFact is one value a preset's rules fix (docs/presets.md), read from
// a journey's output.
type specFact struct {
	step int
	path string
	want string
}

// checkSpecFacts runs each named journey of testdata/journeys on a
// store from open and checks its facts against the output lines.
func checkSpecFacts(t *testing.T, open teststores.Open, facts map[string][]specFact) {
	t.Helper()
	for name, fs := range facts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lines := decodeLines(t, runJourneyFile(t, open, filepath.Join("testdata", "journeys", name)))
			for _, f := range fs {
				if f.step >= len(lines) {
					t.Errorf("no step %d", f.step)
					continue
				}
				if got := fmt.Sprint(field(lines[f.step], f.path)); got != f.want {
					t.Errorf("steps[%d].%s = %s, want %s (note: %v)", f.step, f.path, got, f.want, lines[f.step]["note"])
				}
			}
		})
	}
}

// TestJourneysShowTheSpec checks, independently of the golden files, the
// values the presets' rules fix for dimensions 1, 2 and 4 and for
// engagement (docs/presets.md: wechat-channels clears progress and refuses
// a rejoin for 72 hours, douyin keeps points 7 days decaying by a seventh a
// day, kuaishou keeps the level for ever and converts points 1:1), so a
// golden rewritten with -update cannot silently accept a wrong behaviour.
func TestJourneysShowTheSpec(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testJourneysShowTheSpec)
}

func testJourneysShowTheSpec(t *testing.T, open teststores.Open) {
	t.Parallel()
	facts := map[string][]specFact{
		"wechat-channels.json": {
			{3, "membership.level_points", "160"},
			{4, "challenges", "[confirm]"},
			{4, "impact.level_after", "0"}, {4, "impact.level_points_after", "0"},
			{4, "impact.history_deleted", "true"},
			{4, "membership.cooldown_until", "2026-03-05T10:00:00+08:00"},
			{5, "effects.0.kind", "member_count_hidden"}, {5, "effects.0.until", "<nil>"},
			{7, "at", "2026-03-05T09:59:59+08:00"}, {7, "error.code", "cooldown"},
			{7, "error.until", "2026-03-05T10:00:00+08:00"},
			{8, "effects.0.kind", "member_count_hidden"},
			{9, "at", "2026-03-05T10:00:00+08:00"}, {9, "ok", "true"},
			{9, "membership.level", "1"}, {9, "membership.level_points", "0"}, {9, "effects", "[]"},
		},
		"douyin.json": {
			{23, "challenges", "[slider password]"},
			{23, "impact.points_retained", "160"}, {23, "impact.decay", "linear_daily"},
			{34, "membership.level_points", "160"},
			{35, "error.code", "restricted"}, {35, "error.until", "2026-03-03T10:00:00+08:00"},
			{35, "effects.0.scope", "instance"},
			{36, "membership.level_points", "160"}, {37, "error.code", "restricted"},
			{38, "ok", "true"},
			{39, "membership.retained_points", "160"}, {40, "membership.level_points", "160"},
			{41, "error.code", "restricted"},
			{42, "membership.retained_points", "137"}, {43, "membership.level_points", "137"},
			{44, "ok", "true"}, {45, "ok", "true"}, {45, "effects", "[]"},
			{46, "membership.retained_points", "137"}, {47, "membership.retained_points", "114"},
			{48, "membership.level_points", "114"},
			{51, "membership.level_points", "91"}, {51, "membership.level", "1"},
			{54, "membership.level_points", "68"}, {57, "membership.level_points", "45"},
			{60, "membership.level_points", "22"}, {61, "membership.retained_points", "22"},
			{62, "membership.retained_points", "0"},
			{63, "membership.level", "1"}, {63, "membership.level_points", "0"},
		},
		"kuaishou.json": {
			{8, "at", "2026-03-02T23:30:00+08:00"}, {8, "challenges", "[captcha]"},
			{8, "impact.level_after", "3"}, {8, "impact.points_converted", "350"},
			{8, "impact.retained_forever", "true"}, {8, "fan.general_points", "350"},
			{8, "effects.0.kind", "recommendation_weight"}, {8, "effects.0.factor", "0.5"},
			{8, "effects.0.until", "2026-03-06T00:00:00+08:00"},
			{9, "membership.level", "3"}, {9, "membership.level_points", "300"},
			{11, "fan.general_points", "651"}, {12, "membership.level_points", "300"},
			{13, "effects.0.until", "2026-03-06T00:00:00+08:00"},
			{14, "effects.0.until", "2026-03-07T00:00:00+08:00"},
			{17, "effects.0.kind", "recommendation_weight"}, {19, "effects", "[]"},
			{20, "effects.0.kind", "recommendation_weight"}, {21, "effects.0.kind", "recommendation_weight"},
			{22, "effects", "[]"},
			{23, "membership.level", "2"}, {23, "membership.level_points", "100"},
			{24, "membership.level", "4"}, {24, "membership.level_points", "600"},
		},
		"fair.json": {
			{8, "challenges", "[confirm]"}, {8, "impact.option", "erase"},
			{8, "impact.points_lost", "160"}, {8, "effects", "[]"},
			{9, "ok", "true"}, {9, "membership.level_points", "0"},
			{10, "impact.retained_until", "2026-04-01T10:00:00+08:00"}, {10, "impact.decay", "none"},
			{12, "membership.status", "active"}, {13, "error.code", "invalid"}, {14, "error.code", "not_member"},
			{16, "membership.retained_points", "160"},
			{18, "membership.level", "2"}, {18, "membership.level_points", "160"},
			{19, "membership.retained_points", "0"},
			{20, "membership.level", "1"}, {20, "membership.level_points", "0"},
			{21, "ok", "false"}, {21, "error.code", "invalid"}, {21, "membership.level_points", "0"},
			{22, "ok", "true"}, {22, "points", "160"}, {22, "membership.level", "2"},
		},
		"engagement.json": {
			{2, "membership.lit", "true"}, {3, "membership.lit", "false"}, {3, "membership.level_points", "30"},
			{4, "membership.lit", "true"}, {5, "membership.lit", "true"}, {6, "membership.lit", "false"},
			{8, "points", "25"}, {9, "points", "5"}, {10, "points", "0"}, {11, "points", "3"},
			{12, "points", "50"}, {13, "points", "0"}, {14, "points", "5"}, {15, "membership.level", "5"},
		},
		"daily-caps-utc.json": {
			{1, "points", "60"}, {2, "points", "0"}, {3, "points", "5"}, {4, "points", "50"},
		},
	}
	checkSpecFacts(t, open, facts)
}

package simulate_test

import (
	"testing"

	"fanclub/internal/teststores"
)

// TestRevenueJourneysShowTheSpec checks, independently of the golden
// files, the values dimension 6 fixes per preset (docs/revenue.md):
// settlement at Monday 00:00 Asia/Shanghai, wechat-channels' reversal
// and penalty (counting every exit of a fan who leaves twice in a week),
// douyin's freeze, 50 % return and 7- and 30-day bars,
// kuaishou's held settlement, damages with debt and lifetime bar, and
// fair's nothing.
func TestRevenueJourneysShowTheSpec(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testRevenueJourneysShowTheSpec)
}

func testRevenueJourneysShowTheSpec(t *testing.T, open teststores.Open) {
	t.Parallel()
	facts := map[string][]specFact{
		"revenue-wechat-channels.json": {
			{5, "task.progress", "5500"}, {5, "task.met", "true"}, {5, "creator.pending", "2750"},
			{6, "impact.revenue.reversed_at_settlement", "1250"}, {6, "impact.revenue.penalty_if_task_fails", "100"},
			{6, "impact.revenue.task_points", "2500"},
			{7, "task.progress", "3000"}, {7, "task.met", "false"},
			{8, "creator.pending", "2750"}, {8, "creator.available", "0"},
			{9, "creator.pending", "0"}, {9, "creator.available", "1500"}, {9, "fan.general_points", "-100"},
			{10, "creator.available", "1500"},
		},
		"revenue-wechat-rejoin.json": {
			{6, "impact.revenue.task_points", "2000"}, {9, "impact.revenue.task_points", "2000"},
			{9, "task.progress", "1000"}, {10, "fan.general_points", "-100"},
		},
		"revenue-douyin.json": {
			{3, "impact.revenue.frozen", "500"}, {3, "impact.revenue.returned_coins", "50"}, {3, "wallet.coins", "950"},
			{3, "creator.frozen", "500"}, {3, "creator.pending", "0"},
			{4, "creator.frozen", "0"}, {4, "creator.released", "500"},
			{5, "creator.available", "500"}, {5, "creator.released", "0"},
			{8, "creator.frozen", "100"}, {8, "wallet.coins", "940"}, {8, "task_barred_until", "2026-03-16T03:00:00+08:00"},
			{9, "creator.frozen", "0"}, {9, "creator.available", "500"},
			{11, "task_barred_until", "2026-04-19T10:01:00+08:00"},
			{12, "task_barred_until", "<nil>"},
		},
		"revenue-kuaishou.json": {
			{6, "impact.revenue.damages", "80"}, {6, "impact.revenue.damages_paid", "20"}, {6, "impact.revenue.damages_owed", "60"},
			{6, "wallet.coins", "0"}, {6, "owed", "60"}, {6, "creator.flagged", "true"}, {6, "task_barred_until", "forever"},
			{7, "creator.available", "0"}, {7, "creator.held", "2900"}, {7, "fan.general_points", "0"},
			{8, "creator.available", "2900"}, {8, "creator.flagged", "false"}, {8, "fan.general_points", "50"},
			{9, "task_barred_until", "forever"},
			{11, "task.met", "true"},
			{12, "creator.available", "5400"}, {12, "fan.general_points", "800"}, {12, "task_barred_until", "forever"},
		},
		"revenue-fair.json": {
			{6, "creator.pending", "2700"}, {6, "wallet.coins", "60"}, {6, "owed", "0"},
			{7, "creator.available", "2700"}, {7, "fan.general_points", "50"},
			{8, "fan.general_points", "0"},
		},
	}
	checkSpecFacts(t, open, facts)
}

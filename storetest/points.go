package storetest

import (
	"context"
	"math"
	"testing"

	"fanclub"
	"fanclub/clock"
)

// testPointsExtremes books general-point entries at the int64 limits (as a
// store written before the bounds could hold) and daily counters at the
// bound, and checks balances and counters are bounded sums, not errors.
func testPointsExtremes(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	k := fanclub.CounterKey{FanID: 1, ClubID: 1, Day: "2026-03-01", Action: fanclub.ActionGift}
	for range 2 {
		inWriteTx(t, s, func(tx fanclub.Tx) {
			must(t, "AddDailyPoints", tx.AddDailyPoints(ctx, map[fanclub.CounterKey]int64{k: fanclub.MaxPoints}))
		})
	}
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.DailyPoints(ctx, []fanclub.CounterKey{k})
		must(t, "DailyPoints", err)
		if got[k] != fanclub.MaxPoints {
			t.Fatalf("counter after two additions of the bound = %d, want %d", got[k], fanclub.MaxPoints)
		}
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "AddGeneralPoints", tx.AddGeneralPoints(ctx, 1, math.MaxInt64, "exit_conversion", "x1"))
		must(t, "AddGeneralPoints", tx.AddGeneralPoints(ctx, 1, math.MaxInt64, "exit_conversion", "x2"))
		must(t, "AddGeneralPoints", tx.AddGeneralPoints(ctx, 2, math.MinInt64, "spend", "y1"))
		must(t, "AddGeneralPoints", tx.AddGeneralPoints(ctx, 2, math.MinInt64, "spend", "y2"))
		must(t, "AddGeneralPoints", tx.AddGeneralPoints(ctx, 3, fanclub.MaxPoints, "r", "z1"))
		must(t, "AddGeneralPoints", tx.AddGeneralPoints(ctx, 3, -7, "r", "z2"))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		for fan, want := range map[int64]int64{1: fanclub.MaxPoints, 2: -fanclub.MaxPoints, 3: fanclub.MaxPoints - 7} {
			got, err := tx.GeneralPoints(ctx, fan)
			must(t, "GeneralPoints", err)
			if got != want {
				t.Fatalf("GeneralPoints(fan %d) = %d, want %d", fan, got, want)
			}
		}
	})
}

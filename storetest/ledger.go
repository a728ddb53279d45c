package storetest

import (
	"context"
	"fanclub/clock"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"fanclub"
)

// testLedgerProperty books random general-point entries, with repeated
// keys, in random transactions that commit or roll back, and checks every
// balance against a model: the sum of the first committed entry per key.
func testLedgerProperty(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	run := 0
	rapid.Check(t, func(rt *rapid.T) {
		run++
		// Each run uses its own fans, so runs share the store safely.
		fanBase := int64(run * 10)
		balance := map[int64]int64{}
		booked := map[string]bool{}
		txs := rapid.IntRange(1, 6).Draw(rt, "txs")
		for range txs {
			func() {
				tx, err := s.BeginTx(ctx, true)
				if err != nil {
					rt.Fatalf("BeginTx: %v", err)
				}
				defer tx.Rollback()
				pendBalance := map[int64]int64{}
				pendKeys := map[string]bool{}
				n := rapid.IntRange(0, 8).Draw(rt, "entries")
				for range n {
					fan := fanBase + rapid.Int64Range(1, 3).Draw(rt, "fan")
					delta := rapid.Int64Range(-500, 500).Draw(rt, "delta")
					key := fmt.Sprintf("r%d-k%d", run, rapid.IntRange(0, 9).Draw(rt, "key"))
					if err := tx.AddGeneralPoints(ctx, fan, delta, "property", key); err != nil {
						rt.Fatalf("AddGeneralPoints: %v", err)
					}
					if !booked[key] && !pendKeys[key] {
						pendKeys[key] = true
						pendBalance[fan] += delta
					}
				}
				if !rapid.Bool().Draw(rt, "commit") {
					return // the deferred Rollback discards the entries
				}
				if err := tx.Commit(); err != nil {
					rt.Fatalf("Commit: %v", err)
				}
				for k := range pendKeys {
					booked[k] = true
				}
				for f, d := range pendBalance {
					balance[f] += d
				}
			}()
		}
		tx, err := s.BeginTx(ctx, false)
		if err != nil {
			rt.Fatalf("BeginTx: %v", err)
		}
		defer tx.Rollback()
		for f := fanBase + 1; f <= fanBase+3; f++ {
			got, err := tx.GeneralPoints(ctx, f)
			if err != nil {
				rt.Fatalf("GeneralPoints: %v", err)
			}
			if got != balance[f] {
				rt.Fatalf("fan %d balance %d, model %d", f, got, balance[f])
			}
		}
	})
}

// testEventsProperty inserts random event lists, with ids repeated within
// and across calls, and checks each fresh flag and the stored log against
// a model: an id is fresh the first time it is seen, and stored once.
func testEventsProperty(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	run := 0
	rapid.Check(t, func(rt *rapid.T) {
		run++
		fan := int64(run)
		stored := map[string]bool{}
		calls := rapid.IntRange(1, 5).Draw(rt, "calls")
		tx, err := s.BeginTx(ctx, true)
		if err != nil {
			rt.Fatalf("BeginTx: %v", err)
		}
		defer tx.Rollback()
		for range calls {
			ids := rapid.SliceOfN(rapid.IntRange(0, 300), 0, 400).Draw(rt, "ids")
			evs := make([]fanclub.Event, len(ids))
			for i, id := range ids {
				evs[i] = eventAt(fmt.Sprintf("p%d-%d", run, id), fan, 1, c.Now())
			}
			fresh, err := tx.InsertEvents(ctx, evs)
			if err != nil {
				rt.Fatalf("InsertEvents: %v", err)
			}
			if len(fresh) != len(evs) {
				rt.Fatalf("%d fresh flags for %d events", len(fresh), len(evs))
			}
			for i, e := range evs {
				want := !stored[e.ID]
				stored[e.ID] = true
				if fresh[i] != want {
					rt.Fatalf("fresh[%d] (%s) = %v, want %v", i, e.ID, fresh[i], want)
				}
			}
		}
		got, err := tx.ListEvents(ctx, fan, 1)
		if err != nil {
			rt.Fatalf("ListEvents: %v", err)
		}
		seen := map[string]bool{}
		for _, e := range got {
			if seen[e.ID] || !stored[e.ID] {
				rt.Fatalf("event %s listed twice or never inserted", e.ID)
			}
			seen[e.ID] = true
		}
		if len(seen) != len(stored) {
			rt.Fatalf("%d events listed, %d inserted", len(seen), len(stored))
		}
		if err := tx.Commit(); err != nil {
			rt.Fatalf("Commit: %v", err)
		}
	})
}

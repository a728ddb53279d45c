package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"fanclub"
	"fanclub/clock"
)

// testEventLogProperty runs random sequences of inserts (ids drawn from a
// small pool, so they repeat; times up to two days back), purges and
// clock moves against a model of the behaviour log (a purge keeps the
// events of a random set of actions), checking every answer
// and every member's events after each step. An id stored with a time
// within the dedupe window must be a duplicate, an id never stored or
// purged must be new, and an id stored only longer ago may be either (a
// store may forget it; if it stores it again, the model keeps both). Each
// run uses fans and ids of its own, so runs share the store.
func testEventLogProperty(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	run := 0
	rapid.Check(t, func(rt *rapid.T) {
		run++
		var stored []fanclub.Event
		fan := func(i int) int64 { return int64(run*10 + i) }
		members := []fanclub.MemberKey{}
		for f := range 3 {
			for club := range 2 {
				members = append(members, fanclub.MemberKey{FanID: fan(f), ClubID: int64(club + 1)})
			}
		}
		write := func(fn func(tx fanclub.Tx)) {
			inRapidWriteTx(rt, s, func(tx fanclub.Tx) error { fn(tx); return nil })
		}
		rt.Repeat(map[string]func(*rapid.T){
			"insert": func(rt *rapid.T) {
				now := c.Now()
				n := rapid.IntRange(1, 4).Draw(rt, "n")
				evs := make([]fanclub.Event, n)
				for i := range evs {
					m := rapid.SampledFrom(members).Draw(rt, "member")
					back := time.Duration(rapid.IntRange(0, 48).Draw(rt, "hours back")) * time.Hour
					evs[i] = fanclub.Event{ID: fmt.Sprintf("r%d-e%d", run, rapid.IntRange(0, 9).Draw(rt, "id")),
						FanID: m.FanID, ClubID: m.ClubID, Action: rapid.SampledFrom(fanclub.Actions).Draw(rt, "action"), Amount: 1, At: now.Add(-back)}
				}
				var fresh []bool
				write(func(tx fanclub.Tx) {
					var err error
					if fresh, err = tx.InsertEvents(ctx, evs); err != nil {
						rt.Fatalf("InsertEvents: %v", err)
					}
				})
				seen := map[string]bool{}
				for i, e := range evs {
					want := expectFresh(stored, e.ID, now)
					if seen[e.ID] {
						want = "no"
					}
					seen[e.ID] = true
					if (want == "yes" && !fresh[i]) || (want == "no" && fresh[i]) {
						rt.Fatalf("event %d (%s at %v): fresh %v, want %s", i, e.ID, e.At, fresh[i], want)
					}
					if fresh[i] {
						stored = append(stored, e)
					}
				}
			},
			"purge": func(rt *rapid.T) {
				m := rapid.SampledFrom(members).Draw(rt, "member")
				upTo := c.Now().Add(-time.Duration(rapid.IntRange(0, 72).Draw(rt, "hours back")) * time.Hour)
				keep := rapid.SliceOfDistinct(rapid.SampledFrom(fanclub.Actions), func(a fanclub.Action) fanclub.Action { return a }).Draw(rt, "keep")
				var got fanclub.EventPurge
				write(func(tx fanclub.Tx) {
					var err error
					if got, err = tx.PurgeEvents(ctx, m.FanID, m.ClubID, upTo, keep); err != nil {
						rt.Fatalf("PurgeEvents: %v", err)
					}
				})
				var want fanclub.EventPurge
				left := slices.DeleteFunc(stored, func(e fanclub.Event) bool {
					if e.FanID != m.FanID || e.ClubID != m.ClubID || e.At.After(upTo) {
						return false
					}
					if slices.Contains(keep, e.Action) {
						want.Kept++
						return false
					}
					want.Deleted++
					return true
				})
				if got != want {
					rt.Fatalf("PurgeEvents(%v up to %v keeping %v) = %+v, want %+v", m, upTo, keep, got, want)
				}
				stored = left
			},
			"advance": func(rt *rapid.T) {
				c.Advance(time.Duration(rapid.IntRange(1, 5*24).Draw(rt, "hours")) * time.Hour)
			},
			"": func(rt *rapid.T) {
				tx, err := s.BeginTx(ctx, false)
				if err != nil {
					rt.Fatalf("BeginTx: %v", err)
				}
				defer tx.Rollback()
				for _, m := range members {
					got, err := tx.ListEvents(ctx, m.FanID, m.ClubID)
					if err != nil {
						rt.Fatalf("ListEvents: %v", err)
					}
					want := []fanclub.Event{}
					for _, e := range stored {
						if e.FanID == m.FanID && e.ClubID == m.ClubID {
							want = append(want, e)
						}
					}
					slices.SortStableFunc(want, func(a, b fanclub.Event) int {
						return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
					})
					if !slices.EqualFunc(got, want, sameEvent) {
						rt.Fatalf("ListEvents(%v):\n got  %v\n want %v", m, got, want)
					}
				}
			},
		})
	})
}

// expectFresh says whether an event with id, inserted at now, must be new
// ("yes"), must be a duplicate ("no"), or may be either: a duplicate when
// a stored event with the id is within the dedupe window, new when none
// is stored, either when every stored one is older than the window.
func expectFresh(stored []fanclub.Event, id string, now time.Time) string {
	want := "yes"
	for _, e := range stored {
		if e.ID != id {
			continue
		}
		if !e.At.Before(now.Add(-fanclub.DefaultDedupeWindow)) {
			return "no"
		}
		want = "either"
	}
	return want
}

// sameEvent reports whether two events are equal (times by instant).
func sameEvent(a, b fanclub.Event) bool {
	return a.ID == b.ID && a.FanID == b.FanID && a.ClubID == b.ClubID && a.Action == b.Action && a.Amount == b.Amount && a.At.Equal(b.At)
}

package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
)

// TestDedupeWindow stores an event, lets the clock run and sends its id
// again: within the window it is a duplicate, past twice the window it is
// forgotten (stored anew), both on the handle that stored it (the index
// lets go of old spans as time passes) and on a handle opened later (Open
// indexes only the window's ids).
func TestDedupeWindow(t *testing.T) {
	t.Parallel()
	const window = 7 * 24 * time.Hour
	tests := []struct {
		name   string
		later  time.Duration
		reopen bool
		fresh  bool
	}{
		{"at once", 0, false, false},
		{"a minute short of the window", window - time.Minute, false, false},
		{"a minute short of the window, reopened", window - time.Minute, true, false},
		{"past twice the window", 2*window + time.Minute, false, true},
		{"past twice the window, reopened", 2*window + time.Minute, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "x.db")
			c := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
			open := func() *DB {
				db, err := Open(ctx, path, Options{Now: c.Now, DedupeWindow: window})
				if err != nil {
					t.Fatal(err)
				}
				return db
			}
			db := open()
			ev := fanclub.Event{ID: "retried", FanID: 1, ClubID: 1, Action: fanclub.ActionLike, Amount: 1, At: c.Now()}
			insertOne(t, db, ev)
			c.Advance(tc.later)
			if tc.reopen {
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
				db = open()
			}
			defer db.Close()
			// Another event, now, so the index sees the clock move on.
			insertOne(t, db, fanclub.Event{ID: "other", FanID: 2, ClubID: 1, Action: fanclub.ActionLike, Amount: 1, At: c.Now()})
			if got := insertOne(t, db, ev); got != tc.fresh {
				t.Fatalf("re-sent after %v: fresh %v, want %v", tc.later, got, tc.fresh)
			}
			inTx(t, db, false, func(tx fanclub.Tx) {
				evs, err := tx.ListEvents(ctx, 1, 1)
				if err != nil {
					t.Fatal(err)
				}
				if want := map[bool]int{false: 1, true: 2}[tc.fresh]; len(evs) != want {
					t.Fatalf("member lists %d events, want %d (reads keep every stored event)", len(evs), want)
				}
			})
		})
	}
}

// insertOne stores ev in its own transaction and reports whether it was new.
func insertOne(t *testing.T, db *DB, ev fanclub.Event) bool {
	t.Helper()
	var fresh []bool
	inTx(t, db, true, func(tx fanclub.Tx) {
		var err error
		if fresh, err = tx.InsertEvents(context.Background(), []fanclub.Event{ev}); err != nil {
			t.Fatal(err)
		}
	})
	return fresh[0]
}

// TestDedupeIndexStaysBounded ingests an event a day for 60 days with a
// 7-day window: the id index never holds more than three spans, nor more
// ids than about two windows of events, while every event stays listed.
func TestDedupeIndexStaysBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	db, err := Open(ctx, ":memory:", Options{Now: c.Now, DedupeWindow: 7 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for day := range 60 {
		insertOne(t, db, fanclub.Event{ID: fmt.Sprintf("day-%d", day), FanID: 1, ClubID: 1, Action: fanclub.ActionLike, Amount: 1, At: c.Now()})
		db.events.settle()
		db.events.mu.RLock()
		spans, ids := len(db.events.spans), 0
		for _, sp := range db.events.spans {
			ids += len(sp.ids)
		}
		db.events.mu.RUnlock()
		if spans > 3 || ids > 21 {
			t.Fatalf("day %d: %d spans, %d ids in the index, want at most 3 and 21", day, spans, ids)
		}
		c.Advance(24 * time.Hour)
	}
	inTx(t, db, false, func(tx fanclub.Tx) {
		evs, err := tx.ListEvents(ctx, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 60 {
			t.Fatalf("%d events listed, want 60", len(evs))
		}
	})
}

// TestPurgeDropsMemberRows purges most members' events from rows they
// share with others: the index forgets those members entirely, keeps the
// others' rows, and every member still lists exactly its own events.
func TestPurgeDropsMemberRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	db, err := Open(ctx, ":memory:", Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const fans, rows = 20, 5
	for r := range rows {
		evs := make([]fanclub.Event, fans)
		for f := range evs {
			evs[f] = fanclub.Event{ID: fmt.Sprintf("r%d-f%d", r, f), FanID: int64(f + 1), ClubID: 1, Action: fanclub.ActionLike, Amount: 1, At: c.Now()}
		}
		inTx(t, db, true, func(tx fanclub.Tx) {
			if _, err := tx.InsertEvents(ctx, evs); err != nil {
				t.Fatal(err)
			}
		})
		c.Advance(time.Minute)
	}
	for f := range fans - 3 {
		inTx(t, db, true, func(tx fanclub.Tx) {
			if _, err := tx.PurgeEvents(ctx, int64(f+1), 1, c.Now(), nil); err != nil {
				t.Fatal(err)
			}
		})
	}
	if n := len(db.events.member); n != 3 {
		t.Fatalf("index holds %d members, want the 3 not purged", n)
	}
	for k, m := range db.events.member {
		if got := m.rows(nil); len(got) != rows {
			t.Fatalf("member %v: rows %v, want %d", k, got, rows)
		}
	}
	for f := range fans {
		inTx(t, db, false, func(tx fanclub.Tx) {
			evs, err := tx.ListEvents(ctx, int64(f+1), 1)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range evs {
				ids = append(ids, e.ID)
			}
			var want []string
			if f >= fans-3 {
				for r := range rows {
					want = append(want, fmt.Sprintf("r%d-f%d", r, f))
				}
			}
			if !slices.Equal(ids, want) {
				t.Fatalf("fan %d lists %v, want %v", f+1, ids, want)
			}
		})
	}
}

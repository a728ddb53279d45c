package storetest

import (
	"context"
	"fanclub/clock"
	"fmt"
	"testing"
	"time"

	"fanclub"
)

// purgeLog is the behaviour log the purge tests start from: fan 1 in club
// 1 has events an hour apart from h0 to h3, written in two transactions
// (two compact rows on SQLite) whose rows also hold fan 2's events in club
// 1 and fan 1's in club 2 at the same times.
func purgeLog(now time.Time) (fan1 []fanclub.Event, others []fanclub.Event) {
	for h := range 4 {
		at := now.Add(time.Duration(h) * time.Hour)
		fan1 = append(fan1, eventAt(fmt.Sprintf("purge-f1-c1-h%d", h), 1, 1, at))
		others = append(others, eventAt(fmt.Sprintf("purge-f2-c1-h%d", h), 2, 1, at), eventAt(fmt.Sprintf("purge-f1-c2-h%d", h), 1, 2, at))
	}
	return fan1, others
}

// seedPurgeLog stores purgeLog's events, hours 0–1 in one transaction and
// 2–3 in another.
func seedPurgeLog(t *testing.T, s fanclub.Store, fan1, others []fanclub.Event) {
	t.Helper()
	for half := range 2 {
		batch := append([]fanclub.Event{}, fan1[2*half:2*half+2]...)
		batch = append(batch, others[4*half:4*half+4]...)
		inWriteTx(t, s, func(tx fanclub.Tx) {
			_, err := tx.InsertEvents(context.Background(), batch)
			must(t, "InsertEvents", err)
		})
	}
}

// listed returns the member's events or fails the test.
func listed(t *testing.T, s fanclub.Store, fanID, clubID int64) []fanclub.Event {
	t.Helper()
	var evs []fanclub.Event
	inReadTx(t, s, func(tx fanclub.Tx) {
		var err error
		evs, err = tx.ListEvents(context.Background(), fanID, clubID)
		must(t, "ListEvents", err)
	})
	return evs
}

// testPurgeEvents purges fan 1's events in club 1 up to a time: only those
// go, the others in the same rows stay intact, and a second purge deletes
// nothing.
func testPurgeEvents(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	fan1, others := purgeLog(now)
	seedPurgeLog(t, s, fan1, others)
	tests := []struct {
		name   string
		upTo   time.Time
		purged int
	}{
		{"before every event", now.Add(-time.Nanosecond), 0},
		{"at the first event", now, 1},
		{"inside the first row", now.Add(time.Hour + time.Minute), 2},
		{"across both rows", now.Add(2 * time.Hour), 3},
		{"after every event", now.Add(24 * time.Hour), 4},
	}
	done := 0
	for _, tc := range tests {
		var n fanclub.EventPurge
		inWriteTx(t, s, func(tx fanclub.Tx) {
			var err error
			n, err = tx.PurgeEvents(ctx, 1, 1, tc.upTo, nil)
			must(t, tc.name+": PurgeEvents", err)
		})
		// Each case purges what the ones before left.
		gone := tc.purged - done
		done = tc.purged
		if n != (fanclub.EventPurge{Deleted: int64(gone)}) {
			t.Fatalf("%s: PurgeEvents = %+v, want %d deleted", tc.name, n, gone)
		}
		wantEqual(t, tc.name+": fan 1 in club 1", listed(t, s, 1, 1), append([]fanclub.Event{}, fan1[tc.purged:]...))
		wantEqual(t, tc.name+": fan 2 in club 1", listed(t, s, 2, 1), []fanclub.Event{others[0], others[2], others[4], others[6]})
		wantEqual(t, tc.name+": fan 1 in club 2", listed(t, s, 1, 2), []fanclub.Event{others[1], others[3], others[5], others[7]})
	}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		n, err := tx.PurgeEvents(ctx, 1, 1, now.Add(24*time.Hour), nil)
		must(t, "PurgeEvents(again)", err)
		if n != (fanclub.EventPurge{}) {
			t.Fatalf("second PurgeEvents = %+v, want nothing", n)
		}
	})
}

// testPurgedIDsForgotten pins what a re-sent id does after a purge: the
// purge forgets the id (no trace of it is kept), so within the dedupe
// window it is stored again as a new event, while the ids of events that
// were not purged — the same rows' — stay duplicates.
func testPurgedIDsForgotten(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	fan1, others := purgeLog(now)
	seedPurgeLog(t, s, fan1, others)
	inWriteTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.PurgeEvents(ctx, 1, 1, now.Add(24*time.Hour), nil)
		must(t, "PurgeEvents", err)
	})
	c.Advance(time.Minute)
	inWriteTx(t, s, func(tx fanclub.Tx) {
		fresh, err := tx.InsertEvents(ctx, []fanclub.Event{fan1[0], others[0], fan1[3], others[7]})
		must(t, "InsertEvents(re-sent)", err)
		wantEqual(t, "fresh after purge", fresh, []bool{true, false, true, false})
	})
	wantEqual(t, "re-sent events", listed(t, s, 1, 1), []fanclub.Event{fan1[0], fan1[3]})
}

// testPurgeInTx purges in the transaction that inserted the events (they
// never reach the log) and in one that rolls back (nothing is purged).
func testPurgeInTx(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	fan1, others := purgeLog(now)
	inWriteTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.InsertEvents(ctx, append(append([]fanclub.Event{}, fan1...), others...))
		must(t, "InsertEvents", err)
		n, err := tx.PurgeEvents(ctx, 1, 1, now.Add(time.Hour), nil)
		must(t, "PurgeEvents(same tx)", err)
		if n.Deleted != 2 {
			t.Fatalf("PurgeEvents(same tx) = %+v, want 2 deleted", n)
		}
		evs, err := tx.ListEvents(ctx, 1, 1)
		must(t, "ListEvents(same tx)", err)
		wantEqual(t, "events left in the tx", evs, fan1[2:])
	})
	wantEqual(t, "after commit", listed(t, s, 1, 1), fan1[2:])
	tx := beginTx(t, s, true)
	n, err := tx.PurgeEvents(ctx, 1, 1, now.Add(24*time.Hour), nil)
	must(t, "PurgeEvents(rolled back)", err)
	if n.Deleted != 2 {
		t.Fatalf("PurgeEvents(rolled back) = %+v, want 2 deleted", n)
	}
	must(t, "Rollback", tx.Rollback())
	wantEqual(t, "after rollback", listed(t, s, 1, 1), fan1[2:])
	inWriteTx(t, s, func(tx fanclub.Tx) {
		fresh, err := tx.InsertEvents(ctx, fan1[2:3])
		must(t, "InsertEvents(kept id)", err)
		wantEqual(t, "a rolled-back purge keeps the id", fresh, []bool{false})
	})
}

// testBatchesExpire saves batch results an hour apart and, past the
// default dedupe window, another: the save lets go of the result older
// than the window and keeps the younger ones.
func testBatchesExpire(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	res := func(id string) *fanclub.BatchResult {
		return &fanclub.BatchResult{Accepted: 1, Results: []fanclub.EventResult{{ID: id, Status: fanclub.EventAccepted, Points: 1}}}
	}
	save := func(seq int64) {
		inWriteTx(t, s, func(tx fanclub.Tx) {
			must(t, "SaveBatch", tx.SaveBatch(ctx, "p", seq, res(fmt.Sprint(seq))))
		})
	}
	save(1)
	c.Advance(time.Hour)
	save(2)
	c.Advance(fanclub.DefaultDedupeWindow - 30*time.Minute)
	save(3)
	tests := []struct {
		seq  int64
		kept bool
	}{{1, false}, {2, true}, {3, true}}
	inReadTx(t, s, func(tx fanclub.Tx) {
		for _, tc := range tests {
			got, err := tx.FindBatch(ctx, "p", tc.seq)
			if !tc.kept {
				wantCode(t, fmt.Sprintf("FindBatch(%d) past the window", tc.seq), err, fanclub.ENOTFOUND)
				continue
			}
			must(t, fmt.Sprintf("FindBatch(%d)", tc.seq), err)
			wantEqual(t, fmt.Sprintf("FindBatch(%d)", tc.seq), got, res(fmt.Sprint(tc.seq)))
		}
	})
}

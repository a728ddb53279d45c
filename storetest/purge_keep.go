package storetest

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
)

// keepLog is purgeLog with fan 1's events in club 1 given the actions
// watch_minutes, comment, share and like (hours 0 to 3): two interaction
// records among events that go, one in each compact row on SQLite.
func keepLog(now time.Time) (fan1, others []fanclub.Event) {
	fan1, others = purgeLog(now)
	for i, a := range []fanclub.Action{fanclub.ActionWatchMinutes, fanclub.ActionComment, fanclub.ActionShare, fanclub.ActionLike} {
		fan1[i].Action = a
	}
	return fan1, others
}

// testPurgeKeepsActions purges fan 1's events in club 1 keeping comments
// and likes: only the other actions up to the purge's time go, the kept
// ones are counted (again by a repeated purge), the other members' events
// in the same rows stay, and a later purge keeping nothing deletes them.
func testPurgeKeepsActions(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	fan1, others := keepLog(now)
	seedPurgeLog(t, s, fan1, others)
	interactions := fanclub.InteractionRecords()
	tests := []struct {
		name string
		upTo time.Time
		keep []fanclub.Action
		want fanclub.EventPurge
		left []fanclub.Event
	}{
		{"before every event", now.Add(-time.Nanosecond), interactions, fanclub.EventPurge{}, fan1},
		{"the first row", now.Add(time.Hour), interactions, fanclub.EventPurge{Deleted: 1, Kept: 1}, fan1[1:]},
		{"the first row again", now.Add(time.Hour), interactions, fanclub.EventPurge{Kept: 1}, fan1[1:]},
		{"both rows", now.Add(24 * time.Hour), interactions, fanclub.EventPurge{Deleted: 1, Kept: 2},
			[]fanclub.Event{fan1[1], fan1[3]}},
		{"keeping only likes", now.Add(24 * time.Hour), []fanclub.Action{fanclub.ActionLike}, fanclub.EventPurge{Deleted: 1, Kept: 1},
			[]fanclub.Event{fan1[3]}},
		{"keeping nothing", now.Add(24 * time.Hour), nil, fanclub.EventPurge{Deleted: 1}, []fanclub.Event{}},
	}
	for _, tc := range tests {
		var got fanclub.EventPurge
		inWriteTx(t, s, func(tx fanclub.Tx) {
			var err error
			got, err = tx.PurgeEvents(ctx, 1, 1, tc.upTo, tc.keep)
			must(t, tc.name+": PurgeEvents", err)
		})
		if got != tc.want {
			t.Fatalf("%s: PurgeEvents = %+v, want %+v", tc.name, got, tc.want)
		}
		wantEqual(t, tc.name+": fan 1 in club 1", listed(t, s, 1, 1), append([]fanclub.Event{}, tc.left...))
		wantEqual(t, tc.name+": fan 2 in club 1", listed(t, s, 2, 1), []fanclub.Event{others[0], others[2], others[4], others[6]})
		wantEqual(t, tc.name+": fan 1 in club 2", listed(t, s, 1, 2), []fanclub.Event{others[1], others[3], others[5], others[7]})
	}
}

// testPurgeKeepsInTx purges, keeping comments and likes, in the
// transaction that inserted the events: the kept ones are counted and
// committed, the others never reach the log.
func testPurgeKeepsInTx(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	fan1, others := keepLog(now)
	inWriteTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.InsertEvents(ctx, append(append([]fanclub.Event{}, fan1...), others...))
		must(t, "InsertEvents", err)
		got, err := tx.PurgeEvents(ctx, 1, 1, now.Add(24*time.Hour), fanclub.InteractionRecords())
		must(t, "PurgeEvents(same tx)", err)
		if want := (fanclub.EventPurge{Deleted: 2, Kept: 2}); got != want {
			t.Fatalf("PurgeEvents(same tx) = %+v, want %+v", got, want)
		}
	})
	wantEqual(t, "after commit", listed(t, s, 1, 1), []fanclub.Event{fan1[1], fan1[3]})
}

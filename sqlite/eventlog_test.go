package sqlite

import (
	"context"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"fanclub"
)

func TestEventLogCodecRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 1, 2, 3, 4, time.UTC)
	evs := []fanclub.Event{
		{ID: "a", FanID: 1, ClubID: 2, Action: fanclub.ActionLike, Amount: 1, At: at},
		{ID: "b-长", FanID: 1 << 40, ClubID: 7, Action: fanclub.ActionWatchMinutes, Amount: 30, At: at.Add(time.Hour)},
		{ID: "b-长2", FanID: 3, ClubID: 7, Action: "custom", Amount: 2, At: at.Add(-time.Hour)},
	}
	body := encodeEvents(evs)
	got, err := decodeEvents(logFormatBinary, body)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, evs) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, evs)
	}
	for i := range body {
		if _, err := decodeEvents(logFormatBinary, body[:i]); err == nil {
			t.Fatalf("truncated body of %d bytes decoded", i)
		}
	}
	js := []byte(`[["a",1,2,"like",1,` + strconv.FormatInt(ts(at), 10) + `]]`)
	got, err = decodeEvents(logFormatJSON, js)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, evs[:1]) {
		t.Fatalf("JSON body: got %+v", got)
	}
	for _, bad := range []string{`[["a",1,2,"like",1]]`, `[[1,1,2,"like",1,0]]`, `[["a",1.5,2,"like",1,0]]`, `{}`} {
		if _, err := decodeEvents(logFormatJSON, []byte(bad)); err == nil {
			t.Fatalf("malformed JSON body %s decoded", bad)
		}
	}
	if _, err := decodeEvents(9, body); err == nil {
		t.Fatal("unknown format decoded")
	}
}

func FuzzDecodeEvents(f *testing.F) {
	f.Add(0, []byte(`[["a",1,2,"like",1,0]]`))
	f.Add(1, encodeEvents([]fanclub.Event{{ID: "x", FanID: 1, ClubID: 1, Action: "like", Amount: 1}}))
	f.Fuzz(func(t *testing.T, format int, b []byte) {
		evs, err := decodeEvents(format, b)
		if err != nil {
			return
		}
		again, err := decodeEvents(logFormatBinary, encodeEvents(evs))
		if err != nil || len(again) != len(evs) {
			t.Fatalf("re-encoded %d events decode to %d (%v)", len(evs), len(again), err)
		}
	})
}

// TestEventLogMigratesEvents opens a database whose behaviour log is the
// former events table (schema version 2) and checks that its events are
// listed and still count as stored.
func TestEventLogMigratesEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw := openAtVersion(t, path, 2)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	if _, err := raw.Exec(`INSERT INTO events VALUES ('late', 1, 2, 'like', 1, ?), ('early', 1, 2, 'share', 3, ?), ('other', 5, 2, 'like', 1, ?)`,
		ts(at.Add(time.Hour)), ts(at), ts(at)); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path, Options{Now: func() time.Time { return at.Add(2 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	evs, err := tx.ListEvents(ctx, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []fanclub.Event{
		{ID: "early", FanID: 1, ClubID: 2, Action: fanclub.ActionShare, Amount: 3, At: at},
		{ID: "late", FanID: 1, ClubID: 2, Action: fanclub.ActionLike, Amount: 1, At: at.Add(time.Hour)},
	}
	if !reflect.DeepEqual(evs, want) {
		t.Fatalf("migrated events:\n got %+v\nwant %+v", evs, want)
	}
	fresh, err := tx.InsertEvents(ctx, []fanclub.Event{{ID: "other", FanID: 5, ClubID: 2, Action: "like", Amount: 1, At: at}, {ID: "new", FanID: 5, ClubID: 2, Action: "like", Amount: 1, At: at}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fresh, []bool{false, true}) {
		t.Fatalf("fresh = %v, want [false true]: a migrated id is stored", fresh)
	}
}

// TestEventLogHashCollisions gives every id the same hash: whether an id
// is stored must still be decided by the ids themselves.
func TestEventLogHashCollisions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.events.hash = func(string) uint64 { return 42 }
	now := time.Now()
	ev := func(id string) fanclub.Event {
		return fanclub.Event{ID: id, FanID: 1, ClubID: 1, Action: fanclub.ActionLike, Amount: 1, At: now}
	}
	insert := func(ids ...string) []bool {
		t.Helper()
		tx, err := db.BeginTx(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		evs := make([]fanclub.Event, len(ids))
		for i, id := range ids {
			evs[i] = ev(id)
		}
		fresh, err := tx.InsertEvents(ctx, evs)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		return fresh
	}
	for _, c := range []struct {
		ids  []string
		want []bool
	}{
		{[]string{"a", "b"}, []bool{true, true}},
		{[]string{"c", "a"}, []bool{true, false}},
		{[]string{"d", "b", "c", "d"}, []bool{true, false, false, false}},
	} {
		if got := insert(c.ids...); !reflect.DeepEqual(got, c.want) {
			t.Fatalf("InsertEvents(%v) = %v, want %v", c.ids, got, c.want)
		}
	}
	db.events.settle()
	more := 0
	for _, sp := range db.events.spans {
		more += len(sp.more[42])
	}
	if n := more; n != 2 {
		t.Fatalf("rows sharing the hash beyond the first = %d, want 2", n)
	}
}

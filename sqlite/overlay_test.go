package sqlite

import (
	"context"
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	"fanclub"
)

// crashClose closes db's connections without the final checkpoint, as a
// killed process would leave the file.
func crashClose(t *testing.T, db *DB) {
	t.Helper()
	db.closeOnce.Do(func() {
		db.wbulk.close()
		db.reader.Close()
		db.writer.Close()
	})
}

// openFile opens a file database at path with a fixed clock.
func openFile(t *testing.T, path string) *DB {
	t.Helper()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	db, err := Open(context.Background(), path, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// inTx runs fn in a transaction and commits it.
func inTx(t *testing.T, db *DB, write bool, fn func(tx fanclub.Tx)) {
	t.Helper()
	tx, err := db.BeginTx(context.Background(), write)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	fn(tx)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// memberWithPoints seeds a fan, a club and an active membership and
// returns the membership key.
func memberWithPoints(t *testing.T, db *DB) fanclub.MemberKey {
	t.Helper()
	ctx := context.Background()
	var k fanclub.MemberKey
	inTx(t, db, true, func(tx fanclub.Tx) {
		cr := &fanclub.Creator{Handle: "c"}
		f := &fanclub.Fan{Handle: "f", PasswordHash: "x"}
		if err := tx.CreateCreator(ctx, cr); err != nil {
			t.Fatal(err)
		}
		if err := tx.CreateFan(ctx, f); err != nil {
			t.Fatal(err)
		}
		c := &fanclub.Club{CreatorID: cr.ID, Name: "club", Policy: "fair"}
		if err := tx.CreateClub(ctx, c); err != nil {
			t.Fatal(err)
		}
		k = fanclub.MemberKey{FanID: f.ID, ClubID: c.ID}
		m := &fanclub.Membership{FanID: f.ID, ClubID: c.ID, Status: fanclub.StatusActive, Level: 1, JoinedAt: tx.Now()}
		if err := tx.SaveMemberships(ctx, []*fanclub.Membership{m}); err != nil {
			t.Fatal(err)
		}
	})
	return k
}

// earn adds points to k's membership and one counter through the
// write-behind path, and stores one event.
func earn(t *testing.T, db *DB, k fanclub.MemberKey, ck fanclub.CounterKey, id string, pts int64) {
	t.Helper()
	ctx := context.Background()
	inTx(t, db, true, func(tx fanclub.Tx) {
		m, err := tx.FindMembership(ctx, k.FanID, k.ClubID)
		if err != nil {
			t.Fatal(err)
		}
		m.LevelPoints += pts
		m.Version++
		if err := tx.SaveMemberships(ctx, []*fanclub.Membership{m}); err != nil {
			t.Fatal(err)
		}
		if err := tx.AddDailyPoints(ctx, map[fanclub.CounterKey]int64{ck: pts}); err != nil {
			t.Fatal(err)
		}
		ev := fanclub.Event{ID: id, FanID: k.FanID, ClubID: k.ClubID, Action: ck.Action, Amount: 1, At: tx.Now()}
		if _, err := tx.InsertEvents(ctx, []fanclub.Event{ev}); err != nil {
			t.Fatal(err)
		}
	})
}

// state reads k's level points, ck's counter and k's event count.
func state(t *testing.T, db *DB, k fanclub.MemberKey, ck fanclub.CounterKey) (points, counter int64, events int) {
	t.Helper()
	ctx := context.Background()
	inTx(t, db, false, func(tx fanclub.Tx) {
		m, err := tx.FindMembership(ctx, k.FanID, k.ClubID)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := tx.DailyPoints(ctx, []fanclub.CounterKey{ck})
		if err != nil {
			t.Fatal(err)
		}
		evs, err := tx.ListEvents(ctx, k.FanID, k.ClubID)
		if err != nil {
			t.Fatal(err)
		}
		points, counter, events = m.LevelPoints, cs[ck], len(evs)
	})
	return points, counter, events
}

func counterOf(k fanclub.MemberKey) fanclub.CounterKey {
	return fanclub.CounterKey{FanID: k.FanID, ClubID: k.ClubID, Day: "2026-03-01", Action: fanclub.ActionLike}
}

func TestJournalReplayAfterCrash(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.db")
	db := openFile(t, path)
	k := memberWithPoints(t, db)
	ck := counterOf(k)
	earn(t, db, k, ck, "e1", 3)
	earn(t, db, k, ck, "e2", 4)
	// Read-your-writes from a read transaction before any checkpoint.
	if p, c, n := state(t, db, k, ck); p != 7 || c != 7 || n != 2 {
		t.Fatalf("before crash: points %d counter %d events %d, want 7 7 2", p, c, n)
	}
	crashClose(t, db)

	db = openFile(t, path)
	defer db.Close()
	if p, c, n := state(t, db, k, ck); p != 7 || c != 7 || n != 2 {
		t.Fatalf("after reopen: points %d counter %d events %d, want 7 7 2", p, c, n)
	}
	var rows int
	if err := db.writer.QueryRow(`SELECT COUNT(*) FROM state_journal`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 0 {
		t.Fatalf("journal rows after replay = %d, want 0 (checkpointed)", rows)
	}
}

func TestCheckpointIdempotent(t *testing.T) {
	t.Parallel()
	db := openFile(t, filepath.Join(t.TempDir(), "x.db"))
	defer db.Close()
	k := memberWithPoints(t, db)
	ck := counterOf(k)
	earn(t, db, k, ck, "e1", 5)
	for range 2 {
		db.wmu.Lock()
		err := db.checkpointLocked(context.Background())
		db.wmu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		if p, c, n := state(t, db, k, ck); p != 5 || c != 5 || n != 1 {
			t.Fatalf("after checkpoint: points %d counter %d events %d, want 5 5 1", p, c, n)
		}
	}
	var pts int64
	if err := db.writer.QueryRow(`SELECT points FROM daily_points`).Scan(&pts); err != nil || pts != 5 {
		t.Fatalf("daily_points table = %d, %v; want 5", pts, err)
	}
}

func TestDeleteHistorySurvivesCrash(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.db")
	db := openFile(t, path)
	k := memberWithPoints(t, db)
	ck := counterOf(k)
	earn(t, db, k, ck, "e1", 2)
	inTx(t, db, true, func(tx fanclub.Tx) {
		if err := tx.DeleteHistory(context.Background(), k.FanID, k.ClubID); err != nil {
			t.Fatal(err)
		}
	})
	if _, c, _ := state(t, db, k, ck); c != 0 {
		t.Fatalf("counter after DeleteHistory = %d, want 0", c)
	}
	crashClose(t, db)
	db = openFile(t, path)
	defer db.Close()
	if p, c, _ := state(t, db, k, ck); c != 0 || p != 2 {
		t.Fatalf("after reopen: points %d counter %d, want 2 0", p, c)
	}
}

func TestJournalRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 1, 2, 3, 4, time.UTC)
	c := &change{
		tombs:    []fanclub.MemberKey{{FanID: 1, ClubID: 2}},
		members:  map[fanclub.MemberKey]*fanclub.Membership{{FanID: 3, ClubID: 4}: {FanID: 3, ClubID: 4, Status: fanclub.StatusActive, Level: 2, LevelPoints: 99, JoinedAt: at, Version: 7, Retained: &fanclub.Retained{Option: "keep", Points: 5}}},
		counters: map[fanclub.CounterKey]int64{{FanID: 3, ClubID: 4, Day: "2026-03-01", Action: fanclub.ActionLike}: 12},
		events:   []fanclub.Event{{ID: "e", FanID: 3, ClubID: 4, Action: fanclub.ActionLike, Amount: 1, At: at}},
	}
	body, err := encodeChange(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeChange(body)
	if err != nil {
		t.Fatal(err)
	}
	m := got.members[fanclub.MemberKey{FanID: 3, ClubID: 4}]
	if len(got.tombs) != 1 || m == nil || m.LevelPoints != 99 || !m.JoinedAt.Equal(at) || m.Retained == nil || m.Retained.Points != 5 ||
		got.counters[fanclub.CounterKey{FanID: 3, ClubID: 4, Day: "2026-03-01", Action: fanclub.ActionLike}] != 12 ||
		len(got.events) != 0 {
		t.Fatalf("round trip: %+v", got)
	}
	for i := range body {
		if _, err := decodeChange(body[:i]); err == nil {
			t.Fatalf("truncated body of %d bytes decoded", i)
		}
	}
}

func FuzzDecodeChange(f *testing.F) {
	body, _ := encodeChange(&change{counters: map[fanclub.CounterKey]int64{{FanID: 1, ClubID: 1, Day: "d", Action: "like"}: 1}})
	f.Add(body)
	f.Fuzz(func(t *testing.T, b []byte) {
		if c, err := decodeChange(b); err == nil {
			if _, err := encodeChange(c); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestTwoHandlesShareWriteBehindState(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.db")
	a := openFile(t, path)
	k := memberWithPoints(t, a)
	ck := counterOf(k)
	b := openFile(t, path)
	earn(t, a, k, ck, "e1", 1)
	earn(t, b, k, ck, "e2", 10)
	earn(t, a, k, ck, "e3", 100)
	for _, db := range []*DB{a, b} {
		if p, c, n := state(t, db, k, ck); p != 111 || c != 111 || n != 3 {
			t.Fatalf("points %d counter %d events %d, want 111 111 3", p, c, n)
		}
	}
	// b checkpoints after a has written: it must not write back its older rows.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	earn(t, a, k, ck, "e4", 1000)
	crashClose(t, a)
	db := openFile(t, path)
	defer db.Close()
	if p, c, n := state(t, db, k, ck); p != 1111 || c != 1111 || n != 4 {
		t.Fatalf("after reopen: points %d counter %d events %d, want 1111 1111 4", p, c, n)
	}
}

func TestReadAcrossCheckpointKeepsEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openFile(t, filepath.Join(t.TempDir(), "x.db"))
	defer db.Close()
	k := memberWithPoints(t, db)
	ck := counterOf(k)
	earn(t, db, k, ck, "e1", 1)
	earn(t, db, k, ck, "e2", 1)
	old, err := db.BeginTx(ctx, false) // its snapshot predates the checkpoint
	if err != nil {
		t.Fatal(err)
	}
	defer old.Rollback()
	db.wmu.Lock()
	err = db.checkpointLocked(ctx)
	db.wmu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	evs, err := old.ListEvents(ctx, k.FanID, k.ClubID)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Fatalf("read transaction open across the checkpoint lists %d events, want 2", len(evs))
	}
	old.Rollback()
	if _, _, n := state(t, db, k, ck); n != 2 {
		t.Fatalf("new read lists %d events, want 2", n)
	}
}

// TestJournalDecodesVersion1 reads a body in the first journal format
// (days and actions as strings, events listed), which a crash of an
// earlier build may have left.
func TestJournalDecodesVersion1(t *testing.T) {
	t.Parallel()
	b := []byte{1, 0, 0, 1} // version 1, no tombstones, no members, one counter
	b = binary.AppendVarint(b, 3)
	b = binary.AppendVarint(b, 4)
	b = appendString(b, "2026-03-01")
	b = appendString(b, "like")
	b = binary.AppendVarint(b, 12)
	b = append(b, 1) // one event, ignored: event_log holds it
	b = appendString(b, "e")
	b = binary.AppendVarint(b, 3)
	b = binary.AppendVarint(b, 4)
	b = appendString(b, "like")
	b = binary.AppendVarint(b, 1)
	b = binary.AppendVarint(b, 99)
	c, err := decodeChange(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.counters[fanclub.CounterKey{FanID: 3, ClubID: 4, Day: "2026-03-01", Action: fanclub.ActionLike}]; got != 12 || len(c.counters) != 1 {
		t.Fatalf("version 1 counters = %v", c.counters)
	}
}

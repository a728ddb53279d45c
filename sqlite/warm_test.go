package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fanclub"
)

// counters reads counters of keys in a write transaction of db.
func counters(t *testing.T, db *DB, keys ...fanclub.CounterKey) map[fanclub.CounterKey]int64 {
	t.Helper()
	var got map[fanclub.CounterKey]int64
	inTx(t, db, true, func(tx fanclub.Tx) {
		var err error
		if got, err = tx.DailyPoints(context.Background(), keys); err != nil {
			t.Fatal(err)
		}
	})
	return got
}

// TestWarmCountersAcrossHorizon reopens a database with counters of today
// (which the warm cache holds, and for which a missing counter is 0
// without a read) and of an old day (read from the table).
func TestWarmCountersAcrossHorizon(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.db")
	db := openFile(t, path)
	k := memberWithPoints(t, db)
	today := fanclub.CounterKey{FanID: k.FanID, ClubID: k.ClubID, Day: "2026-03-01", Action: fanclub.ActionLike}
	old := today
	old.Day = "2026-02-01"
	unseen := today
	unseen.Action = fanclub.ActionShare
	inTx(t, db, true, func(tx fanclub.Tx) {
		if err := tx.AddDailyPoints(context.Background(), map[fanclub.CounterKey]int64{today: 3, old: 4}); err != nil {
			t.Fatal(err)
		}
	})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openFile(t, path)
	defer db.Close()
	if db.ov.horizon != "2026-02-27" {
		t.Fatalf("horizon = %q, want 2026-02-27 (two days before the clock's day)", db.ov.horizon)
	}
	got := counters(t, db, today, old, unseen)
	if got[today] != 3 || got[old] != 4 || got[unseen] != 0 {
		t.Fatalf("counters after reopen = %v, want today 3, old 4, unseen 0", got)
	}
	inTx(t, db, true, func(tx fanclub.Tx) {
		if err := tx.AddDailyPoints(context.Background(), map[fanclub.CounterKey]int64{unseen: 10, old: 1}); err != nil {
			t.Fatal(err)
		}
	})
	if got := counters(t, db, unseen, old); got[unseen] != 10 || got[old] != 5 {
		t.Fatalf("counters after adding = %v, want unseen 10, old 5", got)
	}
}

// TestWarmCountersSeeOtherHandle: a counter that another handle created
// and checkpointed is not "known zero" to a handle whose cache was
// complete before.
func TestWarmCountersSeeOtherHandle(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.db")
	a := openFile(t, path)
	defer a.Close()
	k := memberWithPoints(t, a)
	b := openFile(t, path)
	fresh := fanclub.CounterKey{FanID: k.FanID, ClubID: k.ClubID, Day: "2026-03-01", Action: fanclub.ActionComment}
	if got := counters(t, a, fresh); got[fresh] != 0 {
		t.Fatalf("a reads %d before any write", got[fresh])
	}
	inTx(t, b, true, func(tx fanclub.Tx) {
		if err := tx.AddDailyPoints(context.Background(), map[fanclub.CounterKey]int64{fresh: 7}); err != nil {
			t.Fatal(err)
		}
	})
	// b's checkpoint leaves the counter in the table only.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if got := counters(t, a, fresh); got[fresh] != 7 {
		t.Fatalf("a reads %d after b wrote 7", got[fresh])
	}
}

// TestWarmEffectFans: ingest asks the table only for fans known to have
// effects; effects written before a reopen, and by another handle, count.
func TestWarmEffectFans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	a := openFile(t, path)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	effect := func(fan int64) fanclub.Effect {
		return fanclub.Effect{FanID: fan, ClubID: 1, Kind: fanclub.EffectInteractionRestricted, Scope: fanclub.ScopeInstance, Start: at, Factor: 1}
	}
	insert := func(db *DB, fan int64) {
		inTx(t, db, true, func(tx fanclub.Tx) {
			if err := tx.InsertEffects(ctx, []fanclub.Effect{effect(fan)}); err != nil {
				t.Fatal(err)
			}
			// The transaction sees its own effects.
			got, err := tx.(fanclub.BulkEffectsTx).ListEffectsOfFans(ctx, []int64{fan, fan}, at)
			if err != nil {
				t.Fatal(err)
			}
			if len(got[fan]) == 0 {
				t.Fatalf("fan %d: its own transaction lists no effects", fan)
			}
		})
	}
	list := func(db *DB, fans ...int64) map[int64][]fanclub.Effect {
		var got map[int64][]fanclub.Effect
		inTx(t, db, true, func(tx fanclub.Tx) {
			var err error
			if got, err = tx.(fanclub.BulkEffectsTx).ListEffectsOfFans(ctx, fans, at); err != nil {
				t.Fatal(err)
			}
		})
		return got
	}
	insert(a, 7)
	if got := list(a, 7, 8); len(got[7]) != 1 || len(got[8]) != 0 {
		t.Fatalf("effects = %v, want one for fan 7", got)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = openFile(t, path)
	defer a.Close()
	if !a.ov.effectsKnown {
		t.Fatal("reopened store does not know its fans with effects")
	}
	b := openFile(t, path)
	defer b.Close()
	insert(b, 8)
	if got := list(a, 7, 8); len(got[7]) != 1 || len(got[8]) != 1 {
		t.Fatalf("effects after another handle wrote = %v, want one each for fans 7 and 8", got)
	}
}

// TestLargeChangeMergesWhole saves a change big enough to be merged on two
// goroutines and reads every row back, before and after a reopen.
func TestLargeChangeMergesWhole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	db := openFile(t, path)
	k := memberWithPoints(t, db)
	const n = 2 * parallelApply
	ms := make([]*fanclub.Membership, n)
	cs := map[fanclub.CounterKey]int64{}
	inTx(t, db, true, func(tx fanclub.Tx) {
		for i := range n {
			f := &fanclub.Fan{Handle: "bulk" + string(rune('a'+i%26)) + time.Duration(i).String(), PasswordHash: "x"}
			if err := tx.CreateFan(ctx, f); err != nil {
				t.Fatal(err)
			}
			ms[i] = &fanclub.Membership{FanID: f.ID, ClubID: k.ClubID, Status: fanclub.StatusActive, JoinedAt: tx.Now()}
			cs[fanclub.CounterKey{FanID: f.ID, ClubID: k.ClubID, Day: "2026-03-01", Action: fanclub.ActionLike}] = int64(i + 1)
		}
		if err := tx.SaveMemberships(ctx, ms); err != nil {
			t.Fatal(err)
		}
	})
	inTx(t, db, true, func(tx fanclub.Tx) {
		got, err := tx.FindMemberships(ctx, keysOf(ms))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range got {
			m.LevelPoints, m.Version = m.FanID, m.Version+1
		}
		saved := make([]*fanclub.Membership, 0, len(got))
		for _, m := range got {
			saved = append(saved, m)
		}
		if err := tx.SaveMemberships(ctx, saved); err != nil {
			t.Fatal(err)
		}
		if err := tx.AddDailyPoints(ctx, cs); err != nil {
			t.Fatal(err)
		}
	})
	check := func(db *DB, when string) {
		t.Helper()
		inTx(t, db, false, func(tx fanclub.Tx) {
			got, err := tx.FindMemberships(ctx, keysOf(ms))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != n {
				t.Fatalf("%s: %d memberships, want %d", when, len(got), n)
			}
			for _, m := range got {
				if m.LevelPoints != m.FanID || m.Version != 1 {
					t.Fatalf("%s: membership %+v lost the merged change", when, m)
				}
			}
		})
		keys := make([]fanclub.CounterKey, 0, len(cs))
		for ck := range cs {
			keys = append(keys, ck)
		}
		got := counters(t, db, keys...)
		for ck, v := range cs {
			if got[ck] != v {
				t.Fatalf("%s: counter %+v = %d, want %d", when, ck, got[ck], v)
			}
		}
	}
	check(db, "merged")
	crashClose(t, db)
	db = openFile(t, path)
	defer db.Close()
	check(db, "replayed")
}

// keysOf returns the keys of memberships.
func keysOf(ms []*fanclub.Membership) []fanclub.MemberKey {
	keys := make([]fanclub.MemberKey, len(ms))
	for i, m := range ms {
		keys[i] = fanclub.MemberKey{FanID: m.FanID, ClubID: m.ClubID}
	}
	return keys
}

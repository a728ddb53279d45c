package storetest

import (
	"context"
	"fanclub/clock"
	"fmt"
	"testing"
	"time"

	"fanclub"
)

// membershipAt builds an active membership with distinct field values.
func membershipAt(fanID, clubID int64, at time.Time) *fanclub.Membership {
	return &fanclub.Membership{
		FanID: fanID, ClubID: clubID, Status: fanclub.StatusActive,
		Level: 3, LevelPoints: 420 + fanID,
		JoinedAt: at.Add(-48 * time.Hour), LastInteractionAt: at,
		Version: 1,
	}
}

func testMemberships(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	var club, club2 int64
	var fans []int64
	inWriteTx(t, s, func(tx fanclub.Tx) {
		club, club2 = seedClub(t, tx, "m1"), seedClub(t, tx, "m2")
		fans = seedFans(t, tx, "m", 2)
	})
	active := membershipAt(fans[0], club, now)
	other := membershipAt(fans[1], club, now)
	second := membershipAt(fans[0], club2, now)
	inWriteTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.FindMembership(ctx, fans[0], club)
		wantCode(t, "FindMembership(before join)", err, fanclub.ENOTFOUND)
		must(t, "SaveMemberships", tx.SaveMemberships(ctx, []*fanclub.Membership{active, other, second}))
	})
	left := *active
	left.Status, left.LeftAt, left.Exits, left.Version = fanclub.StatusLeft, now.Add(time.Hour), 1, 2
	left.RejoinAfter = now.Add(25 * time.Hour)
	left.Retained = &fanclub.Retained{Option: "keep", Points: 420, Level: 3, Until: now.Add(30 * 24 * time.Hour),
		Decay: fanclub.Decay("linear"), DecayDays: 30, Restore: fanclub.Restore("full")}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "SaveMemberships(replace)", tx.SaveMemberships(ctx, []*fanclub.Membership{&left}))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindMembership(ctx, fans[0], club)
		must(t, "FindMembership", err)
		wantEqual(t, "FindMembership after replace", got, &left)
		got, err = tx.FindMembership(ctx, fans[1], club)
		must(t, "FindMembership", err)
		wantEqual(t, "FindMembership(untouched)", got, other)
		byFan, err := tx.ListMemberships(ctx, fans[0], 0)
		must(t, "ListMemberships(fan)", err)
		wantEqual(t, "ListMemberships(fan)", byFan, []*fanclub.Membership{&left, second})
		byClub, err := tx.ListMemberships(ctx, 0, club)
		must(t, "ListMemberships(club)", err)
		wantEqual(t, "ListMemberships(club)", byClub, []*fanclub.Membership{&left, other})
		none, err := tx.ListMemberships(ctx, fans[1], club2)
		must(t, "ListMemberships(none)", err)
		if len(none) != 0 {
			t.Fatalf("ListMemberships(no such membership) = %v", none)
		}
		keys := []fanclub.MemberKey{{FanID: fans[0], ClubID: club}, {FanID: fans[1], ClubID: club2}, {FanID: fans[0], ClubID: club}, {FanID: fans[1], ClubID: club}}
		found, err := tx.FindMemberships(ctx, keys)
		must(t, "FindMemberships", err)
		wantEqual(t, "FindMemberships", found, map[fanclub.MemberKey]*fanclub.Membership{
			{FanID: fans[0], ClubID: club}: &left, {FanID: fans[1], ClubID: club}: other,
		})
	})
}

func testFindMembershipsMany(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	const n = 700
	var club int64
	var fans []int64
	inWriteTx(t, s, func(tx fanclub.Tx) {
		club = seedClub(t, tx, "many")
		fans = seedFans(t, tx, "many", n)
		ms := make([]*fanclub.Membership, 0, n)
		for _, f := range fans[:n-1] { // the last fan never joins
			ms = append(ms, membershipAt(f, club, c.Now()))
		}
		must(t, "SaveMemberships", tx.SaveMemberships(ctx, ms))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		keys := make([]fanclub.MemberKey, 0, n)
		for _, f := range fans {
			keys = append(keys, fanclub.MemberKey{FanID: f, ClubID: club})
		}
		found, err := tx.FindMemberships(ctx, keys)
		must(t, "FindMemberships", err)
		if len(found) != n-1 {
			t.Fatalf("FindMemberships found %d of %d", len(found), n-1)
		}
		for _, k := range keys[:n-1] {
			if m := found[k]; m == nil || m.LevelPoints != 420+k.FanID {
				t.Fatalf("FindMemberships[%v] = %+v", k, m)
			}
		}
		list, err := tx.ListMemberships(ctx, 0, club)
		must(t, "ListMemberships", err)
		if len(list) != n-1 {
			t.Fatalf("ListMemberships = %d memberships, want %d", len(list), n-1)
		}
	})
}

func testDailyPoints(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	k1 := fanclub.CounterKey{FanID: 1, ClubID: 2, Day: "2026-03-01", Action: fanclub.ActionLike}
	k2 := fanclub.CounterKey{FanID: 1, ClubID: 2, Day: "2026-03-01", Action: fanclub.ActionComment}
	k3 := fanclub.CounterKey{FanID: 1, ClubID: 2, Day: "2026-03-02", Action: fanclub.ActionLike}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.DailyPoints(ctx, []fanclub.CounterKey{k1, k2})
		must(t, "DailyPoints(empty)", err)
		wantEqual(t, "DailyPoints(empty)", got, map[fanclub.CounterKey]int64{k1: 0, k2: 0})
		must(t, "AddDailyPoints", tx.AddDailyPoints(ctx, map[fanclub.CounterKey]int64{k1: 5, k2: 2}))
		must(t, "AddDailyPoints", tx.AddDailyPoints(ctx, map[fanclub.CounterKey]int64{k1: 3}))
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "AddDailyPoints", tx.AddDailyPoints(ctx, map[fanclub.CounterKey]int64{k1: 1, k3: 7}))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.DailyPoints(ctx, []fanclub.CounterKey{k1, k2, k3, k1})
		must(t, "DailyPoints", err)
		wantEqual(t, "DailyPoints", got, map[fanclub.CounterKey]int64{k1: 9, k2: 2, k3: 7})
	})
	// Many counters at once, across statement chunk boundaries.
	const n = 600
	deltas := make(map[fanclub.CounterKey]int64, n)
	keys := make([]fanclub.CounterKey, 0, n)
	for i := range n {
		k := fanclub.CounterKey{FanID: int64(100 + i%37), ClubID: int64(i % 11), Day: fmt.Sprintf("2026-04-%02d", 1+i%28), Action: fanclub.ActionWatchMinutes}
		if _, dup := deltas[k]; dup {
			continue
		}
		deltas[k] = int64(i + 1)
		keys = append(keys, k)
	}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "AddDailyPoints(many)", tx.AddDailyPoints(ctx, deltas))
		must(t, "AddDailyPoints(many again)", tx.AddDailyPoints(ctx, deltas))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.DailyPoints(ctx, keys)
		must(t, "DailyPoints(many)", err)
		for _, k := range keys {
			if got[k] != 2*deltas[k] {
				t.Fatalf("DailyPoints[%v] = %d, want %d", k, got[k], 2*deltas[k])
			}
		}
	})
}

func testDeleteHistory(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	gone1 := fanclub.CounterKey{FanID: 1, ClubID: 2, Day: "2026-03-01", Action: fanclub.ActionLike}
	gone2 := fanclub.CounterKey{FanID: 1, ClubID: 2, Day: "2026-03-05", Action: fanclub.ActionShare}
	otherClub := fanclub.CounterKey{FanID: 1, ClubID: 3, Day: "2026-03-01", Action: fanclub.ActionLike}
	otherFan := fanclub.CounterKey{FanID: 4, ClubID: 2, Day: "2026-03-01", Action: fanclub.ActionLike}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "AddDailyPoints", tx.AddDailyPoints(ctx, map[fanclub.CounterKey]int64{gone1: 1, gone2: 2, otherClub: 3, otherFan: 4}))
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "DeleteHistory", tx.DeleteHistory(ctx, 1, 2))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.DailyPoints(ctx, []fanclub.CounterKey{gone1, gone2, otherClub, otherFan})
		must(t, "DailyPoints", err)
		wantEqual(t, "DailyPoints after DeleteHistory", got, map[fanclub.CounterKey]int64{gone1: 0, gone2: 0, otherClub: 3, otherFan: 4})
	})
}

// eventAt builds a like event.
func eventAt(id string, fanID, clubID int64, at time.Time) fanclub.Event {
	return fanclub.Event{ID: id, FanID: fanID, ClubID: clubID, Action: fanclub.ActionLike, Amount: 1, At: at}
}

func testInsertEventsDedupe(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	inWriteTx(t, s, func(tx fanclub.Tx) {
		fresh, err := tx.InsertEvents(ctx, []fanclub.Event{eventAt("a", 1, 1, now), eventAt("b", 1, 1, now), eventAt("a", 1, 1, now)})
		must(t, "InsertEvents", err)
		wantEqual(t, "fresh within one call", fresh, []bool{true, true, false})
		fresh, err = tx.InsertEvents(ctx, []fanclub.Event{eventAt("b", 1, 1, now), eventAt("c", 1, 1, now)})
		must(t, "InsertEvents", err)
		wantEqual(t, "fresh across calls in one tx", fresh, []bool{false, true})
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		fresh, err := tx.InsertEvents(ctx, []fanclub.Event{eventAt("d", 1, 1, now), eventAt("a", 1, 1, now), eventAt("d", 1, 1, now), eventAt("e", 1, 1, now)})
		must(t, "InsertEvents", err)
		wantEqual(t, "fresh across transactions", fresh, []bool{true, false, false, true})
		fresh, err = tx.InsertEvents(ctx, nil)
		must(t, "InsertEvents(nil)", err)
		if len(fresh) != 0 {
			t.Fatalf("InsertEvents(nil) = %v", fresh)
		}
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		evs, err := tx.ListEvents(ctx, 1, 1)
		must(t, "ListEvents", err)
		if len(evs) != 5 {
			t.Fatalf("stored %d events, want 5 (a b c d e): %+v", len(evs), evs)
		}
	})
}

func testInsertEventsLarge(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	batch := func(from, to int) []fanclub.Event {
		var evs []fanclub.Event
		for i := from; i < to; i++ {
			evs = append(evs, eventAt(fmt.Sprintf("ev-%05d", i), int64(i%50), 7, now.Add(time.Duration(i)*time.Second)))
		}
		return evs
	}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		fresh, err := tx.InsertEvents(ctx, batch(0, 1000))
		must(t, "InsertEvents", err)
		for i, f := range fresh {
			if !f {
				t.Fatalf("fresh[%d] = false for a new id", i)
			}
		}
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		// 500..1499: the first half was stored, the second is new.
		fresh, err := tx.InsertEvents(ctx, batch(500, 1500))
		must(t, "InsertEvents", err)
		for i, f := range fresh {
			if want := i >= 500; f != want {
				t.Fatalf("fresh[%d] (id ev-%05d) = %v, want %v", i, 500+i, f, want)
			}
		}
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		total := 0
		for fan := range int64(50) {
			evs, err := tx.ListEvents(ctx, fan, 7)
			must(t, "ListEvents", err)
			total += len(evs)
		}
		if total != 1500 {
			t.Fatalf("stored %d events, want 1500", total)
		}
	})
}

func testListEvents(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	late := fanclub.Event{ID: "late", FanID: 1, ClubID: 1, Action: fanclub.ActionWatchMinutes, Amount: 30, At: now.Add(time.Hour)}
	early := eventAt("early", 1, 1, now.Add(-time.Hour+time.Nanosecond))
	mid := fanclub.Event{ID: "mid", FanID: 1, ClubID: 1, Action: fanclub.ActionComment, Amount: 1, At: now}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.InsertEvents(ctx, []fanclub.Event{late, early, eventAt("x", 1, 2, now), eventAt("y", 2, 1, now), mid})
		must(t, "InsertEvents", err)
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		evs, err := tx.ListEvents(ctx, 1, 1)
		must(t, "ListEvents", err)
		wantEqual(t, "ListEvents oldest first", evs, []fanclub.Event{early, mid, late})
		none, err := tx.ListEvents(ctx, 9, 9)
		must(t, "ListEvents(none)", err)
		if len(none) != 0 {
			t.Fatalf("ListEvents(no events) = %v", none)
		}
	})
}

func testGeneralPoints(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	inWriteTx(t, s, func(tx fanclub.Tx) {
		bal, err := tx.GeneralPoints(ctx, 1)
		must(t, "GeneralPoints(empty)", err)
		if bal != 0 {
			t.Fatalf("GeneralPoints of a fan without entries = %d", bal)
		}
		must(t, "AddGeneralPoints", tx.AddGeneralPoints(ctx, 1, 100, "exit conversion", "exit:r1"))
		must(t, "AddGeneralPoints(repeat)", tx.AddGeneralPoints(ctx, 1, 100, "exit conversion", "exit:r1"))
		must(t, "AddGeneralPoints", tx.AddGeneralPoints(ctx, 1, -30, "spend", "spend:1"))
		must(t, "AddGeneralPoints(other fan)", tx.AddGeneralPoints(ctx, 2, 5, "gift", "gift:1"))
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "AddGeneralPoints(repeat in later tx)", tx.AddGeneralPoints(ctx, 1, 100, "exit conversion", "exit:r1"))
		bal, err := tx.GeneralPoints(ctx, 1)
		must(t, "GeneralPoints", err)
		if bal != 70 {
			t.Fatalf("GeneralPoints = %d, want 100-30 = 70 (repeated key booked once)", bal)
		}
		bal, err = tx.GeneralPoints(ctx, 2)
		must(t, "GeneralPoints", err)
		if bal != 5 {
			t.Fatalf("GeneralPoints(fan 2) = %d, want 5", bal)
		}
	})
}

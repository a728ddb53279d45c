package storetest

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
)

// testSettlements checks the settlement store: a club-week's gifts are
// listed by time within [from, to) only; a settlement is saved with its
// lines, replaced by a second save of its club and week (lines and all),
// found by club and week and listed per creator.
func testSettlements(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	week := c.Now().UTC().Truncate(time.Hour)
	end := week.Add(7 * 24 * time.Hour)
	inWriteTx(t, s, func(tx fanclub.Tx) {
		for i, at := range []time.Time{week.Add(-time.Nanosecond), week, end.Add(-time.Nanosecond), end} {
			g := &fanclub.Gift{Key: "g" + string(rune('a'+i)), FanID: 1, ClubID: 5, CreatorID: 9, Coins: int64(i + 1), Value: 10, Share: 5,
				Currency: "CNY", Points: 10, EventID: "e" + string(rune('a'+i)), At: at}
			_, err := tx.CreateGift(ctx, g)
			must(t, "CreateGift", err)
		}
		other := &fanclub.Gift{Key: "gx", FanID: 1, ClubID: 6, CreatorID: 9, Coins: 9, Currency: "CNY", EventID: "ex", At: week}
		_, err := tx.CreateGift(ctx, other)
		must(t, "CreateGift(other club)", err)
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		gs, err := tx.ListClubGifts(ctx, 5, week, end)
		must(t, "ListClubGifts", err)
		if len(gs) != 2 || gs[0].Coins != 2 || gs[1].Coins != 3 {
			t.Fatalf("ListClubGifts: %d gifts %+v", len(gs), gs)
		}
	})
	now := c.Now().UTC()
	st := &fanclub.Settlement{ClubID: 5, CreatorID: 9, Week: week, State: fanclub.SettlementHeld, Currency: "CNY", TaskGoal: 50,
		CreatedAt: now, Lines: []fanclub.SettlementLine{{FanID: 1, Outcome: fanclub.LineHeld, Gifts: 2, Coins: 5, Value: 20, Share: 10}}}
	inWriteTx(t, s, func(tx fanclub.Tx) { must(t, "SaveSettlement", tx.SaveSettlement(ctx, st)) })
	id := st.ID
	st.State, st.Settled, st.TaskProgress, st.TaskMet, st.SettledAt = fanclub.SettlementSettled, 10, 60, true, &now
	// Lines come back by fan, then outcome.
	st.Lines = []fanclub.SettlementLine{{FanID: 1, Outcome: fanclub.LineReversed, Gifts: 1, Coins: 3, Value: 10, Share: 5},
		{FanID: 1, Outcome: fanclub.LineSettled, Gifts: 1, Coins: 2, Value: 10, Share: 5}}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "SaveSettlement(again)", tx.SaveSettlement(ctx, st))
		other := &fanclub.Settlement{ClubID: 6, CreatorID: 9, Week: week, State: fanclub.SettlementSettled, Currency: "CNY", CreatedAt: now,
			Lines: []fanclub.SettlementLine{}}
		must(t, "SaveSettlement(other club)", tx.SaveSettlement(ctx, other))
	})
	wantEqual(t, "a second save keeps the id", st.ID, id)
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindSettlement(ctx, 5, week)
		must(t, "FindSettlement", err)
		wantEqual(t, "found", got, st)
		_, err = tx.FindSettlement(ctx, 5, end)
		wantCode(t, "FindSettlement(other week)", err, fanclub.ENOTFOUND)
		all, err := tx.ListSettlements(ctx, 9)
		must(t, "ListSettlements", err)
		if len(all) != 2 || all[0].ClubID != 5 || all[1].ClubID != 6 || len(all[0].Lines) != 2 {
			t.Fatalf("ListSettlements: %+v", all)
		}
	})
}

// testRevenueRecords checks the exits', holds' and reviews' stores:
// each is created once per key, listed by its filters, and updated.
func testRevenueRecords(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now().UTC()
	until := now.Add(7 * 24 * time.Hour)
	x := &fanclub.RevenueExit{Key: "exit-1", FanID: 1, ClubID: 5, CreatorID: 9, At: now, Week: now.Add(-time.Hour),
		Handling: fanclub.PendingFreezeUntilRelease, UnsettledCoins: 30, UnsettledShare: 150, ReturnedCoins: 15, ForfeitWeek: true, BarUntil: &until}
	h := &fanclub.Hold{Key: "hold/exit-1", CreatorID: 9, ClubID: 5, FanID: 1, Currency: "CNY", Amount: 150, State: fanclub.HoldOpen, CreatedAt: now}
	r := &fanclub.Review{Key: "exit-2", CreatorID: 9, ClubID: 5, FanID: 2, State: fanclub.ReviewOpen, OpenedAt: now}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		for _, step := range []struct {
			name string
			fn   func() (bool, error)
		}{
			{"CreateRevenueExit", func() (bool, error) { return tx.CreateRevenueExit(ctx, x) }},
			{"CreateHold", func() (bool, error) { return tx.CreateHold(ctx, h) }},
			{"CreateReview", func() (bool, error) { return tx.CreateReview(ctx, r) }},
		} {
			created, err := step.fn()
			must(t, step.name, err)
			if !created {
				t.Fatalf("%s: not created", step.name)
			}
		}
		dupX := &fanclub.RevenueExit{Key: "exit-1", FanID: 2, Week: now, At: now}
		created, err := tx.CreateRevenueExit(ctx, dupX)
		must(t, "CreateRevenueExit(same key)", err)
		if created {
			t.Fatal("CreateRevenueExit(same key) created a second record")
		}
		wantEqual(t, "a taken key returns the stored exit", dupX, x)
		dupH := &fanclub.Hold{Key: "hold/exit-1", Amount: 1, State: fanclub.HoldOpen, CreatedAt: now}
		created, err = tx.CreateHold(ctx, dupH)
		must(t, "CreateHold(same key)", err)
		if created || dupH.ID != h.ID {
			t.Fatalf("CreateHold(same key): created %v, %+v", created, dupH)
		}
		dupR := &fanclub.Review{Key: "exit-2", State: fanclub.ReviewOpen, OpenedAt: now}
		created, err = tx.CreateReview(ctx, dupR)
		must(t, "CreateReview(same key)", err)
		if created || dupR.ID != r.ID {
			t.Fatalf("CreateReview(same key): created %v, %+v", created, dupR)
		}
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		xs, err := tx.ListRevenueExits(ctx, 1, 0, time.Time{})
		must(t, "ListRevenueExits", err)
		wantEqual(t, "the fan's exits", xs, []*fanclub.RevenueExit{x})
		xs, err = tx.ListRevenueExits(ctx, 1, 6, time.Time{})
		must(t, "ListRevenueExits(other club)", err)
		wantEqual(t, "no exits from another club", len(xs), 0)
		xs, err = tx.ListClubExits(ctx, 5, now, now.Add(time.Nanosecond))
		must(t, "ListClubExits", err)
		wantEqual(t, "the club's exits", len(xs), 1)
		xs, err = tx.ListClubExits(ctx, 5, now.Add(time.Nanosecond), until)
		must(t, "ListClubExits(later)", err)
		wantEqual(t, "none later", len(xs), 0)
		hs, err := tx.ListHolds(ctx, fanclub.HoldOpen, 0, 0)
		must(t, "ListHolds", err)
		wantEqual(t, "open holds", hs, []*fanclub.Hold{h})
		rs, err := tx.ListReviews(ctx, fanclub.ReviewOpen, 9)
		must(t, "ListReviews", err)
		wantEqual(t, "open reviews", rs, []*fanclub.Review{r})
	})
	h.State, h.ResolvedAt, h.ResolvedBy, h.Reason, h.Settled = fanclub.HoldReleased, &now, "admin:1", "ok", true
	r.State, r.ClosedAt, r.ClosedBy, r.Reason = fanclub.ReviewClosed, &now, "admin:1", "done"
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "UpdateHold", tx.UpdateHold(ctx, h))
		must(t, "UpdateReview", tx.UpdateReview(ctx, r))
		missing := *h
		missing.ID = 999
		wantCode(t, "UpdateHold(unknown)", tx.UpdateHold(ctx, &missing), fanclub.ENOTFOUND)
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindHold(ctx, h.ID)
		must(t, "FindHold", err)
		wantEqual(t, "released hold", got, h)
		gotR, err := tx.FindReview(ctx, r.ID)
		must(t, "FindReview", err)
		wantEqual(t, "closed review", gotR, r)
		_, err = tx.FindHold(ctx, 999)
		wantCode(t, "FindHold(unknown)", err, fanclub.ENOTFOUND)
		_, err = tx.FindReview(ctx, 999)
		wantCode(t, "FindReview(unknown)", err, fanclub.ENOTFOUND)
		hs, err := tx.ListHolds(ctx, fanclub.HoldOpen, 9, 5)
		must(t, "ListHolds(open)", err)
		wantEqual(t, "no open holds", len(hs), 0)
		rs, err := tx.ListReviews(ctx, fanclub.ReviewClosed, 0)
		must(t, "ListReviews(closed)", err)
		wantEqual(t, "closed reviews", len(rs), 1)
	})
}

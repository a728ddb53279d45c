package storetest

import (
	"context"
	"fanclub/clock"
	"testing"

	"fanclub"
)

// testPages walks clubs and memberships a page at a time: every row once,
// in key order, pages no longer than the limit, the last one short.
func testPages(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	var clubs []int64
	var fans []int64
	inWriteTx(t, s, func(tx fanclub.Tx) {
		for _, n := range []string{"p1", "p2", "p3", "p4", "p5"} {
			clubs = append(clubs, seedClub(t, tx, n))
		}
		fans = seedFans(t, tx, "p", 7)
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		var ms []*fanclub.Membership
		for _, f := range fans {
			ms = append(ms, membershipAt(f, clubs[0], now))
		}
		for _, cl := range clubs[1:4] {
			ms = append(ms, membershipAt(fans[0], cl, now))
		}
		must(t, "SaveMemberships", tx.SaveMemberships(ctx, ms))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		var got []int64
		var after int64
		for range 10 {
			page, err := tx.ListClubsPage(ctx, 0, after, 2)
			must(t, "ListClubsPage", err)
			if len(page) > 2 {
				t.Fatalf("page of %d clubs, limit 2", len(page))
			}
			for _, cl := range page {
				got = append(got, cl.ID)
			}
			if len(page) < 2 {
				break
			}
			after = page[len(page)-1].ID
		}
		wantEqual(t, "clubs by page", got, clubs)

		var members []int64
		after = 0
		for range 10 {
			page, err := tx.ListClubMembersPage(ctx, clubs[0], after, 3)
			must(t, "ListClubMembersPage", err)
			for _, m := range page {
				members = append(members, m.FanID)
			}
			if len(page) < 3 {
				break
			}
			after = page[len(page)-1].FanID
		}
		wantEqual(t, "members by page", members, fans)

		page, err := tx.ListFanMembershipsPage(ctx, fans[0], clubs[0], 2)
		must(t, "ListFanMembershipsPage", err)
		var ids []int64
		for _, m := range page {
			ids = append(ids, m.ClubID)
		}
		wantEqual(t, "fan memberships after the first club", ids, clubs[1:3])
		end, err := tx.ListClubsPage(ctx, 0, clubs[4], 5)
		must(t, "ListClubsPage(past the end)", err)
		wantEqual(t, "past the end", len(end), 0)
	})
}

// testActiveMembers checks the maintained count through joins, exits and
// rejoins, within a transaction, after commit and after a rollback.
func testActiveMembers(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	var club, other int64
	var fans []int64
	inWriteTx(t, s, func(tx fanclub.Tx) {
		club, other = seedClub(t, tx, "n1"), seedClub(t, tx, "n2")
		fans = seedFans(t, tx, "n", 5)
		n, err := tx.ActiveMembers(ctx, club)
		must(t, "ActiveMembers(new club)", err)
		wantEqual(t, "new club", n, int64(0))
	})
	count := func(tx fanclub.Tx, id int64) int64 {
		t.Helper()
		n, err := tx.ActiveMembers(ctx, id)
		must(t, "ActiveMembers", err)
		return n
	}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		var ms []*fanclub.Membership
		for _, f := range fans {
			ms = append(ms, membershipAt(f, club, now))
		}
		ms = append(ms, membershipAt(fans[0], other, now))
		must(t, "SaveMemberships", tx.SaveMemberships(ctx, ms))
		wantEqual(t, "within the joining transaction", count(tx, club), int64(5))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		wantEqual(t, "after joins", count(tx, club), int64(5))
		wantEqual(t, "other club", count(tx, other), int64(1))
	})
	leave := func(tx fanclub.Tx, fan int64) {
		t.Helper()
		m, err := tx.FindMembership(ctx, fan, club)
		must(t, "FindMembership", err)
		m.Status, m.LeftAt, m.Version = fanclub.StatusLeft, now, m.Version+1
		must(t, "SaveMemberships(leave)", tx.SaveMemberships(ctx, []*fanclub.Membership{m}))
	}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		leave(tx, fans[1])
		leave(tx, fans[2])
		// Saving the same state again changes nothing.
		m, err := tx.FindMembership(ctx, fans[3], club)
		must(t, "FindMembership", err)
		must(t, "SaveMemberships(same)", tx.SaveMemberships(ctx, []*fanclub.Membership{m}))
		wantEqual(t, "within the leaving transaction", count(tx, club), int64(3))
	})
	tx := beginTx(t, s, true)
	leave(tx, fans[4])
	wantEqual(t, "before rollback", count(tx, club), int64(2))
	must(t, "Rollback", tx.Rollback())
	inWriteTx(t, s, func(tx fanclub.Tx) {
		m, err := tx.FindMembership(ctx, fans[1], club)
		must(t, "FindMembership", err)
		m.Status, m.Version = fanclub.StatusActive, m.Version+1
		must(t, "SaveMemberships(rejoin)", tx.SaveMemberships(ctx, []*fanclub.Membership{m}))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		wantEqual(t, "after leaves, a rollback and a rejoin", count(tx, club), int64(4))
		wantEqual(t, "other club unchanged", count(tx, other), int64(1))
		ms, err := tx.ListMemberships(ctx, 0, club)
		must(t, "ListMemberships", err)
		var active int64
		for _, m := range ms {
			if m.Status == fanclub.StatusActive {
				active++
			}
		}
		wantEqual(t, "count equals the rows", count(tx, club), active)
	})
}

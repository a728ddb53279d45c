package storetest

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
)

// testFanAges checks the age store: not found before a save, a round
// trip, and a second save replacing the first.
func testFanAges(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now().UTC()
	inReadTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.FindFanAge(ctx, 7)
		wantCode(t, "FindFanAge(unknown)", err, fanclub.ENOTFOUND)
	})
	a := &fanclub.FanAge{FanID: 7, BirthDate: "2011-01-01", Method: fanclub.AgeSelfDeclared, SetAt: now}
	inWriteTx(t, s, func(tx fanclub.Tx) { must(t, "SaveFanAge", tx.SaveFanAge(ctx, a)) })
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindFanAge(ctx, 7)
		must(t, "FindFanAge", err)
		wantEqual(t, "age", got, a)
	})
	b := &fanclub.FanAge{FanID: 7, BirthDate: "2010-06-30", Method: fanclub.AgeIdentity, Ref: "vfy_1", SetAt: now.Add(time.Hour)}
	inWriteTx(t, s, func(tx fanclub.Tx) { must(t, "SaveFanAge(again)", tx.SaveFanAge(ctx, b)) })
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindFanAge(ctx, 7)
		must(t, "FindFanAge", err)
		wantEqual(t, "replaced age", got, b)
	})
}

// testGuardianLinks checks the link store: ids, finders, updates, and
// lists by guardian and by minor that leave removed links out.
func testGuardianLinks(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now().UTC()
	l1 := &fanclub.GuardianLink{GuardianID: 1, MinorID: 2, Status: fanclub.LinkRequested, CreatedAt: now, UpdatedAt: now}
	l2 := &fanclub.GuardianLink{GuardianID: 1, MinorID: 3, Status: fanclub.LinkActive, CreatedAt: now, UpdatedAt: now}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "CreateGuardianLink", tx.CreateGuardianLink(ctx, l1))
		must(t, "CreateGuardianLink", tx.CreateGuardianLink(ctx, l2))
		if l1.ID == 0 || l2.ID <= l1.ID {
			t.Fatalf("ids: %d %d", l1.ID, l2.ID)
		}
		_, err := tx.FindGuardianLink(ctx, l2.ID+100)
		wantCode(t, "FindGuardianLink(unknown)", err, fanclub.ENOTFOUND)
		missing := *l1
		missing.ID = l2.ID + 100
		wantCode(t, "UpdateGuardianLink(unknown)", tx.UpdateGuardianLink(ctx, &missing), fanclub.ENOTFOUND)
	})
	c.Advance(time.Minute)
	inWriteTx(t, s, func(tx fanclub.Tx) {
		l1.Status, l1.UnlinkBy, l1.UpdatedAt = fanclub.LinkRemoved, "both", c.Now().UTC()
		must(t, "UpdateGuardianLink", tx.UpdateGuardianLink(ctx, l1))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindGuardianLink(ctx, l1.ID)
		must(t, "FindGuardianLink", err)
		wantEqual(t, "updated link", got, l1)
		byGuardian, err := tx.ListGuardianLinks(ctx, 1, 0)
		must(t, "ListGuardianLinks(guardian)", err)
		wantEqual(t, "links of the guardian, removed left out", byGuardian, []*fanclub.GuardianLink{l2})
		byMinor, err := tx.ListGuardianLinks(ctx, 0, 2)
		must(t, "ListGuardianLinks(minor)", err)
		if len(byMinor) != 0 {
			t.Fatalf("a removed link is not listed: %+v", byMinor)
		}
	})
}

// testGuardianRefunds checks the refund request store: an idempotent
// insert by key, the document and period round trip, updates, and lists
// by minor and status.
func testGuardianRefunds(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now().UTC()
	since := now.Add(-24 * time.Hour)
	r := &fanclub.GuardianRefund{Key: "r-1", GuardianID: 1, MinorID: 2, Since: &since, Status: fanclub.RefundPending, Currency: "CNY",
		Document: &fanclub.RefundDocument{Name: "declaration.pdf", Notary: "Notary", SHA256: "ab"}, CreatedAt: now}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		created, err := tx.CreateGuardianRefund(ctx, r)
		must(t, "CreateGuardianRefund", err)
		if !created || r.ID == 0 {
			t.Fatalf("created %v id %d", created, r.ID)
		}
		again := &fanclub.GuardianRefund{Key: "r-1", GuardianID: 9, MinorID: 9, Status: fanclub.RefundPending, CreatedAt: now}
		created, err = tx.CreateGuardianRefund(ctx, again)
		must(t, "CreateGuardianRefund(same key)", err)
		if created {
			t.Fatal("a taken key creates nothing")
		}
		wantEqual(t, "the stored request", again, r)
		other := &fanclub.GuardianRefund{Key: "r-2", GuardianID: 1, MinorID: 3, Status: fanclub.RefundPending, CreatedAt: now}
		_, err = tx.CreateGuardianRefund(ctx, other)
		must(t, "CreateGuardianRefund(other)", err)
		_, err = tx.FindGuardianRefund(ctx, other.ID+100)
		wantCode(t, "FindGuardianRefund(unknown)", err, fanclub.ENOTFOUND)
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		at := c.Now().UTC()
		r.Status, r.Amount, r.Coins, r.Gifts, r.DecidedBy, r.Note, r.DecidedAt = fanclub.RefundRefunded, 1500, 100, 2, "ops", "ok", &at
		must(t, "UpdateGuardianRefund", tx.UpdateGuardianRefund(ctx, r))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindGuardianRefund(ctx, r.ID)
		must(t, "FindGuardianRefund", err)
		wantEqual(t, "updated request", got, r)
		pending, err := tx.ListGuardianRefunds(ctx, 0, fanclub.RefundPending)
		must(t, "ListGuardianRefunds(pending)", err)
		if len(pending) != 1 || pending[0].MinorID != 3 {
			t.Fatalf("pending: %+v", pending)
		}
		ofMinor, err := tx.ListGuardianRefunds(ctx, 2, "")
		must(t, "ListGuardianRefunds(minor)", err)
		wantEqual(t, "requests of the minor", ofMinor, []*fanclub.GuardianRefund{r})
	})
}

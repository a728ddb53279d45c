package storetest

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
)

// testPayments checks the payment store: a payment is created once per
// key (a second create returns the stored one), found by key, settled by
// an update, and listed per fan in creation order.
func testPayments(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now().UTC()
	p := &fanclub.Payment{Key: "coins/1/a", FanID: 1, Kind: fanclub.PaymentCharge, Purpose: fanclub.PurposeCoins,
		Amount: 1000, Currency: "CNY", Coins: 100, Status: fanclub.PaymentPending, CreatedAt: now}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		created, err := tx.CreatePayment(ctx, p)
		must(t, "CreatePayment", err)
		if !created || p.ID == 0 {
			t.Fatalf("CreatePayment: created %v id %d", created, p.ID)
		}
		dup := &fanclub.Payment{Key: "coins/1/a", FanID: 1, Kind: fanclub.PaymentCharge, Purpose: fanclub.PurposeCoins,
			Amount: 5, Currency: "CNY", Coins: 1, Status: fanclub.PaymentPending, CreatedAt: now}
		created, err = tx.CreatePayment(ctx, dup)
		must(t, "CreatePayment(same key)", err)
		if created {
			t.Fatal("CreatePayment(same key) created a second payment")
		}
		wantEqual(t, "a taken key returns the stored payment", dup, p)
		other := &fanclub.Payment{Key: "coins/2/a", FanID: 2, ClubID: 7, Kind: fanclub.PaymentRefund, Purpose: "subscription",
			Amount: 300, Currency: "CNY", Status: fanclub.PaymentSucceeded, ProviderRef: "r1", CreatedAt: now, SettledAt: &now}
		_, err = tx.CreatePayment(ctx, other)
		must(t, "CreatePayment(other)", err)
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.FindPaymentByKey(ctx, "nope")
		wantCode(t, "FindPaymentByKey(unknown)", err, fanclub.ENOTFOUND)
		got, err := tx.FindPaymentByKey(ctx, "coins/1/a")
		must(t, "FindPaymentByKey", err)
		wantEqual(t, "found", got, p)
	})
	settled := c.Now().UTC().Add(time.Second)
	p.Status, p.ProviderRef, p.DeclineCode, p.SettledAt = fanclub.PaymentDeclined, "ch_1", "card_declined", &settled
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "UpdatePayment", tx.UpdatePayment(ctx, p))
		missing := *p
		missing.ID = 999
		wantCode(t, "UpdatePayment(unknown)", tx.UpdatePayment(ctx, &missing), fanclub.ENOTFOUND)
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.ListPayments(ctx, 1)
		must(t, "ListPayments", err)
		wantEqual(t, "the fan's payments", got, []*fanclub.Payment{p})
		none, err := tx.ListPayments(ctx, 3)
		must(t, "ListPayments(none)", err)
		wantEqual(t, "no payments", len(none), 0)
	})
}

// testGifts checks the gift store: one gift per key, found by key, and
// listed per fan, per club and from a time on, oldest first.
func testGifts(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	t0 := c.Now().UTC()
	gift := func(key string, club int64, at time.Time) *fanclub.Gift {
		return &fanclub.Gift{Key: key, FanID: 1, ClubID: club, CreatorID: 9, Coins: 10, Value: 100, Share: 50,
			Currency: "CNY", Points: 100, EventID: "ev-" + key, At: at}
	}
	a, b, d := gift("a", 1, t0), gift("b", 2, t0.Add(time.Hour)), gift("d", 1, t0.Add(2*time.Hour))
	inWriteTx(t, s, func(tx fanclub.Tx) {
		for _, g := range []*fanclub.Gift{a, b, d} {
			created, err := tx.CreateGift(ctx, g)
			must(t, "CreateGift", err)
			if !created || g.ID == 0 {
				t.Fatalf("CreateGift %s: created %v id %d", g.Key, created, g.ID)
			}
		}
		dup := gift("a", 5, t0)
		created, err := tx.CreateGift(ctx, dup)
		must(t, "CreateGift(same key)", err)
		if created {
			t.Fatal("CreateGift(same key) created a second gift")
		}
		wantEqual(t, "a taken key returns the stored gift", dup, a)
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.FindGiftByKey(ctx, "zz")
		wantCode(t, "FindGiftByKey(unknown)", err, fanclub.ENOTFOUND)
		got, err := tx.FindGiftByKey(ctx, "b")
		must(t, "FindGiftByKey", err)
		wantEqual(t, "found", got, b)
		all, err := tx.ListGifts(ctx, 1, 0, time.Time{})
		must(t, "ListGifts(all)", err)
		wantEqual(t, "all gifts", all, []*fanclub.Gift{a, b, d})
		club1, err := tx.ListGifts(ctx, 1, 1, t0.Add(time.Minute))
		must(t, "ListGifts(club, since)", err)
		wantEqual(t, "club 1 since", club1, []*fanclub.Gift{d})
	})
}

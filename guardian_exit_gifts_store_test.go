package fanclub_test

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/ledger"
)

// The Monday that settles the minors engine's first week (Asia/Shanghai).
var minorsWeekSettles = time.Date(2026, 3, 15, 16, 0, 0, 0, time.UTC)

// TestGuardianRefundAndExitUndoAGiftOnce checks that a gift is undone
// once whichever of a guardian refund and a douyin exit comes first: the
// exit after a refund holds and returns nothing for the reversed gift; a
// refund after the exit gives back only the coins the exit kept and
// leaves the frozen share on its hold; either way another fan's pending
// share is untouched and the Monday settlement pays it.
func TestGuardianRefundAndExitUndoAGiftOnce(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testGuardianRefundAndExitUndoAGiftOnce)
}

func testGuardianRefundAndExitUndoAGiftOnce(t *testing.T, open teststores.Open) {
	t.Parallel()
	for _, refundFirst := range []bool{true, false} {
		name := "exit then refund"
		if refundFirst {
			name = "refund then exit"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			m := minorsEngineOn(t, open, "douyin")
			parent := m.fanAged(t, "parent", "", "", "")
			kid := m.fanAged(t, "kid", born15, fanclub.AgeSelfDeclared, "douyin")
			adult := m.fanAged(t, "adult", "", "", "douyin")
			m.link(t, parent, kid)
			club := m.club["douyin"]
			for _, f := range []int64{kid, adult} {
				if _, err := m.BuyCoins(ctx, f, 100, "buy"); err != nil {
					t.Fatal(err)
				}
			}
			g, err := m.SendGift(ctx, kid, club, 60, "gift") // 600 fen, share 300
			if err != nil {
				t.Fatal(err)
			}
			a, err := m.SendGift(ctx, adult, club, 100, "gift") // 1000 fen, share 500
			if err != nil {
				t.Fatal(err)
			}
			creator := g.Gift.CreatorID
			refund := func() *fanclub.GuardianRefundResult {
				doc := &fanclub.RefundDocument{Name: "declaration.pdf", Notary: "Notary"}
				req, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{Document: doc}, "r1")
				if err != nil {
					t.Fatal(err)
				}
				d, err := m.DecideGuardianRefund(ctx, req.ID, "ops", true, "")
				if err != nil {
					t.Fatalf("approve: %v", err)
				}
				return d
			}
			exit := func() *fanclub.RevenueExitPlan {
				r, err := m.RequestExit(ctx, kid, club, nil)
				if err != nil {
					t.Fatal(err)
				}
				out, err := m.ConfirmExit(ctx, kid, r.ID, rightAnswers(t, m.store, r.ID))
				if err != nil {
					t.Fatalf("exit: %v", err)
				}
				return out.Impact.Revenue
			}
			var d *fanclub.GuardianRefundResult
			var rv *fanclub.RevenueExitPlan
			if refundFirst {
				d, rv = refund(), exit()
				if rv.Frozen != 0 || rv.ReturnedCoins != 0 || rv.UnsettledGifts != 0 {
					t.Errorf("the exit after the refund decided the reversed gift again: %+v", *rv)
				}
			} else {
				rv, d = exit(), refund()
				if rv.Frozen != g.Gift.Share || rv.ReturnedCoins != 30 {
					t.Errorf("exit: frozen %d returned %d, want %d and 30", rv.Frozen, rv.ReturnedCoins, g.Gift.Share)
				}
			}
			// Either way the kid ends with no coins and the whole purchase refunded.
			w, err := m.Wallet(ctx, kid)
			if err != nil {
				t.Fatal(err)
			}
			if w.Coins != 0 || d.Amount != 1000 || d.Coins != 100 || d.Gifts != 1 {
				t.Errorf("refund %d fen, %d coins, %d gifts; kid's coins %d; want 1000, 100, 1 and 0", d.Amount, d.Coins, d.Gifts, w.Coins)
			}
			m.clock.Set(minorsWeekSettles)
			if _, err := m.RunDueJobs(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := m.SettleWeek(ctx, club, minorsWeekSettles.Add(-time.Hour)); err != nil {
				t.Fatalf("settle: %v", err)
			}
			avail := readLedgerAccount(t, m.store, ledger.CreatorAvailable(creator, "CNY"))
			pending := readLedgerAccount(t, m.store, ledger.CreatorPending(creator, "CNY"))
			if avail.Balance() != a.Gift.Share {
				t.Errorf("creator's available = %d, want the adult's share %d", avail.Balance(), a.Gift.Share)
			}
			wantHeld := g.Gift.Share // the exit's hold, for an operator
			if refundFirst {
				wantHeld = 0 // the refund took the share back before any exit
			}
			if pending.Balance() != wantHeld || pending.DebitsPending != wantHeld {
				t.Errorf("creator's pending = %+v, want %d held", pending, wantHeld)
			}
		})
	}
}

// TestExitAfterGuardianRefundChargesNoDamages checks that a kuaishou
// exit does not charge damages for a gift a guardian refund reversed.
func TestExitAfterGuardianRefundChargesNoDamages(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testExitAfterGuardianRefundChargesNoDamages)
}

func testExitAfterGuardianRefundChargesNoDamages(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	m := minorsEngineOn(t, open, "fair-eu")
	parent := m.fanAged(t, "parent", born40, fanclub.AgeIdentity, "")
	kid := m.fanAged(t, "kid", born15, fanclub.AgeIdentity, "kuaishou")
	club := m.club["kuaishou"]
	if _, err := m.BuyCoins(ctx, kid, 100, "buy"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.SendGift(ctx, kid, club, 60, "gift"); err != nil {
		t.Fatal(err)
	}
	m.link(t, parent, kid)
	if _, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{}, "r1"); err != nil {
		t.Fatal(err)
	}
	r, err := m.RequestExit(ctx, kid, club, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.ConfirmExit(ctx, kid, r.ID, rightAnswers(t, m.store, r.ID))
	if err != nil {
		t.Fatal(err)
	}
	if rv := out.Impact.Revenue; rv.Damages != 0 || rv.DamagesOwed != 0 {
		t.Errorf("damages for a reversed gift: %+v", *rv)
	}
	w, err := m.Wallet(ctx, kid)
	if err != nil {
		t.Fatal(err)
	}
	if w.Owed != 0 {
		t.Errorf("kid owes %d coins", w.Owed)
	}
}

// TestGuardianRefundCountsAnExitRefundAgainstItsCharge checks that an
// exit's refund of the running period's charge is subtracted from that
// charge alone when a guardian refund then refunds every charge: the
// first period's charge comes back whole.
func TestGuardianRefundCountsAnExitRefundAgainstItsCharge(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testGuardianRefundCountsAnExitRefundAgainstItsCharge)
}

func testGuardianRefundCountsAnExitRefundAgainstItsCharge(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	m := minorsEngineOn(t, open, "fair-eu")
	parent := m.fanAged(t, "parent", born40, fanclub.AgeIdentity, "")
	kid := m.fanAged(t, "kid", born15, fanclub.AgeIdentity, "fair-eu")
	m.link(t, parent, kid)
	club := m.club["fair-eu"]
	on := true
	if _, err := m.Subscribe(ctx, kid, club, "vip", fanclub.PlanMonthly, &on, "sub"); err != nil {
		t.Fatal(err)
	}
	for range 40 { // through the first renewal
		m.clock.Set(m.clock.Now().Add(24 * time.Hour))
		if _, err := m.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
	}
	r, err := m.RequestExit(ctx, kid, club, map[string]string{fanclub.ChoicePaid: "refund"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.ConfirmExit(ctx, kid, r.ID, rightAnswers(t, m.store, r.ID))
	if err != nil {
		t.Fatal(err)
	}
	if out.Refund == nil || out.Refund.Amount <= 0 {
		t.Fatalf("the exit refunded nothing: %+v", out.Refund)
	}
	ps, err := m.ListPayments(ctx, kid)
	if err != nil {
		t.Fatal(err)
	}
	var charges []*fanclub.Payment
	for _, p := range ps {
		if p.Kind == fanclub.PaymentCharge && p.Status == fanclub.PaymentSucceeded {
			charges = append(charges, p)
		}
	}
	if len(charges) != 2 {
		t.Fatalf("charges: %d, want the subscription and one renewal", len(charges))
	}
	d, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{}, "r1")
	if err != nil {
		t.Fatal(err)
	}
	want := charges[0].Amount + charges[1].Amount - out.Refund.Amount
	if d.Amount != want {
		t.Errorf("guardian refund = %d fen, want %d + %d - the exit's %d = %d", d.Amount, charges[0].Amount, charges[1].Amount, out.Refund.Amount, want)
	}
}

// TestGuardianMoneyKeysStayApart checks two idempotency rules of the
// minors' money: a guardian's own coin purchase and a purchase the
// guardian pays for a minor (booked_to_guardian) under the same client
// key are two purchases; and a refund request's key reused for another
// period is refused, while its exact retry answers the first request.
func TestGuardianMoneyKeysStayApart(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testGuardianMoneyKeysStayApart)
}

func testGuardianMoneyKeysStayApart(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	t.Run("booked to guardian", func(t *testing.T) {
		t.Parallel()
		m := minorsEngineOn(t, open, "kuaishou")
		parent := m.fanAged(t, "parent", "", "", "")
		kid := m.fanAged(t, "kid", born15, fanclub.AgeSelfDeclared, "")
		m.link(t, parent, kid)
		own, err := m.BuyCoins(ctx, parent, 100, "k-1")
		if err != nil {
			t.Fatal(err)
		}
		booked, err := m.BuyCoins(ctx, kid, 50, "k-1")
		if err != nil {
			t.Fatalf("the kid's purchase under the guardian's key: %v", err)
		}
		if booked.Payment.ID == own.Payment.ID || booked.Payment.Coins != 50 {
			t.Fatalf("the kid's purchase answered with the guardian's: %+v", booked.Payment)
		}
		again, err := m.BuyCoins(ctx, kid, 50, "k-1")
		if err != nil || again.Payment.ID != booked.Payment.ID {
			t.Fatalf("retry: %v %+v, want payment %d", err, again, booked.Payment.ID)
		}
		w, err := m.Wallet(ctx, parent)
		if err != nil {
			t.Fatal(err)
		}
		if w.Coins != 150 {
			t.Errorf("guardian's coins = %d, want 150", w.Coins)
		}
	})
	t.Run("refund request key", func(t *testing.T) {
		t.Parallel()
		m := minorsEngineOn(t, open, "fair-eu")
		parent := m.fanAged(t, "parent", born40, fanclub.AgeIdentity, "")
		kid := m.fanAged(t, "kid", born15, fanclub.AgeIdentity, "fair-eu")
		m.link(t, parent, kid)
		if _, err := m.BuyCoins(ctx, kid, 100, "buy"); err != nil {
			t.Fatal(err)
		}
		since := m.clock.Now().Add(time.Hour)
		until := since.Add(time.Hour)
		first, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{Since: &since, Until: &until}, "k")
		if err != nil {
			t.Fatal(err)
		}
		retry, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{Since: &since, Until: &until}, "k")
		if err != nil || retry.ID != first.ID {
			t.Fatalf("retry: %v, id %d, want %d", err, retry.ID, first.ID)
		}
		m.clock.Set(m.clock.Now().Add(48 * time.Hour))
		if _, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{}, "k"); fanclub.ErrorCode(err) != fanclub.EKEYREUSED {
			t.Fatalf("the key for another period: %v, want %s", err, fanclub.EKEYREUSED)
		}
	})
}

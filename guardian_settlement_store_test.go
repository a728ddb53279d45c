package fanclub_test

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/ledger"
)

func TestGuardianRefundAndSettlement(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testGuardianRefundAndSettlement)
}

// testGuardianRefundAndSettlement checks that a gift reversed by a
// guardian refund is not settled again, and that a share already
// settled is not taken from another week's pending revenue.
func testGuardianRefundAndSettlement(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	monday := time.Date(2026, 3, 15, 16, 0, 0, 0, time.UTC) // Monday 00:00 Asia/Shanghai
	tests := []struct {
		name           string
		settleFirst    bool // the refunded gift's week settles before the refund
		pending, avail int64
	}{
		{"reversed before its settlement", false, 0, 200},
		{"reversed after its settlement", true, 0, 200 + 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := minorsEngineOn(t, open, "fair-eu")
			parent := m.fanAged(t, "parent", born40, fanclub.AgeIdentity, "")
			kid := m.fanAged(t, "kid", born15, fanclub.AgeIdentity, "fair-eu")
			adult := m.fanAged(t, "adult", born40, fanclub.AgeIdentity, "fair-eu")
			m.link(t, parent, kid)
			club := m.club["fair-eu"]
			for _, fan := range []int64{kid, adult} {
				if _, err := m.BuyCoins(ctx, fan, 100, "buy"); err != nil {
					t.Fatal(err)
				}
			}
			g, err := m.SendGift(ctx, kid, club, 60, "kid-gift")
			if err != nil {
				t.Fatal(err)
			}
			creator := g.Gift.CreatorID
			refund := func() {
				t.Helper()
				if _, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{}, "r1"); err != nil {
					t.Fatalf("refund: %v", err)
				}
			}
			settle := func() {
				t.Helper()
				if _, err := m.RunDueJobs(ctx); err != nil {
					t.Fatalf("run jobs: %v", err)
				}
			}
			if tt.settleFirst {
				m.clock.Set(monday)
				settle()
			}
			if _, err := m.SendGift(ctx, adult, club, 40, "adult-gift"); err != nil {
				t.Fatal(err)
			}
			refund()
			m.clock.Set(monday.Add(7 * 24 * time.Hour))
			settle()
			pending := readLedgerAccount(t, m.store, ledger.CreatorPending(creator, "CNY")).Balance()
			avail := readLedgerAccount(t, m.store, ledger.CreatorAvailable(creator, "CNY")).Balance()
			if pending != tt.pending || avail != tt.avail {
				t.Fatalf("pending %d available %d, want %d %d", pending, avail, tt.pending, tt.avail)
			}
		})
	}
}

func TestGuardianRefundOfAFrozenShare(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testGuardianRefundOfAFrozenShare)
}

// testGuardianRefundOfAFrozenShare checks that a guardian refund of a
// douyin gift whose share an exit froze leaves the share on its hold
// (an operator releases or voids it) and still refunds the rest.
func testGuardianRefundOfAFrozenShare(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	m := minorsEngineOn(t, open, "douyin")
	parent := m.fanAged(t, "parent", "", "", "")
	kid := m.fanAged(t, "kid", born15, fanclub.AgeSelfDeclared, "douyin")
	m.link(t, parent, kid)
	club := m.club["douyin"]
	if _, err := m.BuyCoins(ctx, kid, 100, "buy"); err != nil {
		t.Fatal(err)
	}
	g, err := m.SendGift(ctx, kid, club, 60, "gift")
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.RequestExit(ctx, kid, club, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.ConfirmExit(ctx, kid, r.ID, rightAnswers(t, m.store, r.ID)); err != nil {
		t.Fatalf("exit: %v", err)
	}
	doc := &fanclub.RefundDocument{Name: "declaration.pdf", Notary: "Notary"}
	req, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{Document: doc}, "r1")
	if err != nil {
		t.Fatal(err)
	}
	d, err := m.DecideGuardianRefund(ctx, req.ID, "ops", true, "")
	if err != nil || d.Status != fanclub.RefundRefunded || d.Gifts != 1 {
		t.Fatalf("approve: %v %+v", err, d)
	}
	pending := readLedgerAccount(t, m.store, ledger.CreatorPending(g.Gift.CreatorID, "CNY"))
	if pending.Balance() != g.Gift.Share || pending.DebitsPending != g.Gift.Share {
		t.Fatalf("the frozen share stays on its hold: %+v", pending)
	}
}

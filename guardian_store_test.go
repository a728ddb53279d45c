package fanclub_test

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/ledger"
)

func TestGuardianLinks(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testGuardianLinks)
}

func testGuardianLinks(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		policy     string
		unilateral bool
	}{
		{"kuaishou", false},
		{"fair", false},
		{"wechat-channels", true},
		{"douyin", true},
	} {
		t.Run(tc.policy, func(t *testing.T) {
			m := minorsEngineOn(t, open, tc.policy)
			parent := m.fanAged(t, "parent", "", "", "")
			kid := m.fanAged(t, "kid", "", "", "")
			l, err := m.RequestGuardianLink(ctx, parent, kid)
			if err != nil || l.Status != fanclub.LinkRequested {
				t.Fatalf("request: %v %+v", err, l)
			}
			if _, err := m.RequestGuardianLink(ctx, parent, kid); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
				t.Fatalf("second request: %v", err)
			}
			if _, err := m.AcceptGuardianLink(ctx, parent, l.ID); fanclub.ErrorCode(err) != fanclub.EFORBIDDEN {
				t.Fatalf("the guardian cannot accept for the minor: %v", err)
			}
			if l, err = m.AcceptGuardianLink(ctx, kid, l.ID); err != nil || l.Status != fanclub.LinkActive {
				t.Fatalf("accept: %v %+v", err, l)
			}
			if _, err := m.UnlinkGuardian(ctx, l.ID, fanclub.SideMinor, parent); fanclub.ErrorCode(err) != fanclub.EFORBIDDEN {
				t.Fatalf("the guardian is not the minor: %v", err)
			}
			_, err = m.UnlinkGuardian(ctx, l.ID, fanclub.SideMinor, kid)
			if tc.unilateral {
				if err != nil {
					t.Fatalf("unilateral unlink: %v", err)
				}
				if ls, _ := m.GuardianLinks(ctx, kid); len(ls) != 0 {
					t.Fatalf("links after unlink: %+v", ls)
				}
				return
			}
			if fanclub.ErrorCode(err) != fanclub.EGUARDIAN {
				t.Fatalf("one side alone: %v", err)
			}
			if _, err := m.UnlinkGuardian(ctx, l.ID, fanclub.SideMinor, kid); fanclub.ErrorCode(err) != fanclub.EGUARDIAN {
				t.Fatalf("the same side twice: %v", err)
			}
			ls, err := m.GuardianLinks(ctx, kid)
			if err != nil || len(ls) != 1 || ls[0].Status != fanclub.LinkActive || ls[0].UnlinkBy != fanclub.SideMinor {
				t.Fatalf("the link stays: %v %+v", err, ls)
			}
			if l, err = m.UnlinkGuardian(ctx, l.ID, fanclub.SideGuardian, parent); err != nil || l.Status != fanclub.LinkRemoved || l.UnlinkBy != "both" {
				t.Fatalf("both sides: %v %+v", err, l)
			}
			l = m.link(t, parent, kid)
			if l, err = m.UnlinkGuardian(ctx, l.ID, fanclub.SideOperator, 0); err != nil || l.Status != fanclub.LinkRemoved {
				t.Fatalf("operator: %v %+v", err, l)
			}
		})
	}
}

func TestGuardianExit(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testGuardianExit)
}

func testGuardianExit(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		policy string
		code   string
	}{
		{"fair", ""},
		{"wechat-channels", ""},
		{"douyin", fanclub.EGUARDIAN},
		{"kuaishou", fanclub.EGUARDIAN},
	} {
		t.Run(tc.policy, func(t *testing.T) {
			m := minorsEngineOn(t, open, tc.policy)
			parent := m.fanAged(t, "parent", "", "", "")
			kid := m.fanAged(t, "kid", born15, fanclub.AgeSelfDeclared, tc.policy)
			stranger := m.fanAged(t, "stranger", "", "", "")
			m.link(t, parent, kid)
			club := m.club[tc.policy]
			if _, err := m.GuardianExitPreview(ctx, stranger, kid, club, nil); fanclub.ErrorCode(err) != fanclub.EFORBIDDEN {
				t.Fatalf("not the guardian: %v", err)
			}
			g, err := m.GuardianExitPreview(ctx, parent, kid, club, nil)
			if fanclub.ErrorCode(err) != tc.code {
				t.Fatalf("preview: %v", err)
			}
			if tc.code != "" {
				// The minor's own request cannot be confirmed by the
				// guardian where the policy gives no remote exit.
				own, err := m.RequestExit(ctx, kid, club, nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := m.ConfirmGuardianExit(ctx, parent, kid, own.ID); fanclub.ErrorCode(err) != tc.code {
					t.Fatalf("guardian confirms the minor's own request: %v, want %s", err, tc.code)
				}
				if ms, err := m.Membership(ctx, kid, club); err != nil || ms.Status != fanclub.StatusActive {
					t.Fatalf("membership after the refused confirm: %v %+v", err, ms)
				}
				return
			}
			if g.Preview == nil || g.Preview.FanID != kid || g.Preview.ClubID != club {
				t.Fatalf("preview: %+v", g)
			}
			done, err := m.ConfirmGuardianExit(ctx, parent, kid, g.Preview.ID)
			if err != nil || done.Outcome == nil || done.Outcome.Membership.Status == fanclub.StatusActive {
				t.Fatalf("confirm: %v %+v", err, done)
			}
		})
	}
}

func TestGuardianRefunds(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testGuardianRefunds)
}

func testGuardianRefunds(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	t.Run("fair refunds in one step", func(t *testing.T) {
		m := minorsEngineOn(t, open, "fair-eu")
		parent := m.fanAged(t, "parent", born40, fanclub.AgeIdentity, "")
		kid := m.fanAged(t, "kid", born15, fanclub.AgeIdentity, "fair-eu")
		m.link(t, parent, kid)
		for i, coins := range []int64{300, 200} {
			if _, err := m.BuyCoins(ctx, kid, coins, "buy"+string(rune('a'+i))); err != nil {
				t.Fatal(err)
			}
		}
		g, err := m.SendGift(ctx, kid, m.club["fair-eu"], 100, "g1")
		if err != nil {
			t.Fatal(err)
		}
		c, err := m.GuardianConsumption(ctx, parent, kid)
		if err != nil || len(c.Payments) != 2 || len(c.Gifts) != 1 || c.Wallet.Coins != 400 {
			t.Fatalf("consumption: %v %+v", err, c)
		}
		r, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{}, "r1")
		if err != nil || r.Status != fanclub.RefundRefunded || r.Amount != 5000 || r.Coins != 500 || r.Gifts != 1 || len(r.Refunds) != 2 {
			t.Fatalf("refund: %v %+v", err, r)
		}
		for _, p := range r.Refunds {
			if p.Status != fanclub.PaymentSucceeded || p.Purpose != fanclub.PurposeGuardianRefund {
				t.Fatalf("refund payment: %+v", p)
			}
		}
		if w, _ := m.Wallet(ctx, kid); w.Coins != 0 {
			t.Fatalf("coins taken back: %+v", w)
		}
		if a := readLedgerAccount(t, m.store, ledger.CreatorPending(g.Gift.CreatorID, "CNY")); a.Balance() != 0 {
			t.Fatalf("creator's pending share reversed: %d", a.Balance())
		}
		again, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{}, "r2")
		if err != nil || again.Amount != 0 || again.Coins != 0 || again.Gifts != 0 {
			t.Fatalf("nothing is refunded twice: %v %+v", err, again)
		}
		replay, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{}, "r1")
		if err != nil || replay.ID != r.ID || replay.Amount != 5000 {
			t.Fatalf("replay: %v %+v", err, replay)
		}
	})
	t.Run("a period refunds only its spending", func(t *testing.T) {
		m := minorsEngineOn(t, open, "fair-eu")
		parent := m.fanAged(t, "parent", born40, fanclub.AgeIdentity, "")
		kid := m.fanAged(t, "kid", born15, fanclub.AgeIdentity, "fair-eu")
		m.link(t, parent, kid)
		if _, err := m.BuyCoins(ctx, kid, 100, "old"); err != nil {
			t.Fatal(err)
		}
		m.clock.Advance(48 * time.Hour)
		since := m.clock.Now()
		if _, err := m.BuyCoins(ctx, kid, 200, "new"); err != nil {
			t.Fatal(err)
		}
		r, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{Since: &since}, "r1")
		if err != nil || r.Amount != 2000 || r.Coins != 200 {
			t.Fatalf("period: %v %+v", err, r)
		}
	})
	t.Run("douyin waits for an operator", func(t *testing.T) {
		m := minorsEngineOn(t, open, "douyin")
		parent := m.fanAged(t, "parent", "", "", "")
		kid := m.fanAged(t, "kid", born15, fanclub.AgeSelfDeclared, "douyin")
		m.link(t, parent, kid)
		if _, err := m.BuyCoins(ctx, kid, 100, "b1"); err != nil {
			t.Fatal(err)
		}
		if _, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{}, "r0"); fanclub.ErrorCode(err) != fanclub.EINVALID {
			t.Fatalf("no document: %v", err)
		}
		doc := &fanclub.RefundDocument{Name: "declaration.pdf", Notary: "Shanghai Notary Office", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
		r, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{Document: doc}, "r1")
		if err != nil || r.Status != fanclub.RefundPending || r.Amount != 0 || r.Document.Notary != doc.Notary {
			t.Fatalf("declared: %v %+v", err, r)
		}
		queue, err := m.GuardianRefunds(ctx, 0, fanclub.RefundPending)
		if err != nil || len(queue) != 1 || queue[0].ID != r.ID || queue[0].Document.SHA256 != doc.SHA256 {
			t.Fatalf("queue: %v %+v", err, queue)
		}
		if w, _ := m.Wallet(ctx, kid); w.Coins != 100 {
			t.Fatalf("nothing moves while pending: %+v", w)
		}
		d, err := m.DecideGuardianRefund(ctx, r.ID, "ops-1", true, "documents in order")
		if err != nil || d.Status != fanclub.RefundRefunded || d.Amount != 1000 || d.DecidedBy != "ops-1" || d.DecidedAt == nil {
			t.Fatalf("approve: %v %+v", err, d)
		}
		if _, err := m.DecideGuardianRefund(ctx, r.ID, "ops-2", false, ""); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
			t.Fatalf("decided twice: %v", err)
		}
		r2, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{Document: doc}, "r2")
		if err != nil {
			t.Fatal(err)
		}
		if d, err := m.DecideGuardianRefund(ctx, r2.ID, "ops-1", false, "duplicate"); err != nil || d.Status != fanclub.RefundRejected || d.Note != "duplicate" {
			t.Fatalf("reject: %v %+v", err, d)
		}
	})
	for _, policy := range []string{"wechat-channels", "kuaishou"} {
		t.Run(policy+" gives no refund channel", func(t *testing.T) {
			m := minorsEngineOn(t, open, policy)
			parent := m.fanAged(t, "parent", "", "", "")
			kid := m.fanAged(t, "kid", "", "", "")
			m.link(t, parent, kid)
			if _, err := m.RequestGuardianRefund(ctx, parent, kid, fanclub.GuardianRefundInput{}, "r1"); fanclub.ErrorCode(err) != fanclub.EGUARDIAN {
				t.Fatalf("refund: %v", err)
			}
			if _, err := m.GuardianConsumption(ctx, parent, kid); fanclub.ErrorCode(err) != fanclub.EGUARDIAN {
				t.Fatalf("consumption: %v", err)
			}
		})
	}
}

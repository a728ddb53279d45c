package fanclub_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/payments/sandbox"
)

func TestSetAge(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testSetAge)
}

func testSetAge(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	m := minorsEngineOn(t, open, "fair")
	f := m.fanAged(t, "kid", "", "", "")
	for _, tc := range []struct {
		name, birth string
		method      fanclub.AgeMethod
		code, path  string
	}{
		{"bad date", "2011-13-01", fanclub.AgeSelfDeclared, fanclub.EINVALID, "birth_date"},
		{"bad method", born15, "passport", fanclub.EINVALID, "method"},
		{"inherited without a guardian", born15, fanclub.AgeInherited, fanclub.ECONFLICT, ""},
		{"born tomorrow", "2026-03-11", fanclub.AgeSelfDeclared, fanclub.EINVALID, "birth_date"},
	} {
		_, err := m.SetAge(ctx, f, tc.birth, tc.method)
		if fanclub.ErrorCode(err) != tc.code || (tc.path != "" && fanclub.ErrorFields(err)[0].Path != tc.path) {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	if err := m.vfy.FailAge(ctx, f, true); err != nil {
		t.Fatal(err)
	}
	if _, err := m.SetAge(ctx, f, born15, fanclub.AgeIdentity); fanclub.ErrorCode(err) != fanclub.EAGEUNVERIFIED {
		t.Fatalf("failed identity check: %v", err)
	}
	if _, err := m.AgeOf(ctx, f); fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
		t.Fatalf("a failed check records nothing: %v", err)
	}
	if err := m.vfy.FailAge(ctx, f, false); err != nil {
		t.Fatal(err)
	}
	a, err := m.SetAge(ctx, f, born15, fanclub.AgeIdentity)
	if err != nil || a.Age != 15 || !a.Minor || a.Ref == "" || a.Method != fanclub.AgeIdentity {
		t.Fatalf("identity: %v %+v", err, a)
	}
	if _, err := m.SetAge(ctx, f, born40, fanclub.AgeSelfDeclared); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
		t.Fatalf("a declaration cannot replace a verified age: %v", err)
	}
	got, err := m.AgeOf(ctx, f)
	if err != nil || got.BirthDate != born15 || !got.Minor {
		t.Fatalf("age of: %v %+v", err, got)
	}
}

func TestMinorSpendingRules(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testMinorSpendingRules)
}

func testMinorSpendingRules(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	t.Run("fair in CN refuses a minor's coins and gifts", func(t *testing.T) {
		m := minorsEngineOn(t, open, "fair")
		kid := m.fanAged(t, "kid", born15, fanclub.AgeIdentity, "fair")
		if _, err := m.BuyCoins(ctx, kid, 10, "k1"); fanclub.ErrorCode(err) != fanclub.EMINOR {
			t.Fatalf("coins: %v", err)
		}
		if _, err := m.SendGift(ctx, kid, m.club["fair"], 1, "g1"); fanclub.ErrorCode(err) != fanclub.EMINOR {
			t.Fatalf("gift: %v", err)
		}
		unverified := m.fanAged(t, "adult", born40, fanclub.AgeSelfDeclared, "")
		if _, err := m.BuyCoins(ctx, unverified, 10, "k1"); fanclub.ErrorCode(err) != fanclub.EAGEUNVERIFIED {
			t.Fatalf("self-declared under id_check: %v", err)
		}
		adult := m.fanAged(t, "verified", born40, fanclub.AgeIdentity, "")
		if _, err := m.BuyCoins(ctx, adult, 10, "k1"); err != nil {
			t.Fatalf("verified adult: %v", err)
		}
		ps, err := m.ListPayments(ctx, kid)
		if err != nil || len(ps) != 0 {
			t.Fatalf("a refused minor has no payment: %v %d", err, len(ps))
		}
	})
	t.Run("fair elsewhere caps per transaction and per day", func(t *testing.T) {
		m := minorsEngineOn(t, open, "fair-eu")
		kid := m.fanAged(t, "kid", born15, fanclub.AgeIdentity, "fair-eu")
		for i, tc := range []struct {
			coins int64
			code  string
		}{
			{600, fanclub.ESPENDINGCAP}, // 60.00 > 50.00 per transaction
			{400, ""},
			{400, ""},
			{300, fanclub.ESPENDINGCAP}, // 80.00 spent, 20.00 remains
			{200, ""},
			{1, fanclub.ESPENDINGCAP},
		} {
			_, err := m.BuyCoins(ctx, kid, tc.coins, "k"+strconv.Itoa(i))
			if fanclub.ErrorCode(err) != tc.code {
				t.Fatalf("buy %d: want %q, got %v", tc.coins, tc.code, err)
			}
		}
		if _, err := m.SendGift(ctx, kid, m.club["fair-eu"], 100, "g1"); err != nil {
			t.Fatalf("gifts spend coins already capped: %v", err)
		}
		m.clock.Advance(24 * 3600e9)
		if _, err := m.BuyCoins(ctx, kid, 100, "next-day"); err != nil {
			t.Fatalf("the next day: %v", err)
		}
	})
	t.Run("wechat runs a face check on a minor's spending", func(t *testing.T) {
		m := minorsEngineOn(t, open, "wechat-channels")
		kid := m.fanAged(t, "kid", born15, fanclub.AgeBankCard, "wechat-channels")
		if err := m.vfy.FailFace(ctx, kid, true); err != nil {
			t.Fatal(err)
		}
		if _, err := m.BuyCoins(ctx, kid, 10, "k1"); fanclub.ErrorCode(err) != fanclub.EFACEFAILED {
			t.Fatalf("failed face check: %v", err)
		}
		if err := m.vfy.FailFace(ctx, kid, false); err != nil {
			t.Fatal(err)
		}
		if _, err := m.BuyCoins(ctx, kid, 10, "k2"); err != nil {
			t.Fatalf("passed face check: %v", err)
		}
		declared := m.fanAged(t, "declared", born40, fanclub.AgeSelfDeclared, "")
		if _, err := m.BuyCoins(ctx, declared, 10, "k1"); fanclub.ErrorCode(err) != fanclub.EAGEUNVERIFIED {
			t.Fatalf("wechat needs a bank card: %v", err)
		}
	})
	t.Run("douyin audits nothing", func(t *testing.T) {
		m := minorsEngineOn(t, open, "douyin")
		kid := m.fanAged(t, "kid", born15, fanclub.AgeSelfDeclared, "douyin")
		if _, err := m.BuyCoins(ctx, kid, 100, "k1"); err != nil {
			t.Fatalf("coins: %v", err)
		}
		if _, err := m.SendGift(ctx, kid, m.club["douyin"], 100, "g1"); err != nil {
			t.Fatalf("gift: %v", err)
		}
	})
	t.Run("kuaishou books a minor's spending to the guardian", func(t *testing.T) {
		m := minorsEngineOn(t, open, "kuaishou")
		parent := m.fanAged(t, "parent", born40, fanclub.AgeSelfDeclared, "")
		kid := m.fanAged(t, "kid", "", "", "kuaishou")
		m.link(t, parent, kid)
		if _, err := m.SetAge(ctx, kid, born15, fanclub.AgeInherited); err != nil {
			t.Fatal(err)
		}
		buy, err := m.BuyCoins(ctx, kid, 100, "k1")
		if err != nil || buy.Payment.FanID != parent || buy.Wallet.Coins != 100 {
			t.Fatalf("coins: %v %+v", err, buy)
		}
		g, err := m.SendGift(ctx, kid, m.club["kuaishou"], 30, "g1")
		if err != nil || g.Gift.FanID != parent || g.Wallet.Coins != 70 || g.Membership.FanID != kid || g.Gift.Points != 300 {
			t.Fatalf("gift: %v %+v", err, g)
		}
		if again, err := m.SendGift(ctx, kid, m.club["kuaishou"], 30, "g1"); err != nil || again.Gift.ID != g.Gift.ID {
			t.Fatalf("gift replay: %v", err)
		}
		ps, err := m.ListPayments(ctx, kid)
		if err != nil || len(ps) != 0 {
			t.Fatalf("the minor has no payment of its own: %v %d", err, len(ps))
		}
		w, err := m.Wallet(ctx, kid)
		if err != nil || w.Coins != 0 {
			t.Fatalf("the minor has no coins of its own: %v %+v", err, w)
		}
	})
}

// TestMinorDailyCapUnderConcurrentPurchases sends a minor's purchases at
// the same instant: the day's cap holds across them (the cap is checked
// again in the transaction that records the charge).
func TestMinorDailyCapUnderConcurrentPurchases(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testMinorDailyCapUnderConcurrentPurchases)
}

func testMinorDailyCapUnderConcurrentPurchases(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	m := minorsEngineOn(t, open, "fair-eu")
	kid := m.fanAged(t, "kid", born15, fanclub.AgeIdentity, "fair-eu")
	const buyers = 6
	errs := make(chan error, buyers)
	start := make(chan struct{})
	for i := range buyers {
		go func() {
			<-start
			_, err := m.BuyCoins(ctx, kid, 400, "same-instant-"+strconv.Itoa(i)) // 40.00 each, 100.00 a day
			errs <- err
		}()
	}
	close(start)
	var bought int
	for range buyers {
		switch err := <-errs; fanclub.ErrorCode(err) {
		case "":
			bought++
		case fanclub.ESPENDINGCAP:
		default:
			t.Errorf("purchase: %v", err)
		}
	}
	ps, err := m.ListPayments(ctx, kid)
	if err != nil {
		t.Fatal(err)
	}
	var charged int64
	for _, p := range ps {
		if p.Status != fanclub.PaymentDeclined {
			charged += p.Amount
		}
	}
	if bought != 2 || charged != 8000 {
		t.Fatalf("%d purchases went through, %d fen charged; the day's cap of 100.00 allows 2 of 40.00 (8000 fen)", bought, charged)
	}
}

// TestMinorRenewalWithinCaps renews a minor's subscription on a day whose
// purchases leave less than its price under the day's cap: the renewal is
// declined without a charge (past due), and its retry a day later, with
// the cap's room back, renews it.
func TestMinorRenewalWithinCaps(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testMinorRenewalWithinCaps)
}

func testMinorRenewalWithinCaps(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	m := minorsEngineOn(t, open, "fair-eu")
	kid := m.fanAged(t, "kid", born15, fanclub.AgeIdentity, "fair-eu")
	club := m.club["fair-eu"]
	renew := true
	sub, err := m.Subscribe(ctx, kid, club, "vip", fanclub.PlanMonthly, &renew, "sub")
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	end := sub.PeriodEnd
	m.clock.Set(end.Add(-time.Hour)) // the renewal's day in Asia/Shanghai
	if _, err := m.RunDueJobs(ctx); err != nil {
		t.Fatal(err)
	}
	for i, coins := range []int64{400, 400, 100} { // 90.00 of the day's 100.00
		if _, err := m.BuyCoins(ctx, kid, coins, "day-"+strconv.Itoa(i)); err != nil {
			t.Fatalf("buy %d: %v", coins, err)
		}
	}
	m.clock.Set(end)
	if _, err := m.RunDueJobs(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := m.SubscriptionOf(ctx, kid, club)
	if err != nil || got.Status != fanclub.SubPastDue {
		t.Fatalf("a renewal of 15.00 with 10.00 left today: %v %+v", err, got)
	}
	ps, err := m.ListPayments(ctx, kid)
	if err != nil {
		t.Fatal(err)
	}
	last := ps[len(ps)-1]
	if last.Purpose != fanclub.PurposeRenewal || last.Status != fanclub.PaymentDeclined || last.DeclineCode != fanclub.ESPENDINGCAP {
		t.Fatalf("the renewal's payment: %+v", last)
	}
	var charges []*fanclub.PaymentRecord
	err = inReadTx(m.store, func(tx fanclub.Tx) error {
		var err error
		charges, err = tx.ListPaymentRecords(ctx, sandbox.Name, kid, "charge")
		return err
	})
	if err != nil || len(charges) != 4 { // the subscription and three purchases
		t.Fatalf("the provider's charges: %v, %d; want the subscription's and three purchases'", err, len(charges))
	}
	m.clock.Set(end.Add(fanclub.RenewalRetryEvery))
	if _, err := m.RunDueJobs(ctx); err != nil {
		t.Fatal(err)
	}
	got, err = m.SubscriptionOf(ctx, kid, club)
	if err != nil || got.Status != fanclub.SubActive || got.PeriodStart.Before(end) {
		t.Fatalf("the retry a day later: %v %+v", err, got)
	}
}

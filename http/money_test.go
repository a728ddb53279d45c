package http

import (
	"fmt"
	"testing"

	"fanclub"
	"fanclub/internal/teststores"
)

func TestCoinsAndGifts(t *testing.T) {
	t.Parallel()
	eachStore(t, testCoinsAndGifts)
}

// testCoinsAndGifts: a fan buys coins and sends gifts through the API,
// under idempotency keys; refusals change nothing.
func testCoinsAndGifts(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("money_creator")
	club := a.newClub(creator, "Money", "fair")
	_, fan := a.newFan("money_fan")
	a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", club.ID), fan, nil)

	p := a.doKeyed("POST", "/v1/me/coins", fan, `{"coins": 100}`).Problem(t)
	if p.Status != 400 || len(p.Errors) != 1 || p.Errors[0].Path != "Idempotency-Key" {
		t.Fatalf("no key: %+v", p)
	}
	p = a.doKeyed("POST", "/v1/me/coins", fan, `{"coins": 0}`, "c0").Problem(t)
	if p.Status != 400 || len(p.Errors) != 1 || p.Errors[0].Path != "coins" {
		t.Fatalf("no coins: %+v", p)
	}
	res := a.doKeyed("POST", "/v1/me/coins", fan, `{"coins": 100}`, "c1")
	if res.Status != 200 {
		t.Fatalf("buy: %d %s", res.Status, res.Body)
	}
	checkSchema(t, "CoinPurchase", res.Body)
	var buy fanclub.CoinPurchase
	res.JSON(t, &buy)
	if buy.Payment.Amount != 1000 || buy.Payment.Status != fanclub.PaymentSucceeded || buy.Wallet.Coins != 100 {
		t.Fatalf("purchase: %s", res.Body)
	}
	if again := a.doKeyed("POST", "/v1/me/coins", fan, `{"coins": 100}`, "c1"); again.Status != 200 || string(again.Body) != string(res.Body) {
		t.Fatalf("replay: %d %s", again.Status, again.Body)
	}

	gift := a.doKeyed("POST", fmt.Sprintf("/v1/clubs/%d/gifts", club.ID), fan, `{"coins": 40}`, "g1")
	if gift.Status != 200 {
		t.Fatalf("gift: %d %s", gift.Status, gift.Body)
	}
	checkSchema(t, "GiftResult", gift.Body)
	var g fanclub.GiftResult
	gift.JSON(t, &g)
	if g.Gift.Points != 400 || g.Gift.Share != 200 || g.Wallet.Coins != 60 || g.Membership.LevelPoints != 400 {
		t.Fatalf("gift: %s", gift.Body)
	}
	short := a.doKeyed("POST", fmt.Sprintf("/v1/clubs/%d/gifts", club.ID), fan, `{"coins": 61}`, "g2").Problem(t)
	if short.Status != 402 || short.Code != fanclub.EINSUFFICIENT {
		t.Fatalf("short: %+v", short)
	}
	// A fan's own gift interaction stays refused, pointing at the gift route.
	ia := a.doKeyed("POST", fmt.Sprintf("/v1/clubs/%d/interactions", club.ID), fan, `{"action": "gift", "amount": 5}`, "i1").Problem(t)
	if ia.Status != 400 || len(ia.Errors) != 1 || ia.Errors[0].Path != "action" {
		t.Fatalf("gift interaction: %+v", ia)
	}

	wl := a.must(200, "GET", "/v1/me/wallet", fan, nil)
	checkSchema(t, "Wallet", wl.Body)
	var w fanclub.Wallet
	wl.JSON(t, &w)
	if w.Coins != 60 {
		t.Fatalf("wallet: %s", wl.Body)
	}
	pl := a.must(200, "GET", "/v1/me/payments", fan, nil)
	checkSchema(t, "PaymentList", pl.Body)
	var list PaymentList
	pl.JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].Coins != 100 {
		t.Fatalf("payments: %s", pl.Body)
	}
	if v := a.levelPoints(fan, club.ID); v != 400 {
		t.Fatalf("level points %d after the refused gift, want 400", v)
	}
}

func TestSubscriptions(t *testing.T) {
	t.Parallel()
	eachStore(t, testSubscriptions)
}

// testSubscriptions: subscribe, read, cancel under fair; subscribe and
// revoke the agreement under kuaishou; refusals.
func testSubscriptions(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("sub_creator")
	fair := a.newClub(creator, "Fair", "fair")
	ks := a.newClub(creator, "Kuaishou", "kuaishou")
	_, fan := a.newFan("sub_fan")
	subPath := func(c int64) string { return fmt.Sprintf("/v1/clubs/%d/subscription", c) }

	p := a.doKeyed("POST", subPath(fair.ID), fan, `{"tier":"vip","plan":"monthly"}`, "s0").Problem(t)
	if p.Status != 409 || p.Code != fanclub.ENOTMEMBER {
		t.Fatalf("not a member: %+v", p)
	}
	a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", fair.ID), fan, nil)
	a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", ks.ID), fan, nil)
	p = a.doKeyed("POST", subPath(fair.ID), fan, `{"tier":"gold","plan":"weekly"}`, "s1").Problem(t)
	if p.Status != 400 || len(p.Errors) == 0 {
		t.Fatalf("bad tier: %+v", p)
	}
	res := a.doKeyed("POST", subPath(fair.ID), fan, `{"tier":"vip","plan":"monthly","auto_renew":true}`, "s2")
	if res.Status != 200 {
		t.Fatalf("subscribe: %d %s", res.Status, res.Body)
	}
	checkSchema(t, "SubscriptionResult", res.Body)
	var sub fanclub.SubscriptionResult
	res.JSON(t, &sub)
	if sub.Status != fanclub.SubActive || !sub.AutoRenew || sub.Price != 1500 || sub.Payment == nil || sub.Payment.Amount != 1500 {
		t.Fatalf("subscription: %s", res.Body)
	}
	if p := a.doKeyed("POST", subPath(fair.ID), fan, `{"tier":"vip","plan":"annual"}`, "s3").Problem(t); p.Status != 409 {
		t.Fatalf("second live subscription: %+v", p)
	}
	got := a.must(200, "GET", subPath(fair.ID), fan, nil)
	checkSchema(t, "SubscriptionResult", got.Body)
	c := a.must(200, "DELETE", subPath(fair.ID)+"/auto-renew", fan, nil)
	checkSchema(t, "SubscriptionResult", c.Body)
	var canceled fanclub.SubscriptionResult
	c.JSON(t, &canceled)
	if canceled.Status != fanclub.SubCanceled || canceled.AutoRenew || canceled.Payment != nil || !canceled.BenefitsActive {
		t.Fatalf("canceled: %s", c.Body)
	}

	// kuaishou: an agreement; cancel is refused, revoking stops renewal.
	res = a.doKeyed("POST", subPath(ks.ID), fan, `{"tier":"vip","plan":"monthly"}`, "k1")
	if res.Status != 200 {
		t.Fatalf("kuaishou subscribe: %d %s", res.Status, res.Body)
	}
	var ksub fanclub.SubscriptionResult
	res.JSON(t, &ksub)
	if ksub.AgreementID == "" || !ksub.AutoRenew {
		t.Fatalf("kuaishou subscription: %s", res.Body)
	}
	if p := a.do("DELETE", subPath(ks.ID)+"/auto-renew", fan, nil).Problem(t); p.Status != 400 {
		t.Fatalf("kuaishou cancel: %+v", p)
	}
	if p := a.do("POST", "/v1/me/payment-agreements/"+ksub.AgreementID+":pause", fan, nil).Problem(t); p.Status != 404 {
		t.Fatalf("unknown action: %+v", p)
	}
	rv := a.must(200, "POST", "/v1/me/payment-agreements/"+ksub.AgreementID+":revoke", fan, nil)
	checkSchema(t, "AgreementRevoked", rv.Body)
	var revoked AgreementRevoked
	rv.JSON(t, &revoked)
	if len(revoked.Subscriptions) != 1 || revoked.Subscriptions[0].AutoRenew || revoked.Subscriptions[0].Status != fanclub.SubCanceled {
		t.Fatalf("revoked: %s", rv.Body)
	}
}

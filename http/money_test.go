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

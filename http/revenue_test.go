package http

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

// TestCreatorRevenueFlow runs creator revenue through the API: a fan's
// gifts in a douyin club, the week's team task, the exit that freezes
// the creator's share and returns half the coins, the operator's
// release, the Monday settlement, the creator's balances, settlements
// and CSV statement, and a payout.
func TestCreatorRevenueFlow(t *testing.T) {
	t.Parallel()
	eachStore(t, testCreatorRevenueFlow)
}

func testCreatorRevenueFlow(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	cr, creator := a.newCreator("rev_creator")
	club := a.newClub(creator, "Dou", "douyin")
	_, fan := a.newFan("giver")
	a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", club.ID), fan, nil)
	if r := a.doWithKey("POST", "/v1/me/coins", fan, map[string]any{"coins": 100}, "buy-1"); r.Status != 200 {
		t.Fatalf("buy: %d %s", r.Status, r.Body)
	}
	if r := a.doWithKey("POST", fmt.Sprintf("/v1/clubs/%d/gifts", club.ID), fan, map[string]any{"coins": 30}, "gift-1"); r.Status != 200 {
		t.Fatalf("gift: %d %s", r.Status, r.Body)
	}
	var task fanclub.TaskView
	a.must(200, "GET", fmt.Sprintf("/v1/clubs/%d/task", club.ID), fan, nil).JSON(t, &task)
	if task.Goal != 5000 || task.Progress != 300 || task.Met || task.Reward != 50 {
		t.Fatalf("task: %+v", task)
	}
	var rev fanclub.CreatorRevenue
	a.must(200, "GET", "/v1/creators/me/revenue", creator, nil).JSON(t, &rev)
	if rev.Pending != 150 || rev.CreatorID != cr.ID {
		t.Fatalf("revenue: %+v", rev)
	}

	var req exitRequest
	a.must(201, "POST", fmt.Sprintf("/v1/clubs/%d/exit-requests", club.ID), fan, nil).JSON(t, &req)
	a.must(200, "POST", req.Links.Confirm, fan, map[string]any{"slider": a.sliderTarget(req.ID), "password": "pw-giver-secret"})
	var wallet fanclub.Wallet
	a.must(200, "GET", "/v1/me/wallet", fan, nil).JSON(t, &wallet)
	if wallet.Coins != 85 {
		t.Fatalf("wallet after a douyin exit: %+v (want 70 + half of 30)", wallet)
	}
	var holds HoldList
	a.must(200, "GET", "/v1/admin/revenue/holds", a.Admin, nil).JSON(t, &holds)
	if len(holds.Items) != 1 || holds.Items[0].Amount != 150 {
		t.Fatalf("holds: %+v", holds)
	}
	release := fmt.Sprintf("/v1/admin/revenue/holds/%d/release", holds.Items[0].ID)
	a.must(400, "POST", release, a.Admin, map[string]string{"reason": " "})
	for range 2 {
		var h fanclub.Hold
		a.must(200, "POST", release, a.Admin, map[string]string{"reason": "appeal accepted"}).JSON(t, &h)
		if h.State != fanclub.HoldReleased || !strings.HasPrefix(h.ResolvedBy, "admin:") || h.Reason != "appeal accepted" {
			t.Fatalf("released hold: %+v", h)
		}
	}
	a.must(409, "POST", fmt.Sprintf("/v1/admin/revenue/holds/%d/void", holds.Items[0].ID), a.Admin, map[string]string{"reason": "too late"})

	// Monday 2026-11-23 00:00 in Asia/Shanghai.
	a.Clock.Set(time.Date(2026, 11, 22, 16, 0, 0, 0, time.UTC))
	if _, err := a.Engine.RunDueJobs(context.Background()); err != nil {
		t.Fatalf("run jobs: %v", err)
	}
	a.must(200, "GET", "/v1/creators/me/revenue", creator, nil).JSON(t, &rev)
	if rev.Available != 150 || rev.Pending != 0 || rev.Frozen != 0 || rev.Released != 0 {
		t.Fatalf("revenue after settlement: %+v", rev)
	}
	var ss SettlementList
	a.must(200, "GET", "/v1/creators/me/settlements", creator, nil).JSON(t, &ss)
	if len(ss.Items) != 1 || ss.Items[0].Frozen != 150 || ss.Items[0].Released != 150 || len(ss.Items[0].Lines) != 2 {
		t.Fatalf("settlements: %+v", ss.Items)
	}
	res := a.must(200, "GET", "/v1/creators/me/statements/2026-11-16", creator, nil)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("statement content type %q", ct)
	}
	want := "week,club_id,state,fan_id,outcome,gifts,coins,value,share,currency\n"
	if body := string(res.Body); !strings.HasPrefix(body, want) || !strings.Contains(body, ",frozen,1,30,300,150,CNY\n") ||
		!strings.Contains(body, ",released,0,0,0,150,CNY\n") {
		t.Fatalf("statement:\n%s", body)
	}
	for range 2 {
		var po fanclub.CreatorPayout
		r := a.doWithKey("POST", "/v1/creators/me/payouts", creator, map[string]any{"amount": 100}, "payout-1")
		if r.Status != 200 {
			t.Fatalf("payout: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &po)
		if po.State != fanclub.PayoutPaid || po.Amount != 100 || po.Revenue.Available != 50 {
			t.Fatalf("payout: %+v", po)
		}
	}
	a.must(400, "POST", "/v1/creators/me/payouts", creator, map[string]any{"amount": 10})
	if r := a.doWithKey("POST", "/v1/creators/me/payouts", creator, map[string]any{"amount": 51}, "payout-2"); r.Status != 402 {
		t.Fatalf("payout beyond available: %d %s", r.Status, r.Body)
	}
	a.must(400, "GET", "/v1/creators/me/statements/last-week", creator, nil)
	a.must(400, "GET", "/v1/creators/me/revenue", a.Admin, nil)
	a.must(200, "GET", fmt.Sprintf("/v1/creators/me/revenue?creator_id=%d", cr.ID), a.Admin, nil)
}

// TestReviewThroughAPI runs kuaishou's review through the API: the exit
// charges damages (the rest owed) and flags the creator; an admin lists
// the open review and closes it, twice with the same answer.
func TestReviewThroughAPI(t *testing.T) {
	t.Parallel()
	eachStore(t, testReviewThroughAPI)
}

func testReviewThroughAPI(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	cr, creator := a.newCreator("ks_creator")
	club := a.newClub(creator, "Kuai", "kuaishou")
	f, fan := a.newFan("leaver")
	a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", club.ID), fan, nil)
	if r := a.doWithKey("POST", "/v1/me/coins", fan, map[string]any{"coins": 100}, "buy-1"); r.Status != 200 {
		t.Fatalf("buy: %d %s", r.Status, r.Body)
	}
	if r := a.doWithKey("POST", fmt.Sprintf("/v1/clubs/%d/gifts", club.ID), fan, map[string]any{"coins": 80}, "gift-1"); r.Status != 200 {
		t.Fatalf("gift: %d %s", r.Status, r.Body)
	}
	var req exitRequest
	a.must(201, "POST", fmt.Sprintf("/v1/clubs/%d/exit-requests", club.ID), fan, nil).JSON(t, &req)
	code, err := a.Engine.ExitCaptcha(context.Background(), f.ID, req.ID)
	if err != nil {
		t.Fatalf("captcha: %v", err)
	}
	var out fanclub.ExitOutcome
	a.must(200, "POST", req.Links.Confirm, fan, fanclub.ExitAnswers{Captcha: code}).JSON(t, &out)
	if rv := out.Impact.Revenue; rv == nil || rv.Damages != 80 || rv.DamagesPaid != 20 || rv.DamagesOwed != 60 || !rv.CreatorFlagged || !rv.TaskBarredForever {
		t.Fatalf("exit revenue: %+v", out.Impact.Revenue)
	}
	var wallet fanclub.Wallet
	a.must(200, "GET", "/v1/me/wallet", fan, nil).JSON(t, &wallet)
	if wallet.Coins != 0 || wallet.Owed != 60 {
		t.Fatalf("wallet: %+v", wallet)
	}
	var rs ReviewList
	a.must(200, "GET", "/v1/admin/revenue/reviews", a.Admin, nil).JSON(t, &rs)
	if len(rs.Items) != 1 || rs.Items[0].CreatorID != cr.ID {
		t.Fatalf("open reviews: %+v", rs.Items)
	}
	closePath := fmt.Sprintf("/v1/admin/revenue/reviews/%d/close", rs.Items[0].ID)
	for range 2 {
		var v fanclub.Review
		a.must(200, "POST", closePath, a.Admin, map[string]string{"reason": "checked"}).JSON(t, &v)
		if v.State != fanclub.ReviewClosed || v.Reason != "checked" || !strings.HasPrefix(v.ClosedBy, "admin:") {
			t.Fatalf("closed review: %+v", v)
		}
	}
	a.must(200, "GET", "/v1/admin/revenue/reviews?state=closed", a.Admin, nil).JSON(t, &rs)
	if len(rs.Items) != 1 {
		t.Fatalf("closed reviews: %+v", rs.Items)
	}
	a.must(400, "GET", "/v1/admin/revenue/reviews?state=pending", a.Admin, nil)
	var rev fanclub.CreatorRevenue
	a.must(200, "GET", "/v1/creators/me/revenue", creator, nil).JSON(t, &rev)
	if rev.Flagged || rev.Pending != 400 {
		t.Fatalf("revenue after the review: %+v", rev)
	}
}

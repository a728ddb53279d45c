package fanclub_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

// A subscribe retried under its key answers with the subscription that
// key paid for, even after the fan left, was refunded and subscribed
// again under another key; the key with another tier, plan or auto-renew
// choice is EKEYREUSED and changes nothing.
func TestSubscribeRetryAnswersItsOwnSubscription(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testSubscribeRetryAnswersItsOwnSubscription)
}

func testSubscribeRetryAnswersItsOwnSubscription(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	m := moneyEngineOn(t, open, nil)
	fan, club := memberOf(t, m.Engine, "fair")
	on := true
	first, err := m.Subscribe(ctx, fan, club, "vip", fanclub.PlanQuarterly, &on, "sub-1")
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	m.clock.Advance(time.Hour)
	req, err := m.RequestExit(ctx, fan, club, map[string]string{fanclub.ChoicePaid: "refund"})
	if err != nil {
		t.Fatalf("request exit: %v", err)
	}
	if _, err := m.ConfirmExit(ctx, fan, req.ID, rightAnswers(t, m.store, req.ID)); err != nil {
		t.Fatalf("confirm exit: %v", err)
	}
	m.clock.Advance(time.Hour)
	if _, err := m.Join(ctx, fan, club); err != nil {
		t.Fatalf("rejoin: %v", err)
	}
	second, err := m.Subscribe(ctx, fan, club, "vip", fanclub.PlanMonthly, nil, "sub-2")
	if err != nil {
		t.Fatalf("second subscribe: %v", err)
	}
	if second.ID == first.ID {
		t.Fatalf("the second subscribe answered with the first subscription %d", first.ID)
	}
	m.clock.Advance(time.Hour)
	again, err := m.Subscribe(ctx, fan, club, "vip", fanclub.PlanQuarterly, &on, "sub-1")
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if again.ID != first.ID || again.Plan != fanclub.PlanQuarterly || again.Payment == nil || again.Payment.ID != first.Payment.ID {
		t.Errorf("retry answered subscription %d (%s, payment %+v), want %d (%s, payment %d)",
			again.ID, again.Plan, again.Payment, first.ID, first.Plan, first.Payment.ID)
	}
	off := false
	for _, tc := range []struct {
		name string
		plan fanclub.Plan
		tier string
		auto *bool
	}{
		{"another plan", fanclub.PlanAnnual, "vip", &on},
		{"another auto-renew choice", fanclub.PlanQuarterly, "vip", &off},
	} {
		_, err := m.Subscribe(ctx, fan, club, tc.tier, tc.plan, tc.auto, "sub-1")
		if fanclub.ErrorCode(err) != fanclub.EKEYREUSED {
			t.Errorf("%s under the first key: %v, want %s", tc.name, err, fanclub.EKEYREUSED)
		}
	}
	cur, err := m.SubscriptionOf(ctx, fan, club)
	if err != nil || cur.ID != second.ID || cur.Plan != fanclub.PlanMonthly {
		t.Errorf("live subscription after the refused reuses: %+v, %v; want %d monthly", cur, err, second.ID)
	}
}

// An exit request keeps its paid preview as made, and a confirmation
// after the subscription changed is refused (ECONFLICT) instead of
// executing a paid exit the fan was not shown.
func TestExitConfirmAfterSubscriptionChanged(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testExitConfirmAfterSubscriptionChanged)
}

func testExitConfirmAfterSubscriptionChanged(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	m := moneyEngineOn(t, open, nil)
	w := worldWithClubs(t, m.Engine, 2)
	join := func(fan int64, preset string) (int64, int64) {
		t.Helper()
		if _, err := m.Join(ctx, fan, w.clubs[preset]); err != nil {
			t.Fatalf("join %s: %v", preset, err)
		}
		return fan, w.clubs[preset]
	}

	// douyin: the stored request shows the preview's auto-renew, benefits
	// and next charge.
	fan, club := join(w.fans[0], "douyin")
	if _, err := m.Subscribe(ctx, fan, club, "vip", fanclub.PlanMonthly, nil, "d-sub"); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	req, err := m.RequestExit(ctx, fan, club, nil)
	if err != nil {
		t.Fatalf("request exit: %v", err)
	}
	if req.Impact.Paid == nil || !req.Impact.Paid.AutoRenewAfter || req.Impact.Paid.NextCharge == nil {
		t.Fatalf("douyin preview %+v: want auto-renew kept and a next charge", req.Impact.Paid)
	}
	got, err := m.ExitRequest(ctx, fan, req.ID)
	if err != nil {
		t.Fatalf("read request: %v", err)
	}
	if want, have := mustJSON(t, req.Impact.Paid), mustJSON(t, got.Impact.Paid); want != have {
		t.Errorf("stored paid preview\n%s\nwant\n%s", have, want)
	}

	// fair: previewed with no subscription, subscribed before confirming.
	fan, club = join(w.fans[1], "fair")
	req, err = m.RequestExit(ctx, fan, club, nil)
	if err != nil {
		t.Fatalf("request exit: %v", err)
	}
	if req.Impact.Paid != nil {
		t.Fatalf("preview without a subscription shows paid %+v", req.Impact.Paid)
	}
	on := true
	if _, err := m.Subscribe(ctx, fan, club, "vip", fanclub.PlanQuarterly, &on, "f-sub"); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	_, err = m.ConfirmExit(ctx, fan, req.ID, rightAnswers(t, m.store, req.ID))
	if fanclub.ErrorCode(err) != fanclub.ECONFLICT {
		t.Fatalf("confirm after subscribing: %v, want %s", err, fanclub.ECONFLICT)
	}
	sub, err := m.SubscriptionOf(ctx, fan, club)
	if err != nil || sub.Status != fanclub.SubActive || !sub.AutoRenew || !sub.BenefitsActive {
		t.Errorf("subscription after the refused confirm: %+v, %v; want it untouched", sub, err)
	}
	if _, err := m.ConfirmExit(ctx, fan, req.ID, rightAnswers(t, m.store, req.ID)); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
		t.Errorf("second confirm of the void request: %v, want %s", err, fanclub.ECONFLICT)
	}
}

// mustJSON encodes v.
func mustJSON(t testingT, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %T: %v", v, err)
	}
	return string(b)
}

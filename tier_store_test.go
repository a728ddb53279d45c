package fanclub_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/internal/teststores"
	"fanclub/payments/sandbox"
	"fanclub/policyfile"
)

// tieredPolicy is the fair preset renamed, whose vip tier earns 1.5 times
// the points.
const tieredPolicy = "fair-tiered"

// tieredEngineOn is moneyEngineOn with the tieredPolicy registered, a
// creator, a club of that policy and n fans with password "password1".
func tieredEngineOn(t teststores.T, open teststores.Open, n int) (m *moneyEngine, club int64, fans []int64) {
	t.Helper()
	ctx := context.Background()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatalf("registry: %v", err)
	}
	p, err := policyfile.ParseFile("policyfile/presets/fair.yaml")
	if err != nil {
		t.Fatalf("parse fair: %v", err)
	}
	p.Metadata.Name = tieredPolicy
	p.Engagement.TierMultipliers = []fanclub.TierMultiplier{{Tier: "vip", Multiplier: 1.5}}
	if err := reg.Add(p); err != nil {
		t.Fatalf("add policy: %v", err)
	}
	c := clock.NewManual(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
	db := open(t, c.Now)
	sbx := sandbox.New(db, sandbox.Options{})
	e := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: plainHasher{}, Random: rand.Reader, Payments: sbx})
	m = &moneyEngine{Engine: e, clock: c, store: db, sbx: sbx}
	cr, err := e.CreateCreator(ctx, "creator")
	if err != nil {
		t.Fatalf("create creator: %v", err)
	}
	cl, err := e.CreateClub(ctx, cr.ID, "tiered club", tieredPolicy)
	if err != nil {
		t.Fatalf("create club: %v", err)
	}
	for i := range n {
		f, err := e.CreateFan(ctx, "fan_"+string(rune('a'+i)), "password1")
		if err != nil {
			t.Fatalf("create fan: %v", err)
		}
		if _, err := e.Join(ctx, f.ID, cl.ID); err != nil {
			t.Fatalf("join: %v", err)
		}
		fans = append(fans, f.ID)
	}
	return m, cl.ID, fans
}

// interact reports one interaction and returns the points it earned and
// the tier the membership shows after it.
func interact(t *testing.T, m *moneyEngine, fan, club int64, a fanclub.Action, amount int64) (int64, string) {
	t.Helper()
	v, r, err := m.Interact(context.Background(), fan, club, a, amount)
	if err != nil {
		t.Fatalf("interact %s %d: %v", a, amount, err)
	}
	return r.Points, v.Tier
}

func TestTierMultiplier(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testTierMultiplier)
}

// testTierMultiplier: points are multiplied (1.5, rounded down) while the
// fan's paid benefits run, not before subscribing, not after
// benefits_until; the daily cap bounds the multiplied points; a gift's
// points are multiplied; a batch decides per event time; the membership
// shows the tier only while benefits run.
func testTierMultiplier(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	m, club, fans := tieredEngineOn(t, open, 1)
	fan := fans[0]
	step := func(what string, got, want int64) {
		t.Helper()
		if got != want {
			t.Fatalf("%s: %d points, want %d", what, got, want)
		}
	}
	tierIs := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Fatalf("%s: tier %q, want %q", what, got, want)
		}
	}

	// Before subscribing: the plain rule, no tier.
	pts, tier := interact(t, m, fan, club, fanclub.ActionComment, 1)
	step("comment before subscribing", pts, 5)
	tierIs("before subscribing", tier, "")
	beforeSub := m.clock.Now()

	m.clock.Advance(time.Hour)
	if _, err := m.BuyCoins(ctx, fan, 100, "coins"); err != nil {
		t.Fatal(err)
	}
	sub, err := m.Subscribe(ctx, fan, club, "vip", fanclub.PlanMonthly, nil, "sub")
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	v, err := m.Membership(ctx, fan, club)
	if err != nil {
		t.Fatal(err)
	}
	tierIs("membership after subscribing", v.Tier, "vip")

	// While benefits run: floor(points × 1.5), the cap bounding the result.
	for _, tc := range []struct {
		action fanclub.Action
		amount int64
		want   int64
	}{
		{fanclub.ActionComment, 1, 7},        // floor(5 × 1.5)
		{fanclub.ActionLike, 3, 4},           // floor(3 × 1.5)
		{fanclub.ActionWatchMinutes, 30, 45}, // 45 of the 60 cap
		{fanclub.ActionWatchMinutes, 30, 15}, // 45 more, cut to the 15 left
		{fanclub.ActionWatchMinutes, 1, 0},   // the cap is reached
		{fanclub.ActionComment, 10, 38},      // 75, cut to the 50 cap less the 5 + 7 earned today
	} {
		pts, tier := interact(t, m, fan, club, tc.action, tc.amount)
		step(string(tc.action), pts, tc.want)
		tierIs(string(tc.action), tier, "vip")
	}

	// A gift: 10 points a coin, times 1.5, no cap.
	g, err := m.SendGift(ctx, fan, club, 3, "gift")
	if err != nil {
		t.Fatalf("gift: %v", err)
	}
	step("gift", g.Gift.Points, 45)
	tierIs("gift's membership", g.Membership.Tier, "vip")

	// A batch decides by each event's time: one event dated before the
	// payment earns the plain points, one after it the multiplied ones.
	paidAt := sub.PeriodStart
	res, err := m.Ingest(ctx, fanclub.Batch{Events: []fanclub.EventInput{
		{ID: "before", FanID: fan, ClubID: club, Action: fanclub.ActionShare, At: &beforeSub},
		{ID: "after", FanID: fan, ClubID: club, Action: fanclub.ActionShare, At: &paidAt},
	}})
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	step("share dated before the payment", res.Results[0].Points, 10)
	step("share dated at the payment", res.Results[1].Points, 15)

	// After benefits_until: the plain rule again, no tier.
	m.clock.Set(sub.BenefitsUntil.Add(time.Hour))
	pts, tier = interact(t, m, fan, club, fanclub.ActionComment, 1)
	step("comment after benefits_until", pts, 5)
	tierIs("after benefits_until", tier, "")
	if g, err := m.SendGift(ctx, fan, club, 1, "gift-late"); err != nil || g.Gift.Points != 10 {
		t.Fatalf("gift after benefits_until: %v %+v", err, g)
	}
}

func TestTierMultiplierEndsWithExit(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testTierMultiplierEndsWithExit)
}

// testTierMultiplierEndsWithExit: an exit whose option ends benefits at
// once (fair's refund) stops the multiplier; after a rejoin inside the
// paid period the fan earns the plain points and shows no tier. Another
// subscriber in the same batch keeps the multiplier.
func testTierMultiplierEndsWithExit(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	m, club, fans := tieredEngineOn(t, open, 2)
	leaver, stayer := fans[0], fans[1]
	for _, f := range fans {
		if _, err := m.Subscribe(ctx, f, club, "vip", fanclub.PlanMonthly, nil, "sub"); err != nil {
			t.Fatalf("subscribe: %v", err)
		}
	}
	m.clock.Advance(time.Hour)
	if pts, tier := interact(t, m, leaver, club, fanclub.ActionShare, 1); pts != 15 || tier != "vip" {
		t.Fatalf("share while paid: %d %q", pts, tier)
	}
	req, err := m.RequestExit(ctx, leaver, club, map[string]string{fanclub.ChoicePaid: "refund"})
	if err != nil {
		t.Fatalf("request exit: %v", err)
	}
	if _, err := m.ConfirmExit(ctx, leaver, req.ID, rightAnswers(t, m.store, req.ID)); err != nil {
		t.Fatalf("confirm exit: %v", err)
	}
	m.clock.Advance(time.Hour)
	v, err := m.Join(ctx, leaver, club)
	if err != nil {
		t.Fatalf("rejoin: %v", err)
	}
	if v.Tier != "" {
		t.Fatalf("rejoined membership shows tier %q", v.Tier)
	}
	res, err := m.Ingest(ctx, fanclub.Batch{Events: []fanclub.EventInput{
		{ID: "leaver", FanID: leaver, ClubID: club, Action: fanclub.ActionShare},
		{ID: "stayer", FanID: stayer, ClubID: club, Action: fanclub.ActionShare},
	}})
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if res.Results[0].Points != 10 || res.Results[1].Points != 15 {
		t.Fatalf("after the exit: leaver %d, stayer %d points; want 10 and 15", res.Results[0].Points, res.Results[1].Points)
	}
	ms, _, err := m.ClubMembersPage(ctx, club, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	tiers := map[int64]string{}
	for _, v := range ms {
		tiers[v.FanID] = v.Tier
	}
	if tiers[leaver] != "" || tiers[stayer] != "vip" {
		t.Fatalf("members page tiers: %v", tiers)
	}
}

func TestMultiplyPoints(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p    int64
		m    float64
		want int64
	}{
		{5, 1.5, 7},
		{100, 1.15, 115}, // exact decimal: 100 × 1.15 is not 114.999…
		{3, 1.1, 3},
		{10, 1, 10},
		{9, 0.5, 4},
		{0, 2, 0},
		{-4, 2, 0},
		{fanclub.MaxPoints, 2, fanclub.MaxPoints},
		{1 << 62, 0.5, fanclub.MaxPoints},
		{7, 1e300, fanclub.MaxPoints},
		{7, 0, 7}, // not a valid multiplier: 1
	} {
		if got := fanclub.MultiplyPoints(tc.p, tc.m); got != tc.want {
			t.Errorf("MultiplyPoints(%d, %v) = %d, want %d", tc.p, tc.m, got, tc.want)
		}
	}
	rule := fanclub.ActionRule{Action: fanclub.ActionComment, Points: 5, DailyCap: 50}
	for _, tc := range []struct {
		amount, today int64
		m             float64
		want          int64
	}{
		{1, 0, 1.5, 7},
		{10, 0, 1.5, 50},
		{10, 45, 1.5, 5},
		{1, 60, 1.5, 0},
		{1, 0, 1, 5},
	} {
		if got := fanclub.EarnMultiplied(rule, tc.amount, tc.today, tc.m); got != tc.want {
			t.Errorf("EarnMultiplied(%d, today %d, ×%v) = %d, want %d", tc.amount, tc.today, tc.m, got, tc.want)
		}
	}
}

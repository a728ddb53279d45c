package fanclub_test

import (
	"encoding/json"
	"testing"
	"time"

	"fanclub"
	"fanclub/policyfile"
)

// presetPaid loads the paid rule of a shipped preset file.
func presetPaid(t testing.TB, name string) fanclub.PaidRule {
	t.Helper()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatalf("registry: %v", err)
	}
	p, err := reg.Policy(name)
	if err != nil {
		t.Fatalf("preset %s: %v", name, err)
	}
	return p.Paid
}

// newSub starts a vip subscription under a preset or fails the test.
func newSub(t *testing.T, rule fanclub.PaidRule, plan fanclub.Plan, autoRenew bool, at time.Time) fanclub.Subscription {
	t.Helper()
	s, err := fanclub.NewSubscription(rule, 7, 3, "vip", plan, autoRenew, at, shanghai)
	if err != nil {
		t.Fatalf("NewSubscription: %v", err)
	}
	return s
}

// wantTime fails unless got equals want to the nanosecond.
func wantTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got.In(shanghai), want.In(shanghai))
	}
}

func TestPriceOf(t *testing.T) {
	t.Parallel()
	rule := presetPaid(t, "fair")
	for plan, want := range map[fanclub.Plan]int64{fanclub.PlanMonthly: 1500, fanclub.PlanQuarterly: 4000, fanclub.PlanAnnual: 15000} {
		if got, err := fanclub.PriceOf(rule, "vip", plan); err != nil || got != want {
			t.Errorf("PriceOf(vip, %s) = %d, %v; want %d", plan, got, err, want)
		}
	}
	tests := []struct {
		tier    string
		plan    fanclub.Plan
		path    string
		allowed string
	}{
		{"gold", fanclub.PlanMonthly, "tier", "vip"},
		{"vip", "weekly", "plan", "monthly, quarterly, annual"},
	}
	for _, tt := range tests {
		_, err := fanclub.PriceOf(rule, tt.tier, tt.plan)
		var e *fanclub.Error
		if fanclub.ErrorCode(err) != fanclub.EINVALID || !asError(err, &e) || len(e.Fields) != 1 ||
			e.Fields[0].Path != tt.path || e.Fields[0].Allowed != tt.allowed {
			t.Errorf("PriceOf(%s, %s) = %v (%+v), want EINVALID on %s allowing %s", tt.tier, tt.plan, err, e, tt.path, tt.allowed)
		}
	}
}

func TestNewSubscriptionAndConsent(t *testing.T) {
	t.Parallel()
	at := sh(2027, 1, 31, 20, 0, 0)
	for name, want := range map[string]bool{"wechat-channels": true, "douyin": true, "kuaishou": true, "fair": false} {
		if got := fanclub.DefaultAutoRenew(presetPaid(t, name)); got != want {
			t.Errorf("%s: DefaultAutoRenew = %v, want %v", name, got, want)
		}
	}
	s := newSub(t, presetPaid(t, "fair"), fanclub.PlanMonthly, false, at)
	want := fanclub.Subscription{FanID: 7, ClubID: 3, Tier: "vip", Plan: fanclub.PlanMonthly, Price: 1500, Currency: "CNY",
		Status: fanclub.SubActive, Anchor: at, PeriodStart: at, PeriodEnd: sh(2027, 2, 28, 20, 0, 0),
		BenefitsUntil: sh(2027, 2, 28, 20, 0, 0), CreatedAt: at, UpdatedAt: at}
	if s != want {
		t.Fatalf("NewSubscription:\n got  %+v\n want %+v", s, want)
	}
	if !s.BenefitsActive(at) || !s.BenefitsActive(sh(2027, 2, 28, 19, 59, 59)) || s.BenefitsActive(sh(2027, 2, 28, 20, 0, 0)) ||
		s.BenefitsActive(at.Add(-time.Second)) {
		t.Error("benefits are active from payment to the period end, exclusive")
	}
	if _, ok := fanclub.RenewalDue(s); ok {
		t.Error("a subscription without auto-renew renews")
	}
	end, ok := fanclub.EndDue(s)
	if !ok {
		t.Fatal("no EndDue")
	}
	wantTime(t, "EndDue", end, sh(2027, 2, 28, 20, 0, 0))
	ended := fanclub.EndSubscription(s, end)
	if ended.Status != fanclub.SubEnded || ended.BenefitsActive(end.Add(-time.Second)) {
		t.Errorf("ended: %+v", ended)
	}
	on, err := fanclub.EnableAutoRenew(s, sh(2027, 2, 1, 0, 0, 0))
	if err != nil || !on.AutoRenew || on.Status != fanclub.SubActive {
		t.Errorf("EnableAutoRenew = %+v, %v", on, err)
	}
	if _, err := fanclub.EnableAutoRenew(s, end); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
		t.Errorf("EnableAutoRenew after the period: %v, want ECONFLICT", err)
	}
	if _, err := fanclub.NewSubscription(presetPaid(t, "fair"), 7, 3, "gold", fanclub.PlanMonthly, true, at, shanghai); fanclub.ErrorCode(err) != fanclub.EINVALID {
		t.Errorf("NewSubscription(gold): %v, want EINVALID", err)
	}
}

func TestRenewalsChainAndRetries(t *testing.T) {
	t.Parallel()
	rule := presetPaid(t, "fair")
	s := newSub(t, rule, fanclub.PlanMonthly, true, sh(2027, 1, 31, 20, 0, 0))
	due, ok := fanclub.RenewalDue(s)
	if !ok {
		t.Fatal("no renewal due")
	}
	wantTime(t, "first renewal", due, sh(2027, 2, 28, 20, 0, 0))
	// On time: the chain stays on the anchor (Jan 31 → Feb 28 → Mar 31 → Apr 30).
	s = fanclub.RenewalSucceeded(s, "ch-2", due.Add(3*time.Minute), shanghai)
	wantTime(t, "period 1 start", s.PeriodStart, sh(2027, 2, 28, 20, 0, 0))
	wantTime(t, "period 1 end", s.PeriodEnd, sh(2027, 3, 31, 20, 0, 0))
	wantTime(t, "benefits 1", s.BenefitsUntil, sh(2027, 3, 31, 20, 0, 0))
	s = fanclub.RenewalSucceeded(s, "ch-3", s.PeriodEnd, shanghai)
	wantTime(t, "period 2 end", s.PeriodEnd, sh(2027, 4, 30, 20, 0, 0))
	if s.PeriodIndex != 2 || s.ChargeID != "ch-3" || s.Status != fanclub.SubActive {
		t.Errorf("after two renewals: %+v", s)
	}

	// Declined at the period end, then three declined retries 24 h apart.
	end := s.PeriodEnd
	declined := fanclub.RenewalDeclined(s, end)
	if declined.Status != fanclub.SubPastDue || declined.Retries != 0 {
		t.Fatalf("declined: %+v", declined)
	}
	wantTime(t, "benefits stop at the period end", declined.BenefitsUntil, end)
	if declined.BenefitsActive(end) || !declined.BenefitsActive(end.Add(-time.Second)) {
		t.Error("past_due benefits must stop exactly at the period end")
	}
	retries := declined
	for i, want := range []time.Time{sh(2027, 5, 1, 20, 0, 0), sh(2027, 5, 2, 20, 0, 0), sh(2027, 5, 3, 20, 0, 0)} {
		at, ok := fanclub.NextRetryAt(retries)
		if !ok {
			t.Fatalf("retry %d: none", i+1)
		}
		wantTime(t, "retry", at, want)
		if due, _ := fanclub.RenewalDue(retries); !due.Equal(at) {
			t.Errorf("RenewalDue %v != NextRetryAt %v", due, at)
		}
		retries = fanclub.RenewalDeclined(retries, at)
	}
	if retries.Status != fanclub.SubEnded || retries.AutoRenew {
		t.Fatalf("after the third failed retry: %+v, want ended", retries)
	}
	if _, ok := fanclub.RenewalDue(retries); ok {
		t.Error("an ended subscription is charged")
	}

	// A retry that succeeds starts a new period when it is paid.
	paid := fanclub.RenewalDeclined(declined, sh(2027, 5, 1, 20, 0, 0)) // retry 1 declined
	paid = fanclub.RenewalSucceeded(paid, "ch-retry", sh(2027, 5, 2, 20, 0, 5), shanghai)
	if paid.Status != fanclub.SubActive || paid.Retries != 0 || paid.PeriodIndex != 0 || paid.ChargeID != "ch-retry" {
		t.Fatalf("paid retry: %+v", paid)
	}
	wantTime(t, "new anchor", paid.Anchor, sh(2027, 5, 2, 20, 0, 5))
	wantTime(t, "new period end", paid.PeriodEnd, sh(2027, 6, 2, 20, 0, 5))
	wantTime(t, "new benefits", paid.BenefitsUntil, sh(2027, 6, 2, 20, 0, 5))
	if paid.BenefitsActive(sh(2027, 5, 2, 20, 0, 4)) {
		t.Error("benefits active in the unpaid gap")
	}
}

func TestRemindersAndChargeNotices(t *testing.T) {
	t.Parallel()
	fair := presetPaid(t, "fair")
	s := newSub(t, fair, fanclub.PlanMonthly, true, sh(2027, 1, 31, 20, 0, 0))
	at, ok := fanclub.ReminderAt(fair, s, shanghai)
	if !ok {
		t.Fatal("fair: no reminder")
	}
	wantTime(t, "reminder 120 h before", at, sh(2027, 2, 23, 20, 0, 0))
	if s.PeriodEnd.Sub(at) != 120*time.Hour {
		t.Errorf("reminder %v before renewal, want 120h", s.PeriodEnd.Sub(at))
	}
	s = fanclub.RenewalSucceeded(s, "ch-2", s.PeriodEnd, shanghai)
	at, _ = fanclub.ReminderAt(fair, s, shanghai)
	wantTime(t, "second reminder", at, sh(2027, 3, 26, 20, 0, 0))
	n, ok := fanclub.ChargeNoticeFor(fair, s)
	want := fanclub.ChargeNotice{At: sh(2027, 3, 31, 20, 0, 0), Amount: fanclub.Money{Amount: 1500, Currency: "CNY"}, HowToCancel: "cancel"}
	if !ok || n != want {
		t.Errorf("ChargeNoticeFor = %+v, %v; want %+v", n, ok, want)
	}
	off := s
	off.AutoRenew = false
	if _, ok := fanclub.ReminderAt(fair, off, shanghai); ok {
		t.Error("reminder without auto-renew")
	}
	if _, ok := fanclub.ChargeNoticeFor(fair, off); ok {
		t.Error("charge notice without a charge")
	}
	for _, name := range []string{"wechat-channels", "douyin", "kuaishou"} {
		rule := presetPaid(t, name)
		s := newSub(t, rule, fanclub.PlanMonthly, true, sh(2027, 1, 31, 20, 0, 0))
		if _, ok := fanclub.ReminderAt(rule, s, shanghai); ok {
			t.Errorf("%s: a reminder", name)
		}
		if _, ok := fanclub.ChargeNoticeFor(rule, s); ok {
			t.Errorf("%s: a charge notice", name)
		}
	}
	if got := fanclub.CancelAction(presetPaid(t, "kuaishou")); got != "revoke_agreement" {
		t.Errorf("kuaishou CancelAction = %q", got)
	}
	cal := fair
	cal.AutoRenew.ReminderBefore = fanclub.CalendarDays(2)
	at, _ = fanclub.ReminderAt(cal, s, shanghai)
	wantTime(t, "calendar-day reminder", at, sh(2027, 3, 29, 0, 0, 0))
}

// exitCase is one exit of a subscription under a preset.
type exitCase struct {
	name, preset, choice string
	plan                 fanclub.Plan
	anchor, exit         time.Time
	want                 fanclub.PaidExitPlan
	status               fanclub.SubscriptionStatus
	cut                  bool
}

func TestPlanPaidExitPerPreset(t *testing.T) {
	t.Parallel()
	q0, qEnd := sh(2027, 3, 1, 0, 0, 0), sh(2027, 6, 1, 0, 0, 0)
	day40 := sh(2027, 4, 10, 0, 0, 0)
	mid := sh(2027, 4, 10, 12, 0, 0)
	cny := func(n int64) fanclub.Money { return fanclub.Money{Amount: n, Currency: "CNY"} }
	tests := []exitCase{
		{name: "wechat quarterly after 40 days", preset: "wechat-channels", plan: fanclub.PlanQuarterly, anchor: q0, exit: day40,
			want:   fanclub.PaidExitPlan{Option: "prorated_refund", Refund: cny(1333), RefundMethod: fanclub.RefundUnusedMonths, BenefitsUntil: sh(2027, 4, 11, 0, 0, 0)},
			status: fanclub.SubCanceled, cut: true},
		{name: "wechat annual", preset: "wechat-channels", plan: fanclub.PlanAnnual, anchor: sh(2027, 1, 15, 12, 0, 0), exit: sh(2027, 3, 20, 8, 0, 0),
			want:   fanclub.PaidExitPlan{Option: "prorated_refund", Refund: cny(11250), RefundMethod: fanclub.RefundUnusedMonths, BenefitsUntil: sh(2027, 3, 21, 8, 0, 0)},
			status: fanclub.SubCanceled, cut: true},
		{name: "wechat monthly: no whole month left", preset: "wechat-channels", plan: fanclub.PlanMonthly, anchor: q0, exit: sh(2027, 3, 2, 0, 0, 0),
			want:   fanclub.PaidExitPlan{Option: "prorated_refund", Refund: cny(0), RefundMethod: fanclub.RefundNone, BenefitsUntil: sh(2027, 3, 3, 0, 0, 0)},
			status: fanclub.SubCanceled, cut: true},
		{name: "wechat exit in the last 24 h keeps the period end", preset: "wechat-channels", plan: fanclub.PlanMonthly, anchor: q0, exit: sh(2027, 3, 31, 12, 0, 0),
			want:   fanclub.PaidExitPlan{Option: "prorated_refund", Refund: cny(0), RefundMethod: fanclub.RefundNone, BenefitsUntil: sh(2027, 4, 1, 0, 0, 0)},
			status: fanclub.SubCanceled},
		{name: "douyin quarterly: untouched, refund only on cancel", preset: "douyin", plan: fanclub.PlanQuarterly, anchor: q0, exit: mid,
			want: fanclub.PaidExitPlan{Option: "period_end", Refund: cny(0), RefundMethod: fanclub.RefundNone, AutoRenewAfter: true,
				BenefitsUntil: qEnd, NextCharge: &fanclub.ScheduledCharge{At: qEnd, Amount: 4000}},
			status: fanclub.SubActive},
		{name: "kuaishou annual: benefits end, agreement keeps charging", preset: "kuaishou", plan: fanclub.PlanAnnual,
			anchor: sh(2027, 1, 1, 0, 0, 0), exit: sh(2027, 5, 1, 0, 0, 0),
			want: fanclub.PaidExitPlan{Option: "no_refund", Refund: cny(0), RefundMethod: fanclub.RefundNone, AutoRenewAfter: true,
				BenefitsUntil: sh(2027, 5, 1, 0, 0, 0), NextCharge: &fanclub.ScheduledCharge{At: sh(2028, 1, 1, 0, 0, 0), Amount: 15000}},
			status: fanclub.SubActive, cut: true},
		{name: "fair keep_benefits (default)", preset: "fair", plan: fanclub.PlanQuarterly, anchor: q0, exit: mid,
			want:   fanclub.PaidExitPlan{Option: "keep_benefits", Refund: cny(0), RefundMethod: fanclub.RefundNone, BenefitsUntil: qEnd},
			status: fanclub.SubCanceled},
		{name: "fair refund", preset: "fair", choice: "refund", plan: fanclub.PlanQuarterly, anchor: q0, exit: mid,
			want:   fanclub.PaidExitPlan{Option: "refund", Refund: cny(2217), RefundMethod: fanclub.RefundUnusedDays, BenefitsUntil: mid},
			status: fanclub.SubCanceled, cut: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rule := presetPaid(t, tt.preset)
			s := newSub(t, rule, tt.plan, true, tt.anchor)
			got, err := fanclub.PlanPaidExit(rule, s, tt.exit, tt.choice, shanghai)
			if err != nil {
				t.Fatal(err)
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(tt.want)
			if string(gj) != string(wj) {
				t.Fatalf("PlanPaidExit:\n got  %s\n want %s", gj, wj)
			}
			after := fanclub.ApplyPaidExit(s, got, tt.exit)
			if after.Status != tt.status || after.AutoRenew != tt.want.AutoRenewAfter || after.Refunded != tt.want.Refund.Amount ||
				!after.BenefitsUntil.Equal(tt.want.BenefitsUntil) || after.BenefitsCut != tt.cut {
				t.Errorf("ApplyPaidExit: %+v", after)
			}
			again, _ := fanclub.PlanPaidExit(rule, after, tt.exit, tt.choice, shanghai)
			if tt.want.Refund.Amount > 0 && again.Refund.Amount != 0 {
				t.Errorf("a second exit refunds %d again", again.Refund.Amount)
			}
		})
	}
	_, err := fanclub.PlanPaidExit(presetPaid(t, "fair"), fanclub.Subscription{}, mid, "cash", shanghai)
	if fanclub.ErrorCode(err) != fanclub.EINVALID {
		t.Errorf("unknown choice: %v, want EINVALID", err)
	}
}

func TestPaidExitPlanJSON(t *testing.T) {
	t.Parallel()
	p := fanclub.PaidExitPlan{Option: "no_refund", Refund: fanclub.Money{Currency: "CNY"}, RefundMethod: fanclub.RefundNone,
		AutoRenewAfter: true, BenefitsUntil: time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC),
		NextCharge: &fanclub.ScheduledCharge{At: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC), Amount: 15000}}
	got, _ := json.Marshal(p)
	want := `{"option":"no_refund","refund":{"amount":0,"currency":"CNY","method":"none"},"auto_renew_after":true,` +
		`"benefits_until":"2027-05-01T00:00:00Z","next_charge":{"at":"2028-01-01T00:00:00Z","amount":15000}}`
	if string(got) != want {
		t.Errorf("JSON:\n got  %s\n want %s", got, want)
	}
	p.NextCharge = nil
	if got, _ := json.Marshal(p); !jsonHas(got, `"next_charge":null`) {
		t.Errorf("no next charge: %s", got)
	}
	v := fanclub.Subscription{Tier: "vip", Plan: fanclub.PlanMonthly, Status: fanclub.SubActive, AutoRenew: true,
		PeriodStart: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC),
		BenefitsUntil: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)}.View(time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC))
	got, _ = json.Marshal(v)
	for _, f := range []string{`"tier":"vip"`, `"plan":"monthly"`, `"status":"active"`, `"auto_renew":true`,
		`"period_start":"2027-01-01T00:00:00Z"`, `"period_end":"2027-02-01T00:00:00Z"`, `"benefits_until":"2027-02-01T00:00:00Z"`, `"benefits_active":true`} {
		if !jsonHas(got, f) {
			t.Errorf("view %s lacks %s", got, f)
		}
	}
}

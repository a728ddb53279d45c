package fanclub_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"fanclub"
)

// asError is errors.As for a domain error.
func asError(err error, e **fanclub.Error) bool { return errors.As(err, e) }

// jsonHas reports whether encoded JSON contains a fragment.
func jsonHas(b []byte, frag string) bool { return strings.Contains(string(b), frag) }

func TestPlanCancelPerPreset(t *testing.T) {
	t.Parallel()
	q0, qEnd, mid := sh(2027, 3, 1, 0, 0, 0), sh(2027, 6, 1, 0, 0, 0), sh(2027, 4, 10, 12, 0, 0)
	tests := []struct {
		name, preset string
		plan         fanclub.Plan
		refund       int64
		method       fanclub.RefundMethod
	}{
		{"douyin quarterly refunds half the unused days", "douyin", fanclub.PlanQuarterly, 1108, fanclub.RefundUnusedDays},
		{"douyin monthly refunds nothing", "douyin", fanclub.PlanMonthly, 0, fanclub.RefundNone},
		{"douyin annual refunds nothing", "douyin", fanclub.PlanAnnual, 0, fanclub.RefundNone},
		{"fair cancel: no refund, benefits to period end", "fair", fanclub.PlanQuarterly, 0, fanclub.RefundNone},
		{"wechat cancel: no refund (the refund is the exit's)", "wechat-channels", fanclub.PlanQuarterly, 0, fanclub.RefundNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rule := presetPaid(t, tt.preset)
			s := newSub(t, rule, tt.plan, true, q0)
			p, err := fanclub.PlanCancel(rule, s, mid, shanghai)
			if err != nil {
				t.Fatal(err)
			}
			if p.Refund != (fanclub.Money{Amount: tt.refund, Currency: "CNY"}) || p.RefundMethod != tt.method {
				t.Errorf("refund %+v by %s, want %d by %s", p.Refund, p.RefundMethod, tt.refund, tt.method)
			}
			wantTime(t, "benefits", p.BenefitsUntil, s.PeriodEnd)
			after := fanclub.ApplyCancel(s, p, mid)
			if after.Status != fanclub.SubCanceled || after.AutoRenew || after.Refunded != tt.refund {
				t.Errorf("ApplyCancel: %+v", after)
			}
			if _, ok := fanclub.RenewalDue(after); ok {
				t.Error("a canceled subscription renews")
			}
			if end, ok := fanclub.EndDue(after); !ok || !end.Equal(s.PeriodEnd) {
				t.Errorf("EndDue = %v, %v", end, ok)
			}
			again, err := fanclub.PlanCancel(rule, after, mid.Add(time.Hour), shanghai)
			if err != nil || again.Refund.Amount != 0 {
				t.Errorf("second cancel: %+v, %v (no second refund)", again, err)
			}
		})
	}
	// Douyin: exit first (nothing changes), cancel later still refunds.
	rule := presetPaid(t, "douyin")
	s := newSub(t, rule, fanclub.PlanQuarterly, true, q0)
	ex, _ := fanclub.PlanPaidExit(rule, s, sh(2027, 3, 20, 0, 0, 0), "", shanghai)
	s = fanclub.ApplyPaidExit(s, ex, sh(2027, 3, 20, 0, 0, 0))
	p, _ := fanclub.PlanCancel(rule, s, mid, shanghai)
	if p.Refund.Amount != 1108 {
		t.Errorf("douyin cancel after exit refunds %d, want 1108", p.Refund.Amount)
	}
	wantTime(t, "douyin benefits", p.BenefitsUntil, qEnd)
	// A past_due subscription canceled ends at once, refunding nothing.
	pd := fanclub.RenewalDeclined(newSub(t, rule, fanclub.PlanQuarterly, true, q0), qEnd)
	p, _ = fanclub.PlanCancel(rule, pd, qEnd.Add(time.Hour), shanghai)
	if after := fanclub.ApplyCancel(pd, p, qEnd.Add(time.Hour)); after.Status != fanclub.SubEnded || p.Refund.Amount != 0 {
		t.Errorf("past_due cancel: %+v, refund %d", after, p.Refund.Amount)
	}
	ended := fanclub.EndSubscription(s, qEnd)
	if _, err := fanclub.PlanCancel(rule, ended, qEnd, shanghai); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
		t.Errorf("cancel of an ended subscription: %v", err)
	}
}

func TestKuaishouAgreementAndRejoin(t *testing.T) {
	t.Parallel()
	rule := presetPaid(t, "kuaishou")
	s := newSub(t, rule, fanclub.PlanAnnual, true, sh(2027, 1, 1, 0, 0, 0))
	s.AgreementID = "agr-9"
	if _, err := fanclub.PlanCancel(rule, s, sh(2027, 2, 1, 0, 0, 0), shanghai); fanclub.ErrorCode(err) != fanclub.EINVALID ||
		!strings.Contains(err.Error(), "revoke_agreement") {
		t.Errorf("kuaishou cancel: %v, want EINVALID naming revoke_agreement", err)
	}
	exit := sh(2027, 5, 1, 0, 0, 0)
	p, _ := fanclub.PlanPaidExit(rule, s, exit, "", shanghai)
	s = fanclub.ApplyPaidExit(s, p, exit)
	if s.BenefitsActive(exit) || !s.AutoRenew {
		t.Fatalf("after exit: %+v", s)
	}
	// The agreement keeps charging; benefits stay off.
	s = fanclub.RenewalSucceeded(s, "ch-2028", sh(2028, 1, 1, 0, 0, 0), shanghai)
	wantTime(t, "renewed period end", s.PeriodEnd, sh(2029, 1, 1, 0, 0, 0))
	wantTime(t, "benefits stay cut", s.BenefitsUntil, exit)
	if s.BenefitsActive(sh(2028, 2, 1, 0, 0, 0)) {
		t.Error("benefits active after a renewal while cut")
	}
	// A rejoin inside the paid period turns them back on to its end.
	rejoin := sh(2028, 3, 1, 0, 0, 0)
	back := fanclub.RejoinBenefits(rule, s, rejoin)
	wantTime(t, "rejoin benefits", back.BenefitsUntil, sh(2029, 1, 1, 0, 0, 0))
	if back.BenefitsCut || !back.BenefitsActive(rejoin) {
		t.Errorf("rejoin: %+v", back)
	}
	if same := fanclub.RejoinBenefits(rule, s, sh(2029, 1, 1, 0, 0, 0)); !same.BenefitsUntil.Equal(exit) {
		t.Error("a rejoin after the period end restored benefits")
	}
	// Revoking the agreement stops renewal; benefits unchanged, no refund.
	revoked, err := fanclub.RevokeAgreement(rule, back, rejoin)
	if err != nil || revoked.AutoRenew || revoked.Status != fanclub.SubCanceled || !revoked.BenefitsUntil.Equal(back.BenefitsUntil) {
		t.Errorf("RevokeAgreement = %+v, %v", revoked, err)
	}
	if _, err := fanclub.RevokeAgreement(presetPaid(t, "fair"), back, rejoin); fanclub.ErrorCode(err) != fanclub.EINVALID {
		t.Errorf("revoke under fair: %v, want EINVALID", err)
	}
	// A wechat exit refunded the period: a rejoin does not restore.
	w := presetPaid(t, "wechat-channels")
	ws := newSub(t, w, fanclub.PlanQuarterly, true, sh(2027, 3, 1, 0, 0, 0))
	wp, _ := fanclub.PlanPaidExit(w, ws, sh(2027, 4, 10, 0, 0, 0), "", shanghai)
	ws = fanclub.ApplyPaidExit(ws, wp, sh(2027, 4, 10, 0, 0, 0))
	if r := fanclub.RejoinBenefits(w, ws, sh(2027, 4, 20, 0, 0, 0)); r.BenefitsActive(sh(2027, 4, 20, 0, 0, 0)) {
		t.Error("wechat rejoin restored refunded benefits")
	}
}

// TestRefundProperty checks, for random prices, plans, anchors and exit or
// cancel times under every preset and option, that a refund is never
// negative, never above the price, and paid at most once per period.
func TestRefundProperty(t *testing.T) {
	t.Parallel()
	rules := map[string]fanclub.PaidRule{}
	for _, name := range []string{"wechat-channels", "douyin", "kuaishou", "fair"} {
		rules[name] = presetPaid(t, name)
	}
	rapid.Check(t, func(t *rapid.T) {
		name := rapid.SampledFrom([]string{"wechat-channels", "douyin", "kuaishou", "fair"}).Draw(t, "preset")
		rule := rules[name]
		plan := rapid.SampledFrom(fanclub.Plans).Draw(t, "plan")
		anchor := sh(rapid.IntRange(2000, 2100).Draw(t, "year"), time.Month(rapid.IntRange(1, 12).Draw(t, "month")),
			rapid.IntRange(1, 31).Draw(t, "day"), rapid.IntRange(0, 23).Draw(t, "hour"), 0, 0)
		s, err := fanclub.NewSubscription(rule, 1, 1, "vip", plan, true, anchor, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		s.Price = rapid.Int64Range(1, 1_000_000_000_000).Draw(t, "price")
		for range rapid.IntRange(0, 3).Draw(t, "renewals") {
			s = fanclub.RenewalSucceeded(s, "ch", s.PeriodEnd, shanghai)
		}
		span := s.PeriodEnd.Sub(s.PeriodStart)
		at := s.PeriodStart.Add(time.Duration(rapid.Int64Range(-int64(time.Hour), int64(span+time.Hour)).Draw(t, "at")))
		var opts []string
		for _, o := range rule.Options {
			opts = append(opts, o.Name)
		}
		choice := rapid.SampledFrom(opts).Draw(t, "choice")
		p, err := fanclub.PlanPaidExit(rule, s, at, choice, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		if p.Refund.Amount < 0 || p.Refund.Amount > s.Price {
			t.Fatalf("exit refund %d of price %d", p.Refund.Amount, s.Price)
		}
		if p.BenefitsUntil.After(s.PeriodEnd) {
			t.Fatalf("benefits %v past the period end %v", p.BenefitsUntil, s.PeriodEnd)
		}
		after := fanclub.ApplyPaidExit(s, p, at)
		if c, err := fanclub.PlanCancel(rule, after, at, shanghai); err == nil {
			if c.Refund.Amount < 0 || c.Refund.Amount > s.Price || (p.Refund.Amount > 0 && c.Refund.Amount > 0) {
				t.Fatalf("cancel refund %d after exit refund %d of price %d", c.Refund.Amount, p.Refund.Amount, s.Price)
			}
		}
	})
}

// TestSubscriptionStateMachine drives random lifecycles (renewals paid or
// declined when due, exits with any option, cancels, revocations, rejoins,
// ends) under every preset and checks the invariants after every step:
// periods chain from the anchor, benefits never outlast the period, at
// most the price is refunded per period, and only live subscriptions with
// auto-renew are charged.
func TestSubscriptionStateMachine(t *testing.T) {
	t.Parallel()
	rules := map[string]fanclub.PaidRule{}
	names := []string{"wechat-channels", "douyin", "kuaishou", "fair"}
	for _, name := range names {
		rules[name] = presetPaid(t, name)
	}
	rapid.Check(t, func(t *rapid.T) {
		rule := rules[rapid.SampledFrom(names).Draw(t, "preset")]
		now := sh(2027, time.Month(rapid.IntRange(1, 12).Draw(t, "month")), rapid.IntRange(1, 31).Draw(t, "day"), 9, 0, 0)
		s, err := fanclub.NewSubscription(rule, 1, 1, "vip", rapid.SampledFrom(fanclub.Plans).Draw(t, "plan"),
			rapid.Bool().Draw(t, "autoRenew"), now, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		for step := range 40 {
			action := rapid.SampledFrom([]string{"pay", "decline", "exit", "cancel", "revoke", "rejoin", "end", "wait"}).Draw(t, "action")
			switch action {
			case "pay", "decline":
				due, ok := fanclub.RenewalDue(s)
				if !ok {
					continue
				}
				now = due
				if action == "pay" {
					s = fanclub.RenewalSucceeded(s, "ch", now, shanghai)
				} else {
					s = fanclub.RenewalDeclined(s, now)
				}
			case "exit":
				var opts []string
				for _, o := range rule.Options {
					opts = append(opts, o.Name)
				}
				p, err := fanclub.PlanPaidExit(rule, s, now, rapid.SampledFrom(opts).Draw(t, "option"), shanghai)
				if err != nil {
					t.Fatal(err)
				}
				s = fanclub.ApplyPaidExit(s, p, now)
			case "cancel":
				if p, err := fanclub.PlanCancel(rule, s, now, shanghai); err == nil {
					s = fanclub.ApplyCancel(s, p, now)
				}
			case "revoke":
				if r, err := fanclub.RevokeAgreement(rule, s, now); err == nil {
					s = r
				}
			case "rejoin":
				s = fanclub.RejoinBenefits(rule, s, now)
			case "end":
				if at, ok := fanclub.EndDue(s); ok {
					now = at
					s = fanclub.EndSubscription(s, now)
				}
			case "wait":
				now = now.Add(time.Duration(rapid.Int64Range(0, int64(40*24*time.Hour)).Draw(t, "wait")))
				if due, ok := fanclub.RenewalDue(s); ok && due.Before(now) {
					now = due // the job runs at its time
				}
				if end, ok := fanclub.EndDue(s); ok && end.Before(now) {
					now = end
				}
			}
			if want := fanclub.PeriodEnd(s.Anchor, s.PeriodIndex, s.Plan, shanghai); !s.PeriodEnd.Equal(want) {
				t.Fatalf("step %d %s: period end %v drifted from %v", step, action, s.PeriodEnd, want)
			}
			if !s.PeriodStart.Before(s.PeriodEnd) || s.BenefitsUntil.After(s.PeriodEnd) {
				t.Fatalf("step %d %s: period %v–%v, benefits until %v", step, action, s.PeriodStart, s.PeriodEnd, s.BenefitsUntil)
			}
			if s.Refunded < 0 || s.Refunded > s.Price {
				t.Fatalf("step %d %s: refunded %d of %d", step, action, s.Refunded, s.Price)
			}
			_, due := fanclub.RenewalDue(s)
			switch s.Status {
			case fanclub.SubEnded, fanclub.SubCanceled:
				if s.AutoRenew || due {
					t.Fatalf("step %d %s: %s with auto-renew %v, renewal due %v", step, action, s.Status, s.AutoRenew, due)
				}
			case fanclub.SubPastDue:
				if s.Retries >= fanclub.MaxRenewalRetries || !due || s.BenefitsActive(s.PeriodEnd) {
					t.Fatalf("step %d %s: past_due %+v", step, action, s)
				}
			case fanclub.SubActive:
				if due != s.AutoRenew {
					t.Fatalf("step %d %s: active, auto-renew %v, due %v", step, action, s.AutoRenew, due)
				}
			default:
				t.Fatalf("status %q", s.Status)
			}
		}
	})
}

package fanclub_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/payments"
)

func TestErasureStopsRenewals(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testErasureStopsRenewals)
}

// testErasureStopsRenewals has a fan subscribe with auto-renew and erase
// the account a day later. Where the exit leaves renewal on (douyin,
// kuaishou) the erasure stops it as the policy does: douyin's cancel (a
// quarterly plan refunds half the unused days), kuaishou's agreement
// revoked; where the exit stops it (fair) there is nothing more to stop.
// The preview shows the stop the erasure makes, and over the next four
// months nothing is charged.
func testErasureStopsRenewals(t *testing.T, open teststores.Open) {
	tests := []struct {
		preset string
		plan   fanclub.Plan
		action string // "" when the exit stops renewal itself
		refund bool   // the stop pays a refund
	}{
		{"douyin", fanclub.PlanMonthly, fanclub.ErasureCancel, false},
		{"douyin", fanclub.PlanQuarterly, fanclub.ErasureCancel, true},
		{"kuaishou", fanclub.PlanMonthly, fanclub.ErasureRevokeAgreement, false},
		{"fair", fanclub.PlanMonthly, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.preset+"/"+string(tc.plan), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			var calls *providerCalls
			m := moneyEngineOn(t, open, func(p payments.Provider) payments.Provider {
				calls = &providerCalls{Provider: p}
				return calls
			})
			fan, club := memberOf(t, m.Engine, tc.preset)
			on := true
			_, err := m.Subscribe(ctx, fan, club, "vip", tc.plan, &on, "s1")
			mustOK(t, "subscribe", err)
			m.clock.Advance(24 * time.Hour)
			preview, err := m.EraseAccount(ctx, fan, fanclub.ErasureRequest{})
			mustOK(t, "preview", err)
			er, err := m.EraseAccount(ctx, fan, fanclub.ErasureRequest{Confirm: true})
			mustOK(t, "erase", err)
			charges, refunds := calls.counts()
			for _, got := range [][]fanclub.ErasureRenewal{preview.Renewals, er.Renewals} {
				if tc.action == "" && len(got) != 0 || tc.action != "" && (len(got) != 1 || got[0].Action != tc.action || got[0].ClubID != club ||
					(got[0].Plan.Refund.Amount > 0) != tc.refund) {
					t.Fatalf("renewals %+v, want one %q (refund %v)", got, tc.action, tc.refund)
				}
			}
			if tc.action != "" && preview.Renewals[0].Plan.Refund != er.Renewals[0].Plan.Refund {
				t.Fatalf("refund previewed %+v, paid %+v", preview.Renewals[0].Plan.Refund, er.Renewals[0].Plan.Refund)
			}
			for range 8 {
				runMoneyJobs(t, m)
				m.clock.Advance(15 * 24 * time.Hour)
			}
			runMoneyJobs(t, m)
			sub, err := m.SubscriptionOf(ctx, fan, club)
			mustOK(t, "subscription", err)
			if sub.AutoRenew || sub.Status != fanclub.SubEnded {
				t.Fatalf("subscription four months after the erasure: %+v", sub.SubscriptionView)
			}
			wantNoChargeAfter(t, calls, charges, refunds, er, tc.refund)
		})
	}
}

func TestErasureRetryFinishesAfterRevokeFailed(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testErasureRetryFinishesAfterRevokeFailed)
}

// testErasureRetryFinishesAfterRevokeFailed has the provider fail the
// first revocation of a kuaishou fan's agreement: the erasure fails after
// exiting the club, the account is not erased yet, and a repeated erasure
// revokes the agreement and erases the account; nothing is charged after.
func testErasureRetryFinishesAfterRevokeFailed(t *testing.T, open teststores.Open) {
	ctx := context.Background()
	var calls *providerCalls
	m := moneyEngineOn(t, open, func(p payments.Provider) payments.Provider {
		calls = &providerCalls{Provider: p, failRevoke: true}
		return calls
	})
	fan, club := memberOf(t, m.Engine, "kuaishou")
	_, err := m.Subscribe(ctx, fan, club, "vip", fanclub.PlanMonthly, nil, "s1")
	mustOK(t, "subscribe", err)
	m.clock.Advance(24 * time.Hour)
	if _, err := m.EraseAccount(ctx, fan, fanclub.ErasureRequest{Confirm: true}); err == nil {
		t.Fatal("the erasure succeeded although the provider refused to revoke the agreement")
	}
	if _, _, err := m.LoginFan(ctx, "fan_a", "password1", ""); err != nil {
		t.Fatalf("the failed erasure erased the account: %v", err)
	}
	er, err := m.EraseAccount(ctx, fan, fanclub.ErasureRequest{Confirm: true})
	mustOK(t, "erase again", err)
	charges, refunds := calls.counts()
	if len(er.Exits) != 0 || len(er.Renewals) != 1 || er.Renewals[0].Action != fanclub.ErasureRevokeAgreement {
		t.Fatalf("the repeated erasure: exits %+v, renewals %+v; want no exit and the revocation", er.Exits, er.Renewals)
	}
	if _, _, err := m.LoginFan(ctx, "fan_a", "password1", ""); fanclub.ErrorCode(err) != fanclub.EUNAUTHORIZED {
		t.Fatalf("login after erasure: %v", err)
	}
	for range 4 {
		runMoneyJobs(t, m)
		m.clock.Advance(20 * 24 * time.Hour)
	}
	wantNoChargeAfter(t, calls, charges, refunds, er, false)
}

// providerCalls is a provider that records the charges and refunds asked
// of it, and fails the first RevokeAgreement when failRevoke is set.
type providerCalls struct {
	payments.Provider
	failRevoke bool
	failed     atomic.Bool
	mu         sync.Mutex
	charges    []payments.ChargeRequest
	refunds    []payments.RefundRequest
}

// Charge records req and charges.
func (c *providerCalls) Charge(ctx context.Context, req payments.ChargeRequest) (*payments.Charge, error) {
	c.mu.Lock()
	c.charges = append(c.charges, req)
	c.mu.Unlock()
	return c.Provider.Charge(ctx, req)
}

// Refund records req and refunds.
func (c *providerCalls) Refund(ctx context.Context, req payments.RefundRequest) (*payments.Refund, error) {
	c.mu.Lock()
	c.refunds = append(c.refunds, req)
	c.mu.Unlock()
	return c.Provider.Refund(ctx, req)
}

// RevokeAgreement fails the first time under failRevoke, then revokes.
func (c *providerCalls) RevokeAgreement(ctx context.Context, req payments.RevokeRequest) (*payments.Agreement, error) {
	if c.failRevoke && !c.failed.Swap(true) {
		return nil, errors.New("provider unavailable")
	}
	return c.Provider.RevokeAgreement(ctx, req)
}

// counts returns how many charges and refunds were asked so far.
func (c *providerCalls) counts() (charges, refunds int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.charges), len(c.refunds)
}

// wantNoChargeAfter checks that the provider was asked no charge after the
// first `charges`, and, when refund, that the erasure's stop was refunded
// (one of the first `refunds` refunds) for what its plan says.
func wantNoChargeAfter(t *testing.T, c *providerCalls, charges, refunds int, er *fanclub.Erasure, refund bool) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.charges[charges:] {
		t.Errorf("charged after the erasure: %+v", ch)
	}
	refunded := false
	for _, r := range c.refunds[:refunds] {
		refunded = refunded || len(er.Renewals) == 1 && r.Amount == er.Renewals[0].Plan.Refund.Amount
	}
	if refunded != refund {
		t.Fatalf("the erasure's cancel refund %v, want %v (refunds %+v)", refunded, refund, c.refunds)
	}
}

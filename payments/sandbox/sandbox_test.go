package sandbox_test

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/internal/teststores"
	"fanclub/payments"
	"fanclub/payments/paymentstest"
	"fanclub/payments/sandbox"
)

// start is the clock of the tests' stores.
var start = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

// TestProvider runs the provider behaviour suite on the sandbox over each store.
func TestProvider(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		paymentstest.Run(t, func(t *testing.T) paymentstest.Setup {
			p := sandbox.New(open(t, clock.NewManual(start).Now), sandbox.Options{})
			return paymentstest.Setup{Provider: p, DeclineFan: p.DeclineFan, DeclineAmount: p.DeclineAmount}
		})
	})
}

// script makes the same calls on a fresh sandbox and returns what they
// answered.
func script(t *testing.T, s fanclub.Store) []any {
	t.Helper()
	ctx := context.Background()
	p := sandbox.New(s, sandbox.Options{})
	var out []any
	add := func(v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	add(p.CreateAgreement(ctx, payments.AgreementRequest{Key: "ag", FanID: 1}))
	ag := out[0].(*payments.Agreement)
	add(p.Charge(ctx, payments.ChargeRequest{Key: "c1", FanID: 1, Amount: 1800, Currency: "CNY", AgreementID: ag.ID}))
	add(p.Refund(ctx, payments.RefundRequest{Key: "r1", ChargeID: out[1].(*payments.Charge).ID, Amount: 600}))
	add(p.RevokeAgreement(ctx, payments.RevokeRequest{Key: "rv", AgreementID: ag.ID}))
	add(p.Charge(ctx, payments.ChargeRequest{Key: "c2", FanID: 1, Amount: 1800, Currency: "CNY", AgreementID: ag.ID}))
	return out
}

// TestDeterministic checks that ids and times come from the store: the
// same calls on two fresh stores answer the same, with sequence ids and
// the store clock's time.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		a := script(t, open(t, clock.NewManual(start).Now))
		b := script(t, open(t, clock.NewManual(start).Now))
		for i := range a {
			if !equalJSON(a[i], b[i]) {
				t.Fatalf("call %d: %+v on one store, %+v on another", i, a[i], b[i])
			}
		}
		ag := a[0].(*payments.Agreement)
		ch := a[1].(*payments.Charge)
		re := a[2].(*payments.Refund)
		if ag.ID != "sbx_ag_000001" || ch.ID != "sbx_ch_000002" || re.ID != "sbx_re_000003" {
			t.Fatalf("ids %s %s %s, want sbx_ag_000001 sbx_ch_000002 sbx_re_000003", ag.ID, ch.ID, re.ID)
		}
		if !ch.CreatedAt.Equal(start) || !a[3].(*payments.Agreement).RevokedAt.Equal(start) {
			t.Fatalf("times %v %v, want the store clock's %v", ch.CreatedAt, a[3].(*payments.Agreement).RevokedAt, start)
		}
		if d := a[4].(*payments.Charge); d.Status != payments.ChargeDeclined || d.DeclineCode != payments.DeclineAgreementRevoked {
			t.Fatalf("charge on the revoked agreement: %+v", d)
		}
	})
}

// TestSharedStore checks that two providers over one store (two serve
// processes) share records and rules.
func TestSharedStore(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		ctx := context.Background()
		s := open(t, clock.NewManual(start).Now)
		p, q := sandbox.New(s, sandbox.Options{}), sandbox.New(s, sandbox.Options{})
		req := payments.ChargeRequest{Key: "k", FanID: 5, Amount: 100, Currency: "CNY"}
		c, err := p.Charge(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		d, err := q.Charge(ctx, req)
		if err != nil || *d != *c {
			t.Fatalf("retry through another provider: %+v, %v; first %+v", d, err, c)
		}
		if err := p.DeclineFan(ctx, 9, true); err != nil {
			t.Fatal(err)
		}
		if err := q.DeclineAmount(ctx, 250, true); err != nil {
			t.Fatal(err)
		}
		if err := q.DeclineAmount(ctx, 120, true); err != nil {
			t.Fatal(err)
		}
		if err := q.DeclineAmount(ctx, 120, false); err != nil {
			t.Fatal(err)
		}
		rules, err := q.Rules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rules.Fans) != 1 || rules.Fans[0] != 9 || len(rules.Amounts) != 1 || rules.Amounts[0] != 250 {
			t.Fatalf("rules %+v, want fan 9 and amount 250", rules)
		}
		got, err := q.Charge(ctx, payments.ChargeRequest{Key: "k9", FanID: 9, Amount: 100, Currency: "CNY"})
		if err != nil || got.Status != payments.ChargeDeclined {
			t.Fatalf("charge of a fan declined through the other provider: %+v, %v", got, err)
		}
	})
}

// TestRuleInput checks that the decline controls refuse ids and amounts
// below 1.
func TestRuleInput(t *testing.T) {
	t.Parallel()
	p := sandbox.New(teststores.SQLite.Open(t, clock.NewManual(start).Now), sandbox.Options{})
	ctx := context.Background()
	for _, err := range []error{p.DeclineFan(ctx, 0, true), p.DeclineAmount(ctx, -1, true)} {
		if fanclub.ErrorCode(err) != fanclub.EINVALID {
			t.Fatalf("error %v, want %s", err, fanclub.EINVALID)
		}
	}
	if p.Name() != sandbox.Name {
		t.Fatalf("Name() = %q", p.Name())
	}
}

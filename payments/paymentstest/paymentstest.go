// Package paymentstest is the behaviour suite every payments.Provider
// runs: idempotent charges, refunds and agreements by key, idempotency
// conflicts, invalid requests, declines, refund limits, revoked agreements
// and concurrent calls with one key.
//
// A provider package runs it from its own tests:
//
//	func TestProvider(t *testing.T) {
//		paymentstest.Run(t, func(t *testing.T) paymentstest.Setup { ... })
//	}
package paymentstest

import (
	"context"
	"reflect"
	"testing"

	"fanclub/payments"
)

// Setup is a fresh provider under test and the controls the suite needs.
type Setup struct {
	Provider payments.Provider
	// DeclineFan makes the provider decline every later charge for a
	// fan; nil skips the tests of declines by fan.
	DeclineFan func(ctx context.Context, fanID int64, on bool) error
	// DeclineAmount makes the provider decline every later charge of an
	// amount; nil skips the tests of declines by amount.
	DeclineAmount func(ctx context.Context, amount int64, on bool) error
}

// OpenFunc returns a fresh provider, with no records, for one subtest.
type OpenFunc func(t *testing.T) Setup

// Run runs the suite; each subtest opens its own provider.
func Run(t *testing.T, open OpenFunc) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Setup)
	}{
		{"ChargeIdempotent", testChargeIdempotent},
		{"ChargeConflict", testChargeConflict},
		{"InvalidRequests", testInvalidRequests},
		{"DeclineFan", testDeclineFan},
		{"DeclineAmount", testDeclineAmount},
		{"Refunds", testRefunds},
		{"RefundDeclined", testRefundDeclined},
		{"Agreements", testAgreements},
		{"RevokedAgreement", testRevokedAgreement},
		{"ConcurrentSameKey", testConcurrentSameKey},
		{"ConcurrentRefunds", testConcurrentRefunds},
		{"RefundProperty", testRefundProperty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// must fails the test on err.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantCode fails the test unless err carries the payments error code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := payments.ErrorCode(err); got != code {
		t.Fatalf("%s: error code %q (%v), want %q", what, got, err, code)
	}
}

// wantEqual fails the test unless got and want are deeply equal.
func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

// charge makes a charge or fails the test.
func charge(t *testing.T, p payments.Provider, req payments.ChargeRequest) *payments.Charge {
	t.Helper()
	c, err := p.Charge(context.Background(), req)
	must(t, "Charge "+req.Key, err)
	if c == nil || c.ID == "" || c.Key != req.Key || c.FanID != req.FanID || c.Amount != req.Amount ||
		c.Currency != req.Currency || c.AgreementID != req.AgreementID || c.CreatedAt.IsZero() {
		t.Fatalf("Charge %+v = %+v: does not echo the request, or has no id or time", req, c)
	}
	return c
}

// refund makes a refund or fails the test.
func refund(t *testing.T, p payments.Provider, req payments.RefundRequest) *payments.Refund {
	t.Helper()
	r, err := p.Refund(context.Background(), req)
	must(t, "Refund "+req.Key, err)
	if r == nil || r.ID == "" || r.Key != req.Key || r.ChargeID != req.ChargeID || r.Amount != req.Amount ||
		r.Status != payments.RefundSucceeded || r.CreatedAt.IsZero() {
		t.Fatalf("Refund %+v = %+v", req, r)
	}
	return r
}

// agreement creates an agreement or fails the test.
func agreement(t *testing.T, p payments.Provider, req payments.AgreementRequest) *payments.Agreement {
	t.Helper()
	a, err := p.CreateAgreement(context.Background(), req)
	must(t, "CreateAgreement "+req.Key, err)
	if a == nil || a.ID == "" || a.FanID != req.FanID || a.Status != payments.AgreementActive || a.RevokedAt != nil || a.CreatedAt.IsZero() {
		t.Fatalf("CreateAgreement %+v = %+v", req, a)
	}
	return a
}

// cny is a charge request in CNY.
func cny(key string, fan, amount int64) payments.ChargeRequest {
	return payments.ChargeRequest{Key: key, FanID: fan, Amount: amount, Currency: "CNY", Description: "test " + key}
}

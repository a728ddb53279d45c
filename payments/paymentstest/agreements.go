package paymentstest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"fanclub/payments"
)

func testAgreements(t *testing.T, s Setup) {
	ctx := context.Background()
	p := s.Provider
	a := agreement(t, p, payments.AgreementRequest{Key: "ag-1", FanID: 51})
	wantEqual(t, "a retried agreement returns the first", agreement(t, p, payments.AgreementRequest{Key: "ag-1", FanID: 51}), a)
	_, err := p.CreateAgreement(ctx, payments.AgreementRequest{Key: "ag-1", FanID: 52})
	wantCode(t, "CreateAgreement with the key and another fan", err, payments.CodeIdempotencyConflict)
	b := agreement(t, p, payments.AgreementRequest{Key: "ag-2", FanID: 51})
	if b.ID == a.ID {
		t.Fatalf("two agreements share id %s", a.ID)
	}
	req := cny("ch-1", 51, 1800)
	req.AgreementID = a.ID
	c := charge(t, p, req)
	if c.Status != payments.ChargeSucceeded {
		t.Fatalf("charge on an active agreement = %+v, want succeeded", c)
	}
	other := cny("ch-2", 52, 1800)
	other.AgreementID = a.ID
	_, err = p.Charge(ctx, other)
	wantCode(t, "Charge on another fan's agreement", err, payments.CodeInvalid)
	unknown := cny("ch-3", 51, 1800)
	unknown.AgreementID = "no-such-agreement"
	_, err = p.Charge(ctx, unknown)
	wantCode(t, "Charge on an unknown agreement", err, payments.CodeNotFound)
	_, err = p.RevokeAgreement(ctx, payments.RevokeRequest{Key: "rv-x", AgreementID: "no-such-agreement"})
	wantCode(t, "RevokeAgreement of an unknown agreement", err, payments.CodeNotFound)
	_, err = p.RevokeAgreement(ctx, payments.RevokeRequest{Key: "rv-y", AgreementID: c.ID})
	wantCode(t, "RevokeAgreement of a charge id", err, payments.CodeNotFound)
}

func testRevokedAgreement(t *testing.T, s Setup) {
	ctx := context.Background()
	p := s.Provider
	a := agreement(t, p, payments.AgreementRequest{Key: "ag", FanID: 61})
	r, err := p.RevokeAgreement(ctx, payments.RevokeRequest{Key: "rv-1", AgreementID: a.ID})
	must(t, "RevokeAgreement", err)
	if r.ID != a.ID || r.FanID != 61 || r.Status != payments.AgreementRevoked || r.RevokedAt == nil || !r.CreatedAt.Equal(a.CreatedAt) {
		t.Fatalf("revoked agreement = %+v", r)
	}
	again, err := p.RevokeAgreement(ctx, payments.RevokeRequest{Key: "rv-1", AgreementID: a.ID})
	must(t, "RevokeAgreement (retry)", err)
	wantEqual(t, "a retried revocation", again, r)
	twice, err := p.RevokeAgreement(ctx, payments.RevokeRequest{Key: "rv-2", AgreementID: a.ID})
	must(t, "RevokeAgreement (second key)", err)
	wantEqual(t, "revoking twice keeps the first revocation", twice, r)
	b := agreement(t, p, payments.AgreementRequest{Key: "ag-b", FanID: 61})
	_, err = p.RevokeAgreement(ctx, payments.RevokeRequest{Key: "rv-1", AgreementID: b.ID})
	wantCode(t, "RevokeAgreement with the key and another agreement", err, payments.CodeIdempotencyConflict)
	req := cny("ch", 61, 900)
	req.AgreementID = a.ID
	d := charge(t, p, req)
	if d.Status != payments.ChargeDeclined || d.DeclineCode != payments.DeclineAgreementRevoked {
		t.Fatalf("charge on a revoked agreement = %+v, want declined agreement_revoked", d)
	}
	wantEqual(t, "a retried revoked charge", charge(t, p, req), d)
	req2 := cny("ch-b", 61, 900)
	req2.AgreementID = b.ID
	if ok := charge(t, p, req2); ok.Status != payments.ChargeSucceeded {
		t.Fatalf("the fan's other agreement still charges: %+v", ok)
	}
}

// testConcurrentSameKey sends one request from several goroutines at once:
// every call that answers returns the same record.
func testConcurrentSameKey(t *testing.T, s Setup) {
	ctx := context.Background()
	p := s.Provider
	const n = 8
	charges := make([]*payments.Charge, n)
	agreements := make([]*payments.Agreement, n)
	errs := make([]error, 2*n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { charges[i], errs[i] = p.Charge(ctx, cny("same", 71, 1234)) })
		wg.Go(func() {
			agreements[i], errs[n+i] = p.CreateAgreement(ctx, payments.AgreementRequest{Key: "same-ag", FanID: 71})
		})
	}
	wg.Wait()
	for i, err := range errs {
		must(t, fmt.Sprint("concurrent call ", i), err)
	}
	for i := 1; i < n; i++ {
		wantEqual(t, "concurrent charges with one key", charges[i], charges[0])
		wantEqual(t, "concurrent agreements with one key", agreements[i], agreements[0])
	}
}

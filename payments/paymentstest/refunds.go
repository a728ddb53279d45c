package paymentstest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"fanclub/payments"
)

func testRefunds(t *testing.T, s Setup) {
	ctx := context.Background()
	p := s.Provider
	c := charge(t, p, cny("ch", 41, 1000))
	r1 := refund(t, p, payments.RefundRequest{Key: "re-1", ChargeID: c.ID, Amount: 300, Reason: "partial"})
	if r1.Currency != "CNY" {
		t.Fatalf("refund currency %q, want the charge's CNY", r1.Currency)
	}
	wantEqual(t, "a retried refund returns the first", refund(t, p, payments.RefundRequest{Key: "re-1", ChargeID: c.ID, Amount: 300, Reason: "partial"}), r1)
	_, err := p.Refund(ctx, payments.RefundRequest{Key: "re-1", ChargeID: c.ID, Amount: 301, Reason: "partial"})
	wantCode(t, "Refund with the key and another amount", err, payments.CodeIdempotencyConflict)
	_, err = p.Refund(ctx, payments.RefundRequest{Key: "re-2", ChargeID: c.ID, Amount: 701})
	wantCode(t, "Refund above what remains", err, payments.CodeRefundExceedsCharge)
	r2 := refund(t, p, payments.RefundRequest{Key: "re-2", ChargeID: c.ID, Amount: 700})
	if r2.ID == r1.ID {
		t.Fatalf("two refunds share id %s", r1.ID)
	}
	_, err = p.Refund(ctx, payments.RefundRequest{Key: "re-3", ChargeID: c.ID, Amount: 1})
	wantCode(t, "Refund of a fully refunded charge", err, payments.CodeRefundExceedsCharge)
	wantEqual(t, "a retry after the charge is used up still answers", refund(t, p, payments.RefundRequest{Key: "re-2", ChargeID: c.ID, Amount: 700}), r2)
	_, err = p.Refund(ctx, payments.RefundRequest{Key: "re-4", ChargeID: "no-such-charge", Amount: 1})
	wantCode(t, "Refund of an unknown charge", err, payments.CodeNotFound)
	ag := agreement(t, p, payments.AgreementRequest{Key: "ag", FanID: 41})
	_, err = p.Refund(ctx, payments.RefundRequest{Key: "re-5", ChargeID: ag.ID, Amount: 1})
	wantCode(t, "Refund of an agreement id", err, payments.CodeNotFound)
}

func testRefundDeclined(t *testing.T, s Setup) {
	ctx := context.Background()
	p := s.Provider
	var declined *payments.Charge
	switch {
	case s.DeclineFan != nil:
		must(t, "DeclineFan", s.DeclineFan(ctx, 42, true))
		declined = charge(t, p, cny("ch", 42, 500))
	default:
		ag := agreement(t, p, payments.AgreementRequest{Key: "ag", FanID: 42})
		_, err := p.RevokeAgreement(ctx, payments.RevokeRequest{Key: "rv", AgreementID: ag.ID})
		must(t, "RevokeAgreement", err)
		req := cny("ch", 42, 500)
		req.AgreementID = ag.ID
		declined = charge(t, p, req)
	}
	if declined.Status != payments.ChargeDeclined {
		t.Fatalf("charge %+v, want declined", declined)
	}
	_, err := p.Refund(ctx, payments.RefundRequest{Key: "re", ChargeID: declined.ID, Amount: 1})
	wantCode(t, "Refund of a declined charge", err, payments.CodeRefundExceedsCharge)
}

// testConcurrentRefunds refunds one charge from several goroutines, each
// with its own key: the refunds made never add up to more than the charge.
func testConcurrentRefunds(t *testing.T, s Setup) {
	ctx := context.Background()
	p := s.Provider
	c := charge(t, p, cny("ch", 43, 1000))
	const n = 8
	var wg sync.WaitGroup
	made := make([]int64, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			r, err := p.Refund(ctx, payments.RefundRequest{Key: fmt.Sprint("re-", i), ChargeID: c.ID, Amount: 300})
			if err == nil {
				made[i] = r.Amount
			}
			errs[i] = err
		})
	}
	wg.Wait()
	var sum int64
	for i := range n {
		if errs[i] != nil {
			wantCode(t, "concurrent refund", errs[i], payments.CodeRefundExceedsCharge)
		}
		sum += made[i]
	}
	if sum != 900 {
		t.Fatalf("concurrent refunds of 300 on 1000 made %d in all, want 900", sum)
	}
}

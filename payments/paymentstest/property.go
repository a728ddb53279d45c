package paymentstest

import (
	"context"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"fanclub/payments"
)

// testRefundProperty runs random sequences of charges, refunds and
// retries against a model: a retry returns what the first call did, and a
// refund is made exactly when it fits in what remains of its charge. Each
// run uses keys of its own, so runs share the provider.
func testRefundProperty(t *testing.T, s Setup) {
	ctx := context.Background()
	p := s.Provider
	run := 0
	type sent struct {
		req  payments.RefundRequest
		got  *payments.Refund
		code string
	}
	rapid.Check(t, func(rt *rapid.T) {
		run++
		var charges []*payments.Charge
		left := map[string]int64{}
		var refunds []sent
		steps := rapid.IntRange(1, 20).Draw(rt, "steps")
		for step := range steps {
			key := fmt.Sprintf("run%d-%d", run, step)
			switch op := rapid.IntRange(0, 3).Draw(rt, "op"); {
			case op == 0 || len(charges) == 0:
				req := cny("c-"+key, rapid.Int64Range(81, 83).Draw(rt, "fan"), rapid.Int64Range(1, 1000).Draw(rt, "amount"))
				c, err := p.Charge(ctx, req)
				if err != nil || c.Status != payments.ChargeSucceeded {
					rt.Fatalf("Charge %+v = %+v, %v", req, c, err)
				}
				charges = append(charges, c)
				left[c.ID] = c.Amount
			case op == 1 && len(refunds) > 0:
				r := refunds[rapid.IntRange(0, len(refunds)-1).Draw(rt, "retry")]
				got, err := p.Refund(ctx, r.req)
				if code := payments.ErrorCode(err); code != r.code {
					rt.Fatalf("retry of %+v: %v, first answered %q", r.req, err, r.code)
				}
				if r.code == "" && (got == nil || *got != *r.got) {
					rt.Fatalf("retried refund %+v, first %+v", got, r.got)
				}
			default:
				c := charges[rapid.IntRange(0, len(charges)-1).Draw(rt, "charge")]
				req := payments.RefundRequest{Key: "r-" + key, ChargeID: c.ID, Amount: rapid.Int64Range(1, c.Amount).Draw(rt, "refund")}
				got, err := p.Refund(ctx, req)
				code := payments.ErrorCode(err)
				fits := req.Amount <= left[c.ID]
				switch {
				case fits && code != "":
					rt.Fatalf("refund %d of %d left: %v", req.Amount, left[c.ID], err)
				case !fits && code != payments.CodeRefundExceedsCharge:
					rt.Fatalf("refund %d of %d left: code %q, want %q", req.Amount, left[c.ID], code, payments.CodeRefundExceedsCharge)
				case fits:
					left[c.ID] -= req.Amount
				}
				refunds = append(refunds, sent{req, got, code})
			}
		}
	})
}

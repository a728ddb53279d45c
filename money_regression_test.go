package fanclub_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/ledger"
	"fanclub/payments"
	"fanclub/payments/sandbox"
)

// TestResubscribeAfterRefundedExit: a fair exit with the "refund"
// option ends the paid benefits at the exit and refunds every unused day;
// the subscription, live to its period end but neither renewing nor
// giving benefits, does not block a new paid membership after a rejoin
// (the new one ends it).
func TestResubscribeAfterRefundedExit(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		ctx := context.Background()
		m := moneyEngineOn(t, open, nil)
		fan, club := memberOf(t, m.Engine, "fair")
		if _, err := m.Subscribe(ctx, fan, club, "vip", fanclub.PlanAnnual, nil, "sub-1"); err != nil {
			t.Fatalf("subscribe: %v", err)
		}
		m.clock.Advance(24 * time.Hour)
		req, err := m.RequestExit(ctx, fan, club, map[string]string{fanclub.ChoicePaid: "refund"})
		if err != nil {
			t.Fatalf("request exit: %v", err)
		}
		out, err := m.ConfirmExit(ctx, fan, req.ID, rightAnswers(t, m.store, req.ID))
		if err != nil || out.Refund == nil || out.Refund.Amount == 0 {
			t.Fatalf("confirm exit: %v %+v", err, out)
		}
		if _, err := m.Join(ctx, fan, club); err != nil {
			t.Fatalf("rejoin: %v", err)
		}
		if _, err := m.Subscribe(ctx, fan, club, "vip", fanclub.PlanMonthly, nil, "sub-2"); err != nil {
			t.Fatalf("subscribing again after a refunded exit: %v", err)
		}
	})
}

// TestSubscribeRetryAfterLostAnswerKeepsChoices: when the provider's
// answer to a subscription's first charge is lost, the retry under the
// same key settles the pending charge with the first request's auto-renew
// choice and payment agreement: douyin starts with auto-renew on (the
// policy's default the fan asked for), kuaishou charges on its agreement.
func TestSubscribeRetryAfterLostAnswerKeepsChoices(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		for _, preset := range []string{"douyin", "kuaishou"} {
			t.Run(preset, func(t *testing.T) {
				ctx := context.Background()
				m := moneyEngineOn(t, open, func(p payments.Provider) payments.Provider { return &lostAnswer{Provider: p} })
				fan, club := memberOf(t, m.Engine, preset)
				if _, err := m.Subscribe(ctx, fan, club, "vip", fanclub.PlanMonthly, nil, "sub-1"); err == nil {
					t.Fatal("the lost answer was not reported")
				}
				res, err := m.Subscribe(ctx, fan, club, "vip", fanclub.PlanMonthly, nil, "sub-1")
				if err != nil {
					t.Fatalf("retry: %v", err)
				}
				if !res.AutoRenew || (preset == "kuaishou") != (res.AgreementID != "") {
					t.Fatalf("subscription settled by the retry: auto-renew %v, agreement %q; want auto-renew on (the policy's default)", res.AutoRenew, res.AgreementID)
				}
			})
		}
	})
}

// loseRenewal is a payment provider that loses its answer to the first
// renewal charge, after the charge was made.
type loseRenewal struct {
	payments.Provider
	lost bool
}

// Charge charges, and loses the first renewal's answer.
func (l *loseRenewal) Charge(ctx context.Context, req payments.ChargeRequest) (*payments.Charge, error) {
	ch, err := l.Provider.Charge(ctx, req)
	if err == nil && !l.lost && req.Description == fanclub.PurposeRenewal {
		l.lost = true
		return nil, errors.New("the connection was reset after the charge")
	}
	return ch, err
}

// TestLostRenewalAnswerThenCancelIsRefunded: the provider's answer to a
// renewal charge is lost (the provider charged the fan) and the fan
// cancels renewal (douyin) before the renewal job runs again; the job's
// next run settles the charge, and since it pays for nothing now, refunds
// it: every payment is settled and the provider's charges minus refunds
// equal the engine's.
func TestLostRenewalAnswerThenCancelIsRefunded(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		ctx := context.Background()
		m := moneyEngineOn(t, open, func(p payments.Provider) payments.Provider { return &loseRenewal{Provider: p} })
		fan, club := memberOf(t, m.Engine, "douyin")
		res, err := m.Subscribe(ctx, fan, club, "vip", fanclub.PlanMonthly, nil, "sub-1")
		if err != nil {
			t.Fatalf("subscribe: %v", err)
		}
		m.clock.Set(res.PeriodEnd)
		if _, err := m.RunDueJobs(ctx); err != nil {
			t.Fatalf("renewal: %v", err)
		}
		if _, err := m.CancelRenewal(ctx, fan, club); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		for range 10 {
			m.clock.Advance(24 * time.Hour)
			if _, err := m.RunDueJobs(ctx); err != nil {
				t.Fatalf("jobs: %v", err)
			}
		}
		ps, err := m.ListPayments(ctx, fan)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.Status == fanclub.PaymentPending {
				t.Errorf("payment %s (%s, %d fen) still pending 10 days later", p.Key, p.Purpose, p.Amount)
			}
		}
		var provider int64
		err = inReadTx(m.store, func(tx fanclub.Tx) error {
			for _, kind := range []string{"charge", "refund"} {
				rs, err := tx.ListPaymentRecords(ctx, sandbox.Name, fan, kind)
				if err != nil {
					return err
				}
				for _, r := range rs {
					if r.Status == "succeeded" && kind == "charge" {
						provider += r.Amount
					} else if r.Status == "succeeded" {
						provider -= r.Amount
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := -m.account(t, ledger.PaymentClearing(fanclub.DefaultCurrency)).Balance(); got != provider {
			t.Errorf("the ledger holds %d fen from the provider, the provider took %d", got, provider)
		}
	})
}

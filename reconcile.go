package fanclub

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"fanclub/ledger"
	"fanclub/payments"
)

// JobReconcilePayment settles a payment left pending: the request that
// recorded it crashed or lost the provider's answer. The job asks the
// provider again under the payment's key (which returns the first
// answer, or makes the charge or refund if it never reached the
// provider) and commits it as the request would have.
const JobReconcilePayment = "payment.reconcile"

// ReconcileAfter is how long after a payment is recorded its reconcile
// job is due: long enough for the request that made it to finish first.
const ReconcileAfter = time.Minute

// reconcilePayload is what settling a payment needs beyond the payment:
// a reconcile job's payload, and what a request passes to its own
// settlement.
type reconcilePayload struct {
	Key string `json:"key"`
	// Agreement is the payment agreement a charge is made on.
	Agreement string `json:"agreement,omitempty"`
	// Sub is what a subscription's first charge buys.
	Sub *subIntent `json:"sub,omitempty"`
	// Renewal is the subscription period a renewal charge pays.
	Renewal *renewalRef `json:"renewal,omitempty"`
	// ChargeRef is the provider's id of the charge a refund gives back.
	ChargeRef string `json:"charge_ref,omitempty"`
}

// reconcileJobKey is the key of a payment's reconcile job.
func reconcileJobKey(p *Payment) string { return "reconcile/" + p.Key }

// enqueuePaymentJob schedules the reconcile job of a new pending payment.
func (e *Engine) enqueuePaymentJob(ctx context.Context, tx Tx, p *Payment, pl reconcilePayload) error {
	body, err := json.Marshal(pl)
	if err != nil {
		return fmt.Errorf("reconcile payload: %w", err)
	}
	j := &Job{Kind: JobReconcilePayment, Key: reconcileJobKey(p), Payload: body, DueAt: tx.Now().Add(ReconcileAfter)}
	if err := tx.EnqueueJobs(ctx, []*Job{j}); err != nil {
		return fmt.Errorf("enqueue reconcile of %s: %w", p.Key, err)
	}
	return nil
}

// endReconcile ends the reconcile job of a payment just settled: job,
// when a job settled it, is finished with the settlement; otherwise the
// pending reconcile job is canceled.
func (e *Engine) endReconcile(ctx context.Context, tx Tx, p *Payment, job *Job) error {
	if job != nil {
		return e.FinishJobInTx(ctx, tx, job)
	}
	if err := tx.CancelJobs(ctx, []string{reconcileJobKey(p)}); err != nil {
		return fmt.Errorf("cancel reconcile of %s: %w", p.Key, err)
	}
	return nil
}

// runReconcile is the handler of JobReconcilePayment.
func (e *Engine) runReconcile(ctx context.Context, j *Job) error {
	var pl reconcilePayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return PermanentJobError(fmt.Errorf("reconcile payload of job %s: %w", j.Key, err))
	}
	p, err := e.findPayment(ctx, pl.Key)
	if err != nil {
		return err
	}
	if p == nil {
		return PermanentJobError(fmt.Errorf("reconcile job %s: no payment %s", j.Key, pl.Key))
	}
	if p.Status != PaymentPending {
		return nil
	}
	if e.payments == nil {
		return Errorf(EINTERNAL, "No payment provider is configured.")
	}
	_, err = e.chargeWith(ctx, p, pl, j)
	return err
}

// chargeWith calls the provider for a pending payment (a charge, on
// pl.Agreement when set, or a refund of pl.ChargeRef) and commits its
// answer; job is the job running it (nil for a request). It returns the
// payment as stored after that: a concurrent settlement of the same
// payment is not applied twice.
func (e *Engine) chargeWith(ctx context.Context, p *Payment, pl reconcilePayload, job *Job) (*Payment, error) {
	var ch *payments.Charge
	var rf *payments.Refund
	var err error
	if p.Kind == PaymentRefund {
		rf, err = e.payments.Refund(ctx, payments.RefundRequest{Key: p.Key, ChargeID: pl.ChargeRef, Amount: p.Amount, Reason: p.Purpose})
	} else {
		ch, err = e.payments.Charge(ctx, payments.ChargeRequest{Key: p.Key, FanID: p.FanID, Amount: p.Amount,
			Currency: p.Currency, AgreementID: pl.Agreement, Description: p.Purpose})
	}
	if err != nil {
		return nil, providerError(err)
	}
	var out *Payment
	err = e.inTx(ctx, true, func(tx Tx) error {
		var err error
		if rf != nil {
			out, err = e.settleRefund(ctx, tx, p.Key, rf, job)
		} else {
			out, err = e.settleCharge(ctx, tx, p.Key, ch, job, pl)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// settleCharge records the provider's answer to a pending charge in tx
// and does what it paid for (coins, a subscription's first period, a
// renewal) or what a decline means (a renewal past due), then ends the
// payment's job. A payment already settled is returned as stored.
func (e *Engine) settleCharge(ctx context.Context, tx Tx, key string, ch *payments.Charge, job *Job, pl reconcilePayload) (*Payment, error) {
	p, err := tx.FindPaymentByKey(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("find payment %s: %w", key, err)
	}
	if p.Status != PaymentPending {
		return p, nil
	}
	now := tx.Now()
	p.ProviderRef, p.SettledAt = ch.ID, &now
	ok := ch.Status == payments.ChargeSucceeded
	if ok {
		p.Status = PaymentSucceeded
		if err := e.bookCharge(ctx, tx, p); err != nil {
			return nil, err
		}
	} else {
		p.Status, p.DeclineCode = PaymentDeclined, ch.DeclineCode
	}
	if err := tx.UpdatePayment(ctx, p); err != nil {
		return nil, fmt.Errorf("update payment %s: %w", key, err)
	}
	switch {
	case p.Purpose == PurposeSubscription && ok && pl.Sub != nil:
		if err := e.startSubscription(ctx, tx, p, pl.Sub, pl.Agreement); err != nil {
			return nil, err
		}
	case p.Purpose == PurposeRenewal && pl.Renewal != nil:
		if err := e.settleRenewal(ctx, tx, p, *pl.Renewal, ok); err != nil {
			return nil, err
		}
	}
	if err := e.endReconcile(ctx, tx, p, job); err != nil {
		return nil, err
	}
	return p, nil
}

// scheduleRefund records a pending refund of amount of the charge
// charge (the provider's id in pl.ChargeRef) under key, with its
// reconcile job, and returns it; the caller refunds it through the
// provider after its transaction commits (chargeWith), or leaves that to
// the job.
func (e *Engine) scheduleRefund(ctx context.Context, tx Tx, charge *Payment, amount int64, purpose, key string) error {
	_, err := e.newRefund(ctx, tx, charge.FanID, charge.ClubID, charge.ProviderRef, Money{Amount: amount, Currency: charge.Currency}, purpose, key)
	return err
}

// newRefund records a pending refund in tx with its reconcile job.
func (e *Engine) newRefund(ctx context.Context, tx Tx, fanID, clubID int64, chargeRef string, m Money, purpose, key string) (*Payment, error) {
	r := &Payment{Key: key, FanID: fanID, ClubID: clubID, Kind: PaymentRefund, Purpose: purpose, Amount: m.Amount,
		Currency: m.Currency, Status: PaymentPending, CreatedAt: tx.Now()}
	created, err := tx.CreatePayment(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("create refund: %w", err)
	}
	if created {
		if err := e.enqueuePaymentJob(ctx, tx, r, reconcilePayload{Key: key, ChargeRef: chargeRef}); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// settleRefund records the provider's answer to a pending refund in tx:
// the money leaves the platform's revenue back to the provider, and the
// fan gets a refund receipt.
func (e *Engine) settleRefund(ctx context.Context, tx Tx, key string, rf *payments.Refund, job *Job) (*Payment, error) {
	p, err := tx.FindPaymentByKey(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("find refund %s: %w", key, err)
	}
	if p.Status != PaymentPending {
		return p, nil
	}
	now := tx.Now()
	p.ProviderRef, p.SettledAt, p.Status = rf.ID, &now, PaymentSucceeded
	cur := ledger.Asset(p.Currency)
	if _, err := ledger.Post(ctx, tx, now, ledger.Transfer{Key: p.Key + "/money", Debit: ledger.PlatformRevenue(cur).ID,
		Credit: ledger.PaymentClearing(cur).ID, Asset: cur, Amount: p.Amount, Code: "refund", Ref: p.Key}); err != nil {
		return nil, ledgerError(err, "booking a refund")
	}
	if err := tx.UpdatePayment(ctx, p); err != nil {
		return nil, fmt.Errorf("update refund %s: %w", key, err)
	}
	if err := e.refundReceipt(ctx, tx, p); err != nil {
		return nil, err
	}
	if err := e.endReconcile(ctx, tx, p, job); err != nil {
		return nil, err
	}
	return p, nil
}

package fanclub

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// JobReconcilePayment settles a payment left pending: the request that
// recorded it crashed or lost the provider's answer. The job asks the
// provider again under the payment's key (which returns the first
// answer, or makes the charge if it never reached the provider) and
// commits it as the request would have.
const JobReconcilePayment = "payment.reconcile"

// ReconcileAfter is how long after a payment is recorded its reconcile
// job is due: long enough for the request that made it to finish first.
const ReconcileAfter = time.Minute

// reconcilePayload is a reconcile job's payload.
type reconcilePayload struct {
	Key       string `json:"key"`
	Agreement string `json:"agreement,omitempty"`
}

// reconcileJobKey is the key of a payment's reconcile job.
func reconcileJobKey(p *Payment) string { return "reconcile/" + p.Key }

// enqueueReconcile schedules the reconcile job of a new pending payment.
func (e *Engine) enqueueReconcile(ctx context.Context, tx Tx, p *Payment) error {
	return e.enqueueReconcileOn(ctx, tx, p, "")
}

// enqueueReconcileOn schedules the reconcile job of a new pending payment
// charged on a payment agreement.
func (e *Engine) enqueueReconcileOn(ctx context.Context, tx Tx, p *Payment, agreement string) error {
	body, err := json.Marshal(reconcilePayload{Key: p.Key, Agreement: agreement})
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
// when the job itself settled it, is finished with the settlement;
// otherwise the pending job is canceled.
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
		return fmt.Errorf("reconcile payload of job %s: %w", j.Key, err)
	}
	var p *Payment
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		p, err = tx.FindPaymentByKey(ctx, pl.Key)
		return err
	})
	if err != nil {
		return err
	}
	if p.Status != PaymentPending {
		return nil
	}
	if e.payments == nil {
		return Errorf(EINTERNAL, "No payment provider is configured.")
	}
	_, err = e.chargePayment(ctx, p, pl.Agreement, j)
	return err
}

package fanclub

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"fanclub/ledger"
	"fanclub/payments"
)

// JobSettlePayout is the kind of the job that finishes a payout whose
// provider answer was not recorded.
const JobSettlePayout = "revenue.payout"

// payoutRetryAfter is how long after a payout request its job looks at
// it, should the request not finish it.
const payoutRetryAfter = 5 * time.Minute

// PayoutState is where a payout stands.
type PayoutState string

// Payout states: pending from the request until the provider's answer
// is recorded; paid then.
const (
	PayoutPending PayoutState = "pending"
	PayoutPaid    PayoutState = "paid"
)

// CreatorPayout is a payout of a creator's available money through the
// payment provider. While pending, its amount is held on the creator's
// available account (a two-phase ledger transfer to the clearing
// account); the provider's answer posts it.
type CreatorPayout struct {
	CreatorID int64       `json:"creator_id"`
	Amount    int64       `json:"amount"`
	Currency  string      `json:"currency"`
	State     PayoutState `json:"state"`
	At        time.Time   `json:"at"`
	// Revenue is the creator's balances after the request.
	Revenue *CreatorRevenue `json:"revenue"`
}

// payoutPayload names a payout for its job.
type payoutPayload struct {
	CreatorID int64  `json:"creator_id"`
	Key       string `json:"key"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
}

// RequestPayout pays amount (minor units of the instance currency) of a
// creator's available money out through the payment provider. key makes
// it idempotent: a retry returns the first payout (finishing it if its
// answer was lost); the same key for another amount is EKEYREUSED. More
// than the available balance is EINSUFFICIENT and changes nothing. A
// provider that does not pay out is EINVALID.
func (e *Engine) RequestPayout(ctx context.Context, creatorID, amount int64, key string) (*CreatorPayout, error) {
	var fields []FieldError
	if amount < 1 {
		fields = append(fields, FieldError{Path: "amount", Found: strconv.FormatInt(amount, 10), Allowed: "a positive amount in minor units", Message: "amount out of range"})
	}
	if f := checkKey(key); f != nil {
		fields = append(fields, *f)
	}
	if len(fields) > 0 {
		return nil, InvalidFields("Invalid payout.", fields)
	}
	if _, ok := e.payments.(payments.Payouts); !ok {
		return nil, Errorf(EINVALID, "The payment provider does not pay out.")
	}
	pl := payoutPayload{CreatorID: creatorID, Key: moneyKey("payout", creatorID, key), Amount: amount, Currency: e.money.Currency}
	var state string
	err := e.inTx(ctx, true, func(tx Tx) error {
		if _, err := tx.FindCreatorByID(ctx, creatorID); err != nil {
			return fmt.Errorf("find creator %d: %w", creatorID, err)
		}
		var err error
		state, err = e.holdPayout(ctx, tx, pl)
		return err
	})
	if err != nil {
		return nil, err
	}
	if state == ledger.StatePending {
		if err := e.finishPayout(ctx, pl, nil); err != nil {
			return nil, err
		}
	}
	return e.payoutView(ctx, pl)
}

// holdPayout records a payout in tx as a pending transfer from the
// creator's available money to the clearing account, with the job that
// finishes it, and returns its state; a payout stored under the key is
// returned as it is.
func (e *Engine) holdPayout(ctx context.Context, tx Tx, pl payoutPayload) (string, error) {
	cur := ledger.Asset(pl.Currency)
	t := ledger.Transfer{Key: pl.Key, Debit: ledger.CreatorAvailable(pl.CreatorID, cur).ID, Credit: ledger.PaymentClearing(cur).ID,
		Asset: cur, Amount: pl.Amount, Flags: ledger.Pending, Code: "payout", Ref: pl.Key}
	out, err := ledger.Post(ctx, tx, tx.Now(), t)
	if err != nil {
		if ledger.ErrorCode(err) == ledger.EInsufficientFunds {
			rev, rerr := e.creatorRevenueTx(ctx, tx, pl.CreatorID)
			if rerr != nil {
				return "", rerr
			}
			return "", Errorf(EINSUFFICIENT, "The payout is %d; the available balance is %d. Nothing was paid out.", pl.Amount, rev.Available)
		}
		return "", ledgerError(err, "booking a payout")
	}
	body, err := json.Marshal(pl)
	if err != nil {
		return "", fmt.Errorf("payout job payload: %w", err)
	}
	j := &Job{Kind: JobSettlePayout, Key: JobSettlePayout + "/" + pl.Key, Payload: body, DueAt: tx.Now().Add(payoutRetryAfter)}
	if err := tx.EnqueueJobs(ctx, []*Job{j}); err != nil {
		return "", fmt.Errorf("schedule payout: %w", err)
	}
	return out[0].State, nil
}

// finishPayout asks the provider to pay (under the payout's key, so a
// repeated call pays once) and posts the held transfer, ending the
// payout's job (with job, in the job's own transaction).
func (e *Engine) finishPayout(ctx context.Context, pl payoutPayload, job *Job) error {
	po, ok := e.payments.(payments.Payouts)
	if !ok {
		return PermanentJobError(Errorf(EINVALID, "The payment provider does not pay out."))
	}
	if _, err := po.Payout(ctx, payments.PayoutRequest{Key: pl.Key, CreatorID: pl.CreatorID, Amount: pl.Amount, Currency: pl.Currency}); err != nil {
		return providerError(err)
	}
	return e.inTx(ctx, true, func(tx Tx) error {
		if _, err := ledger.Post(ctx, tx, tx.Now(), ledger.Transfer{Key: pl.Key + "/paid", PendingKey: pl.Key, Flags: ledger.PostPending,
			Code: "payout", Ref: pl.Key}); err != nil {
			return ledgerError(err, "posting a payout")
		}
		if job != nil {
			return e.FinishJobInTx(ctx, tx, job)
		}
		return tx.CancelJobs(ctx, []string{JobSettlePayout + "/" + pl.Key})
	})
}

// runPayout is the handler of JobSettlePayout: it finishes a payout still
// pending (the request that made it did not).
func (e *Engine) runPayout(ctx context.Context, j *Job) error {
	var pl payoutPayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return PermanentJobError(fmt.Errorf("payload of job %s: %w", j.Key, err))
	}
	return e.finishPayout(ctx, pl, j)
}

// payoutView reads a payout's ledger transfer and the creator's balances.
func (e *Engine) payoutView(ctx context.Context, pl payoutPayload) (*CreatorPayout, error) {
	var out *CreatorPayout
	err := e.inTx(ctx, true, func(tx Tx) error {
		ts, err := tx.FindTransfers(ctx, []string{pl.Key})
		if err != nil {
			return fmt.Errorf("find payout: %w", err)
		}
		t := ts[pl.Key]
		out = &CreatorPayout{CreatorID: pl.CreatorID, Amount: t.Amount, Currency: string(t.Asset), State: PayoutPending, At: t.At}
		if t.State == ledger.StatePosted {
			out.State = PayoutPaid
		}
		out.Revenue, err = e.creatorRevenueTx(ctx, tx, pl.CreatorID)
		return err
	})
	return out, err
}

package fanclub

import (
	"context"
	"fmt"
	"strconv"

	"fanclub/ledger"
	"fanclub/payments"
)

// CoinPurchase is what a coin purchase did.
type CoinPurchase struct {
	// Payment is the charge that paid for the coins.
	Payment *Payment `json:"payment"`
	// Wallet is the fan's balances after the purchase.
	Wallet *Wallet `json:"wallet"`
}

// BuyCoins buys coins for a fan at the instance's coin price, charging
// the payment provider. key makes it idempotent: a retry under the same
// key returns the first purchase (and charges nothing again); the same key
// for another number of coins is EKEYREUSED.
//
// The charge runs outside any transaction: the payment is first recorded
// as pending (with a reconcile job, so that a crash after the provider's
// answer still settles it), then the provider is called with the
// payment's key, then the answer is committed with the ledger transfers
// of a success: the money from the provider's clearing account to the
// platform's revenue, and the coins from the platform's issuer to the fan.
// A declined charge is EDECLINED and buys nothing.
func (e *Engine) BuyCoins(ctx context.Context, fanID, coins int64, key string) (*CoinPurchase, error) {
	var fields []FieldError
	if coins < 1 || coins > e.money.MaxCoinPurchase {
		fields = append(fields, FieldError{Path: "coins", Found: strconv.FormatInt(coins, 10),
			Allowed: fmt.Sprintf("1 to %d", e.money.MaxCoinPurchase), Message: "coins out of range"})
	}
	if f := checkKey(key); f != nil {
		fields = append(fields, *f)
	}
	if len(fields) > 0 {
		return nil, InvalidFields("Invalid coin purchase.", fields)
	}
	if e.payments == nil {
		return nil, Errorf(EINTERNAL, "No payment provider is configured.")
	}
	p := &Payment{Key: moneyKey("coins", fanID, key), FanID: fanID, Kind: PaymentCharge,
		Purpose: PurposeCoins, Amount: coins * e.money.CoinPrice, Currency: e.money.Currency, Coins: coins, Status: PaymentPending}
	err := e.inTx(ctx, true, func(tx Tx) error {
		if _, err := tx.FindFanByID(ctx, fanID); err != nil {
			return fmt.Errorf("find fan %d: %w", fanID, err)
		}
		q := *p
		q.CreatedAt = tx.Now()
		created, err := tx.CreatePayment(ctx, &q)
		if err != nil {
			return fmt.Errorf("create payment: %w", err)
		}
		if !created && (q.FanID != p.FanID || q.Purpose != p.Purpose || q.Coins != p.Coins) {
			return Errorf(EKEYREUSED, "This idempotency key was first used for a purchase of %d coins.", q.Coins)
		}
		if created {
			if err := e.enqueueReconcile(ctx, tx, &q); err != nil {
				return err
			}
		}
		*p = q
		return nil
	})
	if err != nil {
		return nil, err
	}
	if p.Status == PaymentPending {
		if p, err = e.chargePayment(ctx, p, "", nil); err != nil {
			return nil, err
		}
	}
	if p.Status == PaymentDeclined {
		return nil, declined(p)
	}
	w, err := e.Wallet(ctx, fanID)
	if err != nil {
		return nil, err
	}
	return &CoinPurchase{Payment: p, Wallet: w}, nil
}

// declined is the error of a declined payment.
func declined(p *Payment) *Error {
	return Errorf(EDECLINED, "The payment provider declined the charge of %s (%s); nothing was bought.", FormatMoney(p.Amount, p.Currency).In("en"), p.DeclineCode)
}

// chargePayment calls the provider for a pending charge (on agreement,
// when one is given) and commits its answer; job is the reconcile job
// running it (nil for the request that recorded the payment). It returns
// the payment as stored after that: a concurrent settlement of the same
// payment is not applied twice.
func (e *Engine) chargePayment(ctx context.Context, p *Payment, agreement string, job *Job) (*Payment, error) {
	ch, err := e.payments.Charge(ctx, payments.ChargeRequest{Key: p.Key, FanID: p.FanID, Amount: p.Amount,
		Currency: p.Currency, AgreementID: agreement, Description: p.Purpose})
	if err != nil {
		return nil, providerError(err)
	}
	var out *Payment
	err = e.inTx(ctx, true, func(tx Tx) error {
		var err error
		out, err = e.settleCharge(ctx, tx, p.Key, ch, job)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// settleCharge records the provider's answer to a pending charge in tx
// and books what a success bought, and ends the payment's reconcile job
// (finishing job when the job runs it, canceling it otherwise). A payment
// already settled is returned as stored.
func (e *Engine) settleCharge(ctx context.Context, tx Tx, key string, ch *payments.Charge, job *Job) (*Payment, error) {
	p, err := tx.FindPaymentByKey(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("find payment %s: %w", key, err)
	}
	if p.Status != PaymentPending {
		return p, nil
	}
	now := tx.Now()
	p.ProviderRef, p.SettledAt = ch.ID, &now
	switch ch.Status {
	case payments.ChargeSucceeded:
		p.Status = PaymentSucceeded
		if err := e.bookCharge(ctx, tx, p); err != nil {
			return nil, err
		}
	default:
		p.Status, p.DeclineCode = PaymentDeclined, ch.DeclineCode
	}
	if err := tx.UpdatePayment(ctx, p); err != nil {
		return nil, fmt.Errorf("update payment %s: %w", key, err)
	}
	if err := e.endReconcile(ctx, tx, p, job); err != nil {
		return nil, err
	}
	return p, nil
}

// bookCharge posts the ledger transfers of a succeeded charge.
func (e *Engine) bookCharge(ctx context.Context, tx Tx, p *Payment) error {
	cur := ledger.Asset(p.Currency)
	ts := []ledger.Transfer{{Key: p.Key + "/money", Debit: ledger.PaymentClearing(cur).ID, Credit: ledger.PlatformRevenue(cur).ID,
		Asset: cur, Amount: p.Amount, Code: "charge", Ref: p.Key}}
	if p.Purpose == PurposeCoins {
		ts = append(ts, ledger.Transfer{Key: p.Key + "/coins", Debit: ledger.PlatformCoins().ID, Credit: ledger.FanCoins(p.FanID).ID,
			Asset: ledger.Coin, Amount: p.Coins, Code: "coin_purchase", Ref: p.Key})
	}
	if _, err := ledger.Post(ctx, tx, tx.Now(), ts...); err != nil {
		return ledgerError(err, "booking a charge")
	}
	return nil
}

// providerError maps a payment provider's error to a domain error. A
// provider that cannot be reached leaves the payment pending: its
// reconcile job settles it later, and a retry under the same key returns
// the settled payment.
func providerError(err error) error {
	switch payments.ErrorCode(err) {
	case payments.CodeIdempotencyConflict:
		return fmt.Errorf("payment provider: %v: %w", err, Errorf(EKEYREUSED, "The payment provider holds another request under this idempotency key."))
	case payments.CodeInvalid:
		return fmt.Errorf("payment provider: %v: %w", err, Errorf(EINVALID, "The payment provider refused the request as invalid."))
	default:
		return fmt.Errorf("payment provider: %v: %w", err, Errorf(EINTERNAL,
			"The payment provider did not answer; the payment stays pending and is settled when it does. Retry with the same idempotency key."))
	}
}

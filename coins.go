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
	requester := fanID
	spend := Spending{Kind: SpendCoins, FanID: fanID, Amount: coins * e.money.CoinPrice, Key: moneyKey("coins", fanID, key)}
	fanID, gateErr := e.checkSpending(ctx, spend)
	if gateErr != nil {
		return nil, gateErr
	}
	p := &Payment{Key: coinPurchaseKey(fanID, requester, key), FanID: fanID, Kind: PaymentCharge,
		Purpose: PurposeCoins, Amount: coins * e.money.CoinPrice, Currency: e.money.Currency, Coins: coins, Status: PaymentPending}
	err := e.inTx(ctx, true, func(tx Tx) error {
		if _, err := tx.FindFanByID(ctx, fanID); err != nil {
			return fmt.Errorf("find fan %d: %w", fanID, err)
		}
		if err := e.recheckSpending(ctx, tx, spend); err != nil {
			return err
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
			if err := e.enqueuePaymentJob(ctx, tx, &q, reconcilePayload{Key: q.Key}); err != nil {
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
		if p, err = e.chargeWith(ctx, p, reconcilePayload{Key: p.Key}, nil); err != nil {
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

// coinPurchaseKey is the stored key of a coin purchase that payer pays
// for at requester's request under the requester's idempotency key: the
// fan's own purchase's key (moneyKey) when they are the same fan, and,
// when a guardian pays for a minor (booked_to_guardian), a key of the
// guardian's that differs from any of the guardian's own purchases and
// does not spell out the minor's id.
func coinPurchaseKey(payer, requester int64, key string) string {
	return "coins/" + strconv.FormatInt(payer, 10) + "/" + KeyedEventID(requester, "coins:"+key)
}

// declined is the error of a declined payment.
func declined(p *Payment) *Error {
	return Errorf(EDECLINED, "The payment provider declined the charge of %s (%s); nothing was bought.", FormatMoney(p.Amount, p.Currency).In("en"), p.DeclineCode)
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

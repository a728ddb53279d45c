package fanclub

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"fanclub/ledger"
)

// Error codes of money.
const (
	// EINSUFFICIENT refuses a spending the fan's balance does not cover;
	// nothing changes.
	EINSUFFICIENT = "insufficient_funds"
	// EDECLINED is a charge the payment provider declined; nothing was
	// bought.
	EDECLINED = "payment_declined"
)

// Defaults of MoneyConfig.
const (
	// DefaultCurrency is the instance currency: prices, charges and
	// creator revenue are integer minor units of it (CNY: fen).
	DefaultCurrency = "CNY"
	// DefaultCoinPrice is the price of one coin in minor units: 10 fen,
	// so 10 coins per yuan.
	DefaultCoinPrice = 10
	// DefaultMaxCoinPurchase bounds the coins one purchase buys.
	DefaultMaxCoinPurchase = 1_000_000
)

// MoneyConfig holds an instance's money settings; zero fields take their
// defaults.
type MoneyConfig struct {
	// Currency is the ISO 4217 code of money (default DefaultCurrency).
	Currency string
	// CoinPrice is what one coin costs, in minor units (default
	// DefaultCoinPrice).
	CoinPrice int64
	// MaxCoinPurchase bounds the coins of one purchase (default
	// DefaultMaxCoinPurchase).
	MaxCoinPurchase int64
}

// withDefaults returns c with its zero fields defaulted.
func (c MoneyConfig) withDefaults() MoneyConfig {
	if c.Currency == "" {
		c.Currency = DefaultCurrency
	}
	if c.CoinPrice <= 0 {
		c.CoinPrice = DefaultCoinPrice
	}
	if c.MaxCoinPurchase <= 0 {
		c.MaxCoinPurchase = DefaultMaxCoinPurchase
	}
	return c
}

// Money returns the engine's money settings, defaults filled in.
func (e *Engine) Money() MoneyConfig { return e.money }

// PaymentKind says whether money came in (charge) or went back (refund).
type PaymentKind string

// Payment kinds.
const (
	PaymentCharge PaymentKind = "charge"
	PaymentRefund PaymentKind = "refund"
)

// PaymentStatus is where a payment stands with the provider.
type PaymentStatus string

// Payment statuses. A pending payment was recorded before the provider
// was called; it becomes succeeded or declined once the provider's answer
// is committed, by the request that made it or by the reconcile job.
const (
	PaymentPending   PaymentStatus = "pending"
	PaymentSucceeded PaymentStatus = "succeeded"
	PaymentDeclined  PaymentStatus = "declined"
)

// Payment purposes: what a charge paid for or a refund gave back.
const (
	PurposeCoins = "coins"
)

// Payment is the engine's record of one charge or refund through the
// payment provider: the fan-visible history of money ("charges" in the
// simulator, purchases in an export). Its ledger transfers carry the
// payment's key.
type Payment struct {
	ID int64 `json:"id"`
	// Key is the idempotency key, unique among payments; the provider
	// call uses it too, so a retried call returns the first answer.
	Key    string      `json:"-"`
	FanID  int64       `json:"fan_id"`
	ClubID int64       `json:"club_id,omitempty"`
	Kind   PaymentKind `json:"kind"`
	// Purpose says what the money was for ("coins", …).
	Purpose  string `json:"purpose"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	// Coins are the coins a coin purchase buys.
	Coins  int64         `json:"coins,omitempty"`
	Status PaymentStatus `json:"status"`
	// ProviderRef is the provider's id of the charge or refund.
	ProviderRef string `json:"provider_ref,omitempty"`
	// DeclineCode is the provider's reason for a decline, or
	// spending_cap for a minor's renewal the caps refused.
	DeclineCode string    `json:"decline_code,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	// SettledAt is when the provider's answer was recorded.
	SettledAt *time.Time `json:"settled_at,omitempty"`
}

// PaymentTx stores payments.
type PaymentTx interface {
	// CreatePayment stores p and sets its ID, unless a payment with p.Key
	// exists: then it copies the stored payment into p and reports false.
	CreatePayment(ctx context.Context, p *Payment) (created bool, err error)
	// FindPaymentByKey returns ENOTFOUND when no payment has the key.
	FindPaymentByKey(ctx context.Context, key string) (*Payment, error)
	// UpdatePayment saves a payment's status, provider reference, decline
	// code and settlement time.
	UpdatePayment(ctx context.Context, p *Payment) error
	// ListPayments lists a fan's payments, oldest first.
	ListPayments(ctx context.Context, fanID int64) ([]*Payment, error)
}

// Wallet is a fan's coin balances.
type Wallet struct {
	// Coins is the fan's spendable coins.
	Coins int64 `json:"coins"`
	// Owed is coins the fan owes (charged but not covered by the balance).
	Owed int64 `json:"owed"`
}

// Wallet returns a fan's coin balances.
func (e *Engine) Wallet(ctx context.Context, fanID int64) (*Wallet, error) {
	var w *Wallet
	err := e.inTx(ctx, false, func(tx Tx) error {
		if _, err := tx.FindFanByID(ctx, fanID); err != nil {
			return fmt.Errorf("find fan %d: %w", fanID, err)
		}
		var err error
		w, err = walletOf(ctx, tx, fanID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// walletOf reads a fan's coin balances in tx.
func walletOf(ctx context.Context, tx Tx, fanID int64) (*Wallet, error) {
	as, err := tx.LedgerAccounts(ctx, []ledger.AccountID{ledger.FanCoins(fanID).ID, ledger.FanOwed(fanID).ID})
	if err != nil {
		return nil, fmt.Errorf("wallet of fan %d: %w", fanID, err)
	}
	return walletFrom(as, fanID), nil
}

// walletFrom is a fan's wallet from accounts read with LedgerAccounts
// (among them the fan's coins and owed accounts; a missing one is zero).
func walletFrom(as map[ledger.AccountID]ledger.Account, fanID int64) *Wallet {
	// The owed account is debit-normal: its debits are the debt.
	o := as[ledger.FanOwed(fanID).ID]
	return &Wallet{Coins: as[ledger.FanCoins(fanID).ID].Balance(), Owed: o.DebitsPosted - o.CreditsPosted}
}

// ListPayments lists a fan's charges and refunds, oldest first.
func (e *Engine) ListPayments(ctx context.Context, fanID int64) ([]*Payment, error) {
	var out []*Payment
	err := e.inTx(ctx, false, func(tx Tx) error {
		if _, err := tx.FindFanByID(ctx, fanID); err != nil {
			return fmt.Errorf("find fan %d: %w", fanID, err)
		}
		var err error
		out, err = tx.ListPayments(ctx, fanID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkKey validates the idempotency key of a money-moving request: it
// is required, and has the form of an Idempotency-Key header.
func checkKey(key string) *FieldError {
	if key == "" {
		return &FieldError{Path: "Idempotency-Key", Allowed: idempotencyKeyChars, Message: "a money-moving request needs an idempotency key"}
	}
	var de *Error
	if err := CheckIdempotencyKey(key); errors.As(err, &de) && len(de.Fields) > 0 {
		return &de.Fields[0]
	}
	return nil
}

// moneyKey is the stored key of a fan's money-moving request: kind, fan
// and a digest of the client's key, so that stored keys have a bounded
// length whatever the client's.
func moneyKey(kind string, fanID int64, key string) string {
	return kind + "/" + strconv.FormatInt(fanID, 10) + "/" + KeyedEventID(fanID, kind+":"+key)
}

// ledgerError turns a ledger refusal into a domain error; other errors
// are returned as they are.
func ledgerError(err error, what string) error {
	switch ledger.ErrorCode(err) {
	case "":
		return err
	case ledger.EInsufficientFunds:
		return &Error{Code: EINSUFFICIENT, Message: what}
	case ledger.EKeyConflict:
		return &Error{Code: EKEYREUSED, Message: "This idempotency key was first used for another request."}
	case ledger.EOverflow:
		return &Error{Code: EINVALID, Message: "The amount would overflow a balance."}
	default:
		return fmt.Errorf("ledger: %w", err)
	}
}

// Package payments is the interface the engine takes money through: one-off
// charges, refunds, and payment agreements (代扣协议) that let a renewal
// charge the fan until the fan revokes them.
//
// A Provider's calls are network calls in a real provider (Alipay, WeChat
// Pay, Stripe), so the engine makes them outside its write transactions.
// Every request carries an idempotency key, Stripe style: a call retried
// with the same key and the same content returns the first result, with
// the same key and other content fails with CodeIdempotencyConflict. A
// caller that lost the answer (a timeout, a crash) retries with the same
// key and learns what happened.
//
// A declined charge is a result (Charge.Status == ChargeDeclined, with a
// DeclineCode), not an error; errors are invalid requests, unknown
// records, idempotency conflicts, refunds above what a charge has left,
// and a provider that cannot be reached (*Error with a Code).
//
// The package has no dependencies: the built-in provider is
// payments/sandbox, and payments/paymentstest is the behaviour suite
// every provider runs.
package payments

import (
	"context"
	"time"
)

// Provider takes payments. Every method is idempotent by its request's
// Key; see the package documentation.
type Provider interface {
	// Name names the provider, e.g. "sandbox".
	Name() string
	// Charge takes Amount from the fan, once, or on an agreement when
	// AgreementID is set. A decline is a Charge with Status
	// ChargeDeclined.
	Charge(ctx context.Context, req ChargeRequest) (*Charge, error)
	// Refund gives back part or all of a succeeded charge; refunds beyond
	// what remains of the charge fail with CodeRefundExceedsCharge.
	Refund(ctx context.Context, req RefundRequest) (*Refund, error)
	// CreateAgreement opens a payment agreement with the fan.
	CreateAgreement(ctx context.Context, req AgreementRequest) (*Agreement, error)
	// RevokeAgreement ends an agreement; revoking a revoked agreement
	// returns it unchanged.
	RevokeAgreement(ctx context.Context, req RevokeRequest) (*Agreement, error)
}

// ChargeStatus is the outcome of a charge.
type ChargeStatus string

// Charge outcomes.
const (
	ChargeSucceeded ChargeStatus = "succeeded"
	ChargeDeclined  ChargeStatus = "declined"
)

// Decline codes a provider may set on a declined charge.
const (
	// DeclineCardDeclined: the payment method refused the charge.
	DeclineCardDeclined = "card_declined"
	// DeclineAgreementRevoked: the charge named a revoked agreement.
	DeclineAgreementRevoked = "agreement_revoked"
)

// ChargeRequest asks for a charge.
type ChargeRequest struct {
	// Key is the idempotency key (required, at most MaxKeyLen bytes).
	Key   string `json:"key"`
	FanID int64  `json:"fan_id"`
	// Amount is in minor units (fen), positive.
	Amount int64 `json:"amount"`
	// Currency is an ISO 4217 code in capitals, e.g. "CNY".
	Currency string `json:"currency"`
	// AgreementID charges on a payment agreement of the fan; "" is a
	// one-off charge.
	AgreementID string `json:"agreement_id,omitempty"`
	// Description is shown to the fan, e.g. "Gold monthly, 2026-03".
	Description string `json:"description,omitempty"`
}

// Charge is a charge's outcome.
type Charge struct {
	ID          string       `json:"id"`
	Key         string       `json:"key"`
	FanID       int64        `json:"fan_id"`
	Amount      int64        `json:"amount"`
	Currency    string       `json:"currency"`
	AgreementID string       `json:"agreement_id,omitempty"`
	Status      ChargeStatus `json:"status"`
	// DeclineCode says why a declined charge was declined.
	DeclineCode string    `json:"decline_code,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// RefundStatus is the outcome of a refund.
type RefundStatus string

// RefundSucceeded is the status of a refund made.
const RefundSucceeded RefundStatus = "succeeded"

// RefundRequest asks to give back part or all of a charge.
type RefundRequest struct {
	// Key is the idempotency key (required, at most MaxKeyLen bytes).
	Key      string `json:"key"`
	ChargeID string `json:"charge_id"`
	// Amount is in the charge's minor units, positive.
	Amount int64  `json:"amount"`
	Reason string `json:"reason,omitempty"`
}

// Refund is a refund made.
type Refund struct {
	ID       string `json:"id"`
	Key      string `json:"key"`
	ChargeID string `json:"charge_id"`
	Amount   int64  `json:"amount"`
	// Currency is the charge's.
	Currency  string       `json:"currency"`
	Status    RefundStatus `json:"status"`
	CreatedAt time.Time    `json:"created_at"`
}

// AgreementStatus is the state of a payment agreement.
type AgreementStatus string

// Agreement states.
const (
	AgreementActive  AgreementStatus = "active"
	AgreementRevoked AgreementStatus = "revoked"
)

// AgreementRequest asks for a payment agreement with a fan.
type AgreementRequest struct {
	// Key is the idempotency key (required, at most MaxKeyLen bytes).
	Key   string `json:"key"`
	FanID int64  `json:"fan_id"`
}

// RevokeRequest asks to end a payment agreement.
type RevokeRequest struct {
	// Key is the idempotency key (required, at most MaxKeyLen bytes).
	Key         string `json:"key"`
	AgreementID string `json:"agreement_id"`
}

// Agreement is a payment agreement (代扣协议): while active, charges that
// name it are taken without the fan acting.
type Agreement struct {
	ID        string          `json:"id"`
	FanID     int64           `json:"fan_id"`
	Status    AgreementStatus `json:"status"`
	CreatedAt time.Time       `json:"created_at"`
	// RevokedAt is when it was revoked; nil while active.
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

package payments

import (
	"context"
	"time"
)

// Payouts is implemented by a provider that pays money out to creators.
// A payout under a key is made once: a retried call with the same request
// returns the first payout; another request under the key is
// CodeIdempotencyConflict.
type Payouts interface {
	Payout(ctx context.Context, req PayoutRequest) (*Payout, error)
}

// PayoutStatus is the outcome of a payout.
type PayoutStatus string

// PayoutPaid is the status of a payout made.
const PayoutPaid PayoutStatus = "paid"

// PayoutRequest asks to pay money out to a creator.
type PayoutRequest struct {
	// Key is the idempotency key (required, at most MaxKeyLen bytes).
	Key       string `json:"key"`
	CreatorID int64  `json:"creator_id"`
	// Amount is in minor units, positive.
	Amount int64 `json:"amount"`
	// Currency is an ISO 4217 code in capitals, e.g. "CNY".
	Currency string `json:"currency"`
}

// Validate returns a CodeInvalid error unless the request is well formed.
func (r PayoutRequest) Validate() error {
	switch {
	case validKey(r.Key) != nil:
		return validKey(r.Key)
	case r.CreatorID < 1:
		return Errorf(CodeInvalid, "creator_id must be a positive id, not %d.", r.CreatorID)
	case r.Amount < 1:
		return Errorf(CodeInvalid, "amount must be positive (minor units), not %d.", r.Amount)
	case !validCurrency(r.Currency):
		return Errorf(CodeInvalid, "currency must be an ISO 4217 code such as CNY, not %q.", r.Currency)
	}
	return nil
}

// Payout is a payout made.
type Payout struct {
	ID        string       `json:"id"`
	Key       string       `json:"key"`
	CreatorID int64        `json:"creator_id"`
	Amount    int64        `json:"amount"`
	Currency  string       `json:"currency"`
	Status    PayoutStatus `json:"status"`
	CreatedAt time.Time    `json:"created_at"`
}

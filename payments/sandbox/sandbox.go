// Package sandbox is the built-in payment provider: it takes no money and
// keeps its charges, refunds and agreements as payment records in the
// fanclub store, so that several serve processes and the simulator share
// them. It can be told to decline charges, per fan or per amount, for
// tests and demos; those rules are kept in the store too.
//
// Ids are deterministic: a prefix and the store's sequence number of the
// record ("sbx_ch_000123"), and times are the store transaction's, so a
// simulation run twice on fresh stores gets the same ids and times. Each
// call runs in one store write transaction, run again when the store
// reports a conflict with a concurrent one (fanclub.IsRetryable); the
// unique key of a record decides which of two concurrent calls with the
// same idempotency key made it, and both return it.
package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"fanclub"
	"fanclub/payments"
)

// Name is the provider's name, as its records are stored under.
const Name = "sandbox"

// rulesProvider is the provider name the decline rules are stored under,
// apart from the records clients' keys name.
const rulesProvider = Name + "/rules"

// Record kinds.
const (
	kindCharge     = "charge"
	kindRefund     = "refund"
	kindAgreement  = "agreement"
	kindRevocation = "revocation"
	kindRule       = "rule"
	kindPayout     = "payout"
)

// Id prefixes by kind.
var idPrefix = map[string]string{
	kindCharge:     "sbx_ch_",
	kindRefund:     "sbx_re_",
	kindAgreement:  "sbx_ag_",
	kindRevocation: "sbx_rv_",
	kindPayout:     "sbx_po_",
}

// Options configures a Provider. The zero value is the default.
type Options struct {
	// MaxAttempts bounds the runs of one call's transaction when the
	// store reports conflicts (default fanclub.MaxTxAttempts).
	MaxAttempts int
}

// Provider is the sandbox payment provider; it implements
// payments.Provider. It is safe for concurrent use, and any number of
// Providers over one store share its records.
type Provider struct {
	store       fanclub.Store
	maxAttempts int
}

var _ payments.Provider = (*Provider)(nil)

// New returns a sandbox provider keeping its records in store.
func New(store fanclub.Store, opts Options) *Provider {
	n := opts.MaxAttempts
	if n < 1 {
		n = fanclub.MaxTxAttempts
	}
	return &Provider{store: store, maxAttempts: n}
}

// Name returns "sandbox".
func (p *Provider) Name() string { return Name }

// inTx runs fn in a write transaction and commits it, running it again
// while the store reports a retryable conflict: the one place the sandbox
// retries.
func (p *Provider) inTx(ctx context.Context, fn func(tx fanclub.Tx) error) error {
	return fanclub.RetryWriteTx(ctx, p.store, p.maxAttempts, fn)
}

// providerError returns err as a payments error: a *payments.Error as it
// is, anything else (the store's) as CodeUnavailable.
func providerError(err error) error {
	var pe *payments.Error
	if err == nil || errors.As(err, &pe) {
		return err
	}
	return payments.Unavailable(err)
}

// save stores a new record under the provider and gives it an id from its
// sequence number. It returns the stored record and whether this call made
// it; an existing record with the key is returned as it is.
func save(ctx context.Context, tx fanclub.Tx, r *fanclub.PaymentRecord) (*fanclub.PaymentRecord, bool, error) {
	r.Provider = Name
	got, err := tx.SavePaymentRecord(ctx, r)
	if err != nil {
		return nil, false, err
	}
	if got.ID != "" || got.Seq == 0 {
		return got, false, nil
	}
	got.ID = fmt.Sprintf("%s%06d", idPrefix[got.Kind], got.Seq)
	if err := tx.UpdatePaymentRecord(ctx, got); err != nil {
		return nil, false, err
	}
	return got, true, nil
}

// findByKey returns the provider's record with key, or nil when none.
func findByKey(ctx context.Context, tx fanclub.Tx, key string) (*fanclub.PaymentRecord, error) {
	r, err := tx.FindPaymentRecordByKey(ctx, Name, key)
	if fanclub.ErrorCode(err) == fanclub.ENOTFOUND {
		return nil, nil
	}
	return r, err
}

// findByID returns the provider's record of a kind with an id, or a
// CodeNotFound error.
func findByID(ctx context.Context, tx fanclub.Tx, kind, id string) (*fanclub.PaymentRecord, error) {
	r, err := tx.FindPaymentRecord(ctx, Name, id)
	if fanclub.ErrorCode(err) == fanclub.ENOTFOUND || (err == nil && r.Kind != kind) {
		return nil, payments.Errorf(payments.CodeNotFound, "No %s %q.", kind, id)
	}
	return r, err
}

// conflict is the error of a key first used for another request.
func conflict(key string, r *fanclub.PaymentRecord) error {
	return payments.Errorf(payments.CodeIdempotencyConflict,
		"The key %q was first used for another request (%s %s).", key, r.Kind, r.ID)
}

// encode marshals a record body.
func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sandbox: encode %T: %v", v, err))
	}
	return b
}

// decode unmarshals a record body, or fails as a corrupt record.
func decode(r *fanclub.PaymentRecord, v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("sandbox: %s %s: corrupt body: %w", r.Kind, r.ID, err)
	}
	return nil
}

// utc is t in UTC without a monotonic reading, as a stored time reads.
func utc(t time.Time) time.Time { return t.UTC() }

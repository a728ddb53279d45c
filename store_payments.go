package fanclub

import (
	"context"
	"time"
)

// PaymentRecord is one record a payment provider keeps in the store: a
// charge, a refund, a payment agreement, a revocation or a provider
// setting (the sandbox's decline rules). The store keeps the columns it
// is asked to and understands none of them; what Kind, Status, Ref and
// Body mean is the provider's business.
type PaymentRecord struct {
	// Provider names the provider the record belongs to, e.g. "sandbox".
	Provider string
	// Kind is the record's kind, e.g. "charge", "refund", "agreement",
	// "revocation" or "rule".
	Kind string
	// ID is the provider's id of the record; it may be empty when the
	// record is saved and set later with UpdatePaymentRecord. Non-empty
	// ids are unique per provider.
	ID string
	// Key is unique per provider: the idempotency key of the request that
	// made the record, or the name of a setting.
	Key string
	// Seq is assigned by SavePaymentRecord: it grows with every record
	// the store saves (gaps are possible).
	Seq      int64
	FanID    int64
	Amount   int64
	Currency string
	Status   string
	// Ref names another record, e.g. a refund's charge.
	Ref string
	// Body is the provider's own encoding of the rest (JSON, typically).
	Body      []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PaymentRecordTx stores payment providers' records.
type PaymentRecordTx interface {
	// SavePaymentRecord inserts r unless a record with its (Provider, Key)
	// exists, and returns the stored record: a copy of r, with Seq set and
	// zero CreatedAt and UpdatedAt set to the transaction's time, when it
	// was inserted; the earlier one otherwise. A non-empty ID another
	// record of the provider has is ECONFLICT (the transaction stays
	// usable).
	SavePaymentRecord(ctx context.Context, r *PaymentRecord) (*PaymentRecord, error)
	// FindPaymentRecord returns the provider's record with an id
	// (ENOTFOUND if none).
	FindPaymentRecord(ctx context.Context, provider, id string) (*PaymentRecord, error)
	// FindPaymentRecordByKey returns the provider's record with a key
	// (ENOTFOUND if none).
	FindPaymentRecordByKey(ctx context.Context, provider, key string) (*PaymentRecord, error)
	// UpdatePaymentRecord replaces the ID, Amount, Status, Ref, Body and
	// UpdatedAt (the transaction's time when zero) of the record with r's
	// (Provider, Key); ENOTFOUND if none.
	UpdatePaymentRecord(ctx context.Context, r *PaymentRecord) error
	// ListPaymentRecords lists the provider's records of a kind (kind "":
	// of every kind) and of a fan (fanID 0: of every fan), in the order
	// they were saved.
	ListPaymentRecords(ctx context.Context, provider string, fanID int64, kind string) ([]*PaymentRecord, error)
}

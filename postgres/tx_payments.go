package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"fanclub"
	"fanclub/internal/rowcodec"
)

var _ fanclub.PaymentRecordTx = (*Tx)(nil)

// SavePaymentRecord inserts r unless (provider, key) is taken, and returns
// the stored record.
func (t *Tx) SavePaymentRecord(ctx context.Context, r *fanclub.PaymentRecord) (*fanclub.PaymentRecord, error) {
	cp := rowcodec.NewPaymentRecord(r, t.now)
	err := t.queryRow(ctx, "payment record", qSavePayment, []any{cp.Provider, cp.Kind, cp.ID, cp.Key, cp.FanID, cp.Amount,
		cp.Currency, cp.Status, cp.Ref, cp.Body, ts(cp.CreatedAt), ts(cp.UpdatedAt)}, &cp.Seq)
	if errNoRows(err) {
		return t.savedPaymentRecord(ctx, r)
	} else if err != nil {
		return nil, err
	}
	return &cp, nil
}

// savedPaymentRecord returns the record an insert of r hit: the one with
// its key or, when none, ECONFLICT for its taken id.
func (t *Tx) savedPaymentRecord(ctx context.Context, r *fanclub.PaymentRecord) (*fanclub.PaymentRecord, error) {
	got, err := t.FindPaymentRecordByKey(ctx, r.Provider, r.Key)
	if fanclub.ErrorCode(err) == fanclub.ENOTFOUND {
		return nil, fanclub.Errorf(fanclub.ECONFLICT, "Payment record %s of %s already exists.", r.ID, r.Provider)
	}
	return got, err
}

// FindPaymentRecord returns the provider's record with an id.
func (t *Tx) FindPaymentRecord(ctx context.Context, provider, id string) (*fanclub.PaymentRecord, error) {
	if id == "" {
		return nil, notFound("Payment record", `""`)
	}
	return t.findPaymentRecord(ctx, qFindPayment, provider, id)
}

// FindPaymentRecordByKey returns the provider's record with a key.
func (t *Tx) FindPaymentRecordByKey(ctx context.Context, provider, key string) (*fanclub.PaymentRecord, error) {
	return t.findPaymentRecord(ctx, qFindPaymentByKey, provider, key)
}

// findPaymentRecord runs a single-record query.
func (t *Tx) findPaymentRecord(ctx context.Context, q, provider, k string) (*fanclub.PaymentRecord, error) {
	if t.conflict != nil {
		return nil, t.conflict
	}
	r, err := rowcodec.ScanPaymentRecord(t.tx.QueryRow(ctx, q, provider, k))
	if errNoRows(err) {
		return nil, notFound("Payment record", k)
	} else if err != nil {
		return nil, t.fail("payment record", err)
	}
	return r, nil
}

// UpdatePaymentRecord replaces the mutable fields of the record with r's
// (provider, key).
func (t *Tx) UpdatePaymentRecord(ctx context.Context, r *fanclub.PaymentRecord) error {
	body := r.Body
	if body == nil {
		body = []byte{}
	}
	updated := r.UpdatedAt
	if updated.IsZero() {
		updated = t.now
	}
	tag, err := t.exec(ctx, "payment record", qUpdatePayment, r.ID, r.Amount, r.Status, r.Ref, body, ts(updated), r.Provider, r.Key)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return notFound("Payment record", r.Key)
	}
	return nil
}

// ListPaymentRecords lists the provider's records of a kind (all kinds
// when empty) and of a fan (all fans when 0), in the order they were saved.
func (t *Tx) ListPaymentRecords(ctx context.Context, provider string, fanID int64, kind string) ([]*fanclub.PaymentRecord, error) {
	return collect(t, ctx, "payment records", qListPayments, []any{provider, kind, fanID},
		func(rows pgx.Rows) (*fanclub.PaymentRecord, error) { return rowcodec.ScanPaymentRecord(rows) })
}

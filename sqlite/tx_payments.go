package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"fanclub"
	"fanclub/internal/rowcodec"
)

var _ fanclub.PaymentRecordTx = (*Tx)(nil)

// paymentCols are the columns rowcodec.ScanPaymentRecord reads.
const paymentCols = rowcodec.PaymentRecordCols

// SavePaymentRecord inserts r unless (provider, key) is taken, and returns
// the stored record.
func (t *Tx) SavePaymentRecord(ctx context.Context, r *fanclub.PaymentRecord) (*fanclub.PaymentRecord, error) {
	cp := rowcodec.NewPaymentRecord(r, t.now)
	res, err := t.execOne(ctx, `INSERT INTO payment_records(provider, kind, id, key, fan_id, amount, currency, status, ref, body, created_at, updated_at)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		cp.Provider, cp.Kind, cp.ID, cp.Key, cp.FanID, cp.Amount, cp.Currency, cp.Status, cp.Ref, cp.Body,
		ts(cp.CreatedAt), ts(cp.UpdatedAt))
	if err != nil {
		return nil, wrap("payment record", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, wrap("payment record", err)
	} else if n == 0 {
		got, err := t.FindPaymentRecordByKey(ctx, r.Provider, r.Key)
		if fanclub.ErrorCode(err) == fanclub.ENOTFOUND {
			return nil, fanclub.Errorf(fanclub.ECONFLICT, "Payment record %s of %s already exists.", r.ID, r.Provider)
		}
		return got, err
	}
	if cp.Seq, err = res.LastInsertId(); err != nil {
		return nil, wrap("payment record", err)
	}
	return &cp, nil
}

// FindPaymentRecord returns the provider's record with an id.
func (t *Tx) FindPaymentRecord(ctx context.Context, provider, id string) (*fanclub.PaymentRecord, error) {
	if id == "" {
		return nil, notFound("Payment record", `""`)
	}
	return t.findPaymentRecord(ctx, `SELECT `+paymentCols+` FROM payment_records WHERE provider = ? AND id = ?`, provider, id)
}

// FindPaymentRecordByKey returns the provider's record with a key.
func (t *Tx) FindPaymentRecordByKey(ctx context.Context, provider, key string) (*fanclub.PaymentRecord, error) {
	return t.findPaymentRecord(ctx, `SELECT `+paymentCols+` FROM payment_records WHERE provider = ? AND key = ?`, provider, key)
}

// findPaymentRecord runs a single-record query.
func (t *Tx) findPaymentRecord(ctx context.Context, q, provider, k string) (*fanclub.PaymentRecord, error) {
	r, err := rowcodec.ScanPaymentRecord(t.queryRow(ctx, q, provider, k))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Payment record", k)
	} else if err != nil {
		return nil, wrap("payment record", err)
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
	res, err := t.execOne(ctx, `UPDATE payment_records SET id = ?, amount = ?, status = ?, ref = ?, body = ?, updated_at = ?
 WHERE provider = ? AND key = ?`, r.ID, r.Amount, r.Status, r.Ref, body, ts(updated), r.Provider, r.Key)
	if err != nil {
		return wrap("payment record", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return wrap("payment record", err)
	} else if n == 0 {
		return notFound("Payment record", r.Key)
	}
	return nil
}

// ListPaymentRecords lists the provider's records of a kind (all kinds
// when empty) and of a fan (all fans when 0), in the order they were saved.
func (t *Tx) ListPaymentRecords(ctx context.Context, provider string, fanID int64, kind string) ([]*fanclub.PaymentRecord, error) {
	return queryAll(ctx, t, "payment records", func(s scanner) (*fanclub.PaymentRecord, error) { return rowcodec.ScanPaymentRecord(s) }, `SELECT `+paymentCols+` FROM payment_records
 WHERE provider = ? AND (? = '' OR kind = ?) AND (? = 0 OR fan_id = ?) ORDER BY seq`, provider, kind, kind, fanID, fanID)
}

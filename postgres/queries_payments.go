package postgres

import "fanclub/internal/rowcodec"

// Payment records (tx_payments.go).
const (
	qPaymentCols = rowcodec.PaymentRecordCols
	// qSavePayment inserts a record unless its (provider, key) or its
	// (provider, id) is taken; it returns the new seq when it inserted.
	qSavePayment = `INSERT INTO payment_records(provider, kind, id, key, fan_id, amount, currency, status, ref, body, created_at, updated_at)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING RETURNING seq`
	qFindPayment      = `SELECT ` + qPaymentCols + ` FROM payment_records WHERE provider = $1 AND id = $2`
	qFindPaymentByKey = `SELECT ` + qPaymentCols + ` FROM payment_records WHERE provider = $1 AND key = $2`
	qUpdatePayment    = `UPDATE payment_records SET id = $1, amount = $2, status = $3, ref = $4, body = $5, updated_at = $6
 WHERE provider = $7 AND key = $8`
	qListPayments = `SELECT ` + qPaymentCols + ` FROM payment_records
 WHERE provider = $1 AND ($2 = '' OR kind = $2) AND ($3::BIGINT = 0 OR fan_id = $3) ORDER BY seq`
)

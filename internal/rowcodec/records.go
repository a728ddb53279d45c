package rowcodec

import (
	"time"

	"fanclub"
)

// PaymentRecordCols are the columns of a payment record row, in the order
// ScanPaymentRecord reads them.
const PaymentRecordCols = `seq, provider, kind, id, key, fan_id, amount, currency, status, ref, body, created_at, updated_at`

// ScanPaymentRecord reads a payment record row of PaymentRecordCols.
func ScanPaymentRecord(s Scanner) (*fanclub.PaymentRecord, error) {
	var r fanclub.PaymentRecord
	var created, updated int64
	if err := s.Scan(&r.Seq, &r.Provider, &r.Kind, &r.ID, &r.Key, &r.FanID, &r.Amount, &r.Currency, &r.Status,
		&r.Ref, &r.Body, &created, &updated); err != nil {
		return nil, err
	}
	if r.Body == nil {
		r.Body = []byte{}
	}
	r.CreatedAt, r.UpdatedAt = FromNanos(created), FromNanos(updated)
	return &r, nil
}

// NewPaymentRecord is the record a store saves for r at now: a zero
// CreatedAt is now, a zero UpdatedAt is CreatedAt, a nil Body is empty.
func NewPaymentRecord(r *fanclub.PaymentRecord, now time.Time) fanclub.PaymentRecord {
	cp := *r
	if cp.CreatedAt.IsZero() {
		cp.CreatedAt = now
	}
	if cp.UpdatedAt.IsZero() {
		cp.UpdatedAt = cp.CreatedAt
	}
	if cp.Body == nil {
		cp.Body = []byte{}
	}
	return cp
}

// ScanJob reads a job row whose columns are, in order: id, kind, key,
// payload, due_at, state, attempts, leased_by, lease_until, last_error,
// created_at, done_at (nullable).
func ScanJob(s Scanner) (*fanclub.Job, error) {
	var j fanclub.Job
	var state string
	var due, lease, created int64
	var done *int64
	if err := s.Scan(&j.ID, &j.Kind, &j.Key, &j.Payload, &due, &state, &j.Attempts, &j.LeasedBy, &lease, &j.LastError, &created, &done); err != nil {
		return nil, err
	}
	j.State = fanclub.JobState(state)
	j.DueAt, j.LeaseUntil, j.CreatedAt, j.DoneAt = FromNanos(due), FromNanos(lease), FromNanos(created), FromNanosPtr(done)
	return &j, nil
}

// PrepareJob defaults a job about to be enqueued at now (a zero DueAt or
// CreatedAt is now) and returns the payload to store (never nil).
func PrepareJob(j *fanclub.Job, now time.Time) []byte {
	if j.DueAt.IsZero() {
		j.DueAt = now
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = now
	}
	if j.Payload == nil {
		return []byte{}
	}
	return j.Payload
}

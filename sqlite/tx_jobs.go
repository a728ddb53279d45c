package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"fanclub"
	"fanclub/internal/rowcodec"
)

// jobCols are the columns scanJobRow reads, in order.
const jobCols = `id, kind, key, payload, due_at, state, attempts, leased_by, lease_until, last_error, created_at, done_at`

// EnqueueJobs stores new pending jobs; a key already stored is left as it is.
func (t *Tx) EnqueueJobs(ctx context.Context, jobs []*fanclub.Job) error {
	if err := fanclub.CheckJobs(jobs); err != nil {
		return err
	}
	for _, j := range jobs {
		payload := rowcodec.PrepareJob(j, t.now)
		res, err := t.execOne(ctx, `INSERT INTO jobs(kind, key, payload, due_at, state, attempts, leased_by, lease_until, last_error, created_at)
 VALUES (?, ?, ?, ?, 'pending', 0, '', 0, '', ?) ON CONFLICT(key) DO NOTHING`,
			j.Kind, j.Key, payload, ts(j.DueAt), ts(j.CreatedAt))
		if err != nil {
			return wrap("job", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return wrap("job", err)
		} else if n == 0 {
			continue
		}
		if j.ID, err = res.LastInsertId(); err != nil {
			return wrap("job", err)
		}
		j.State, j.Attempts, j.LeasedBy, j.LeaseUntil, j.LastError, j.DoneAt = fanclub.JobPending, 0, "", time.Time{}, "", nil
	}
	return nil
}

// FindJob returns the job stored under key.
func (t *Tx) FindJob(ctx context.Context, key string) (*fanclub.Job, error) {
	j, err := scanJobRow(t.queryRow(ctx, `SELECT `+jobCols+` FROM jobs WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Job", key)
	} else if err != nil {
		return nil, wrap("job", err)
	}
	return j, nil
}

// ClaimJobs leases up to limit due, unleased pending jobs to owner,
// earliest due first. SQLite runs one write transaction at a time, so a
// plain UPDATE of the first due rows is the whole claim.
func (t *Tx) ClaimJobs(ctx context.Context, owner string, leaseUntil time.Time, limit int) ([]*fanclub.Job, error) {
	if owner == "" || limit <= 0 {
		return nil, fanclub.Errorf(fanclub.EINVALID, "A job claim needs an owner and a positive limit.")
	}
	now := ts(t.now)
	jobs, err := queryAll(ctx, t, "job", scanJobRow, `UPDATE jobs SET leased_by = ?, lease_until = ?, attempts = attempts + 1
 WHERE id IN (SELECT id FROM jobs WHERE state = 'pending' AND due_at <= ? AND lease_until <= ? ORDER BY due_at, id LIMIT ?)
 RETURNING `+jobCols, owner, ts(leaseUntil), now, now, limit)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(jobs, func(a, b *fanclub.Job) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return jobs, nil
}

// endLease runs an update of a job leased by owner (the update's first
// arguments, then id and owner) and maps no row updated to ENOTFOUND or
// the lost-lease conflict.
func (t *Tx) endLease(ctx context.Context, id int64, owner, set string, args ...any) error {
	if owner == "" {
		return fanclub.JobLeaseLost(id)
	}
	args = append(args, id, owner)
	res, err := t.execOne(ctx, `UPDATE jobs SET `+set+` WHERE id = ? AND state = 'pending' AND leased_by = ?`, args...)
	if err != nil {
		return wrap("job", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap("job", err)
	}
	if n == 1 {
		return nil
	}
	var one int
	err = t.queryRow(ctx, `SELECT 1 FROM jobs WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("Job", id)
	} else if err != nil {
		return wrap("job", err)
	}
	return fanclub.JobLeaseLost(id)
}

// FinishJob marks a job owner holds done.
func (t *Tx) FinishJob(ctx context.Context, id int64, owner string) error {
	return t.endLease(ctx, id, owner, `state = 'done', done_at = ?`, ts(t.now))
}

// RetryJob releases owner's lease and makes the job due at dueAt.
func (t *Tx) RetryJob(ctx context.Context, id int64, owner string, dueAt time.Time, lastErr string) error {
	return t.endLease(ctx, id, owner, `due_at = ?, leased_by = '', lease_until = 0, last_error = ?`, ts(dueAt), lastErr)
}

// KillJob marks a job owner holds dead.
func (t *Tx) KillJob(ctx context.Context, id int64, owner string, lastErr string) error {
	return t.endLease(ctx, id, owner, `state = 'dead', done_at = ?, last_error = ?`, ts(t.now), lastErr)
}

// CancelJobs cancels the pending jobs stored under keys.
func (t *Tx) CancelJobs(ctx context.Context, keys []string) error {
	now := ts(t.now)
	for _, k := range keys {
		if _, err := t.execOne(ctx, `UPDATE jobs SET state = 'canceled', done_at = ? WHERE key = ? AND state = 'pending'`, now, k); err != nil {
			return wrap("job", err)
		}
	}
	return nil
}

// NextJobDue returns the earliest time a pending job can be claimed: the
// first due time of a job under no live lease, or the end of a live
// lease if earlier. Jobs under a live lease were due when claimed, so the
// second query reads the index's due prefix only.
func (t *Tx) NextJobDue(ctx context.Context) (time.Time, bool, error) {
	now := ts(t.now)
	var free, leased sql.NullInt64
	err := t.queryRow(ctx, `SELECT due_at FROM jobs WHERE state = 'pending' AND lease_until <= ? ORDER BY due_at, id LIMIT 1`, now).Scan(&free)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, wrap("job", err)
	}
	err = t.queryRow(ctx, `SELECT MIN(MAX(due_at, lease_until)) FROM jobs WHERE state = 'pending' AND due_at <= ? AND lease_until > ?`, now, now).Scan(&leased)
	if err != nil {
		return time.Time{}, false, wrap("job", err)
	}
	switch {
	case !free.Valid && !leased.Valid:
		return time.Time{}, false, nil
	case !free.Valid:
		return fromTS(leased.Int64), true, nil
	case !leased.Valid:
		return fromTS(free.Int64), true, nil
	}
	return fromTS(min(free.Int64, leased.Int64)), true, nil
}

// scanJobRow reads a job row (rowcodec.ScanJob); an empty payload reads
// as nil, as it was enqueued.
func scanJobRow(s scanner) (*fanclub.Job, error) {
	j, err := rowcodec.ScanJob(s)
	if err == nil && len(j.Payload) == 0 {
		j.Payload = nil
	}
	return j, err
}

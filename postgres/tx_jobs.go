package postgres

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"fanclub"
	"fanclub/internal/rowcodec"
)

// jobCols are the columns scanJobRow reads, in order, of the jobs table
// named j.
const jobCols = `j.id, j.kind, j.key, j.payload, j.due_at, j.state, j.attempts, j.leased_by, j.lease_until, j.last_error, j.created_at, j.done_at`

const (
	// qEnqueueJob inserts a pending job unless its key is stored.
	qEnqueueJob = `INSERT INTO jobs(kind, key, payload, due_at, state, attempts, leased_by, lease_until, last_error, created_at)
 VALUES ($1, $2, $3, $4, 'pending', 0, '', 0, '', $5) ON CONFLICT (key) DO NOTHING RETURNING id`
	qFindJob = `SELECT ` + jobCols + ` FROM jobs j WHERE j.key = $1`
	// qClaimJobs leases the first due, unleased pending jobs ($1 now, $2
	// limit) to $3 until $4, skipping rows a concurrent claim has locked.
	qClaimJobs = `WITH c AS (SELECT id FROM jobs WHERE state = 'pending' AND due_at <= $1 AND lease_until <= $1
 ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
 UPDATE jobs j SET leased_by = $3, lease_until = $4, attempts = j.attempts + 1 FROM c WHERE j.id = c.id RETURNING ` + jobCols
	qFinishJob   = `UPDATE jobs SET state = 'done', done_at = $3 WHERE id = $1 AND state = 'pending' AND leased_by = $2`
	qRetryJob    = `UPDATE jobs SET due_at = $3, leased_by = '', lease_until = 0, last_error = $4 WHERE id = $1 AND state = 'pending' AND leased_by = $2`
	qKillJob     = `UPDATE jobs SET state = 'dead', done_at = $3, last_error = $4 WHERE id = $1 AND state = 'pending' AND leased_by = $2`
	qJobExists   = `SELECT 1 FROM jobs WHERE id = $1`
	qCancelJobs  = `UPDATE jobs SET state = 'canceled', done_at = $2 WHERE key = ANY($1) AND state = 'pending'`
	qNextFreeJob = `SELECT due_at FROM jobs WHERE state = 'pending' AND lease_until <= $1 ORDER BY due_at, id LIMIT 1`
	// qNextLeasedJob reads the jobs under a live lease, which were due
	// when they were claimed: the index's due prefix.
	qNextLeasedJob = `SELECT MIN(GREATEST(due_at, lease_until)) FROM jobs WHERE state = 'pending' AND due_at <= $1 AND lease_until > $1`
)

// EnqueueJobs stores new pending jobs; a key already stored is left as it is.
func (t *Tx) EnqueueJobs(ctx context.Context, jobs []*fanclub.Job) error {
	if err := fanclub.CheckJobs(jobs); err != nil {
		return err
	}
	for _, j := range jobs {
		payload := rowcodec.PrepareJob(j, t.now)
		var id int64
		err := t.queryRow(ctx, "job", qEnqueueJob, []any{j.Kind, j.Key, payload, ts(j.DueAt), ts(j.CreatedAt)}, &id)
		if errNoRows(err) {
			continue
		} else if err != nil {
			return err
		}
		j.ID = id
		j.State, j.Attempts, j.LeasedBy, j.LeaseUntil, j.LastError, j.DoneAt = fanclub.JobPending, 0, "", time.Time{}, "", nil
	}
	return nil
}

// FindJob returns the job stored under key.
func (t *Tx) FindJob(ctx context.Context, key string) (*fanclub.Job, error) {
	if t.conflict != nil {
		return nil, t.conflict
	}
	j, err := scanJobRow(t.tx.QueryRow(ctx, qFindJob, key))
	if errNoRows(err) {
		return nil, notFound("Job", key)
	} else if err != nil {
		return nil, t.fail("job", err)
	}
	return j, nil
}

// ClaimJobs leases up to limit due, unleased pending jobs to owner,
// earliest due first; rows a concurrent claim holds are skipped.
func (t *Tx) ClaimJobs(ctx context.Context, owner string, leaseUntil time.Time, limit int) ([]*fanclub.Job, error) {
	if owner == "" || limit <= 0 {
		return nil, fanclub.Errorf(fanclub.EINVALID, "A job claim needs an owner and a positive limit.")
	}
	jobs, err := collect(t, ctx, "job", qClaimJobs, []any{ts(t.now), limit, owner, ts(leaseUntil)},
		func(r pgx.Rows) (*fanclub.Job, error) { return scanJobRow(r) })
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

// endLease runs q, an update of job id leased by owner, and maps no row
// updated to ENOTFOUND or the lost-lease conflict.
func (t *Tx) endLease(ctx context.Context, id int64, owner, q string, args ...any) error {
	if owner == "" {
		return fanclub.JobLeaseLost(id)
	}
	tag, err := t.exec(ctx, "job", q, append([]any{id, owner}, args...)...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var one int
	err = t.queryRow(ctx, "job", qJobExists, []any{id}, &one)
	if errNoRows(err) {
		return notFound("Job", id)
	} else if err != nil {
		return err
	}
	return fanclub.JobLeaseLost(id)
}

// FinishJob marks a job owner holds done.
func (t *Tx) FinishJob(ctx context.Context, id int64, owner string) error {
	return t.endLease(ctx, id, owner, qFinishJob, ts(t.now))
}

// RetryJob releases owner's lease and makes the job due at dueAt.
func (t *Tx) RetryJob(ctx context.Context, id int64, owner string, dueAt time.Time, lastErr string) error {
	return t.endLease(ctx, id, owner, qRetryJob, ts(dueAt), lastErr)
}

// KillJob marks a job owner holds dead.
func (t *Tx) KillJob(ctx context.Context, id int64, owner string, lastErr string) error {
	return t.endLease(ctx, id, owner, qKillJob, ts(t.now), lastErr)
}

// CancelJobs cancels the pending jobs stored under keys.
func (t *Tx) CancelJobs(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := t.exec(ctx, "job", qCancelJobs, keys, ts(t.now))
	return err
}

// NextJobDue returns the earliest time a pending job can be claimed: the
// first due time of a job under no live lease, or the end of a live
// lease if earlier.
func (t *Tx) NextJobDue(ctx context.Context) (time.Time, bool, error) {
	now := ts(t.now)
	var free, leased *int64
	if err := t.queryRow(ctx, "job", qNextFreeJob, []any{now}, &free); err != nil && !errNoRows(err) {
		return time.Time{}, false, err
	}
	if err := t.queryRow(ctx, "job", qNextLeasedJob, []any{now}, &leased); err != nil {
		return time.Time{}, false, err
	}
	switch {
	case free == nil && leased == nil:
		return time.Time{}, false, nil
	case free == nil:
		return fromTS(*leased), true, nil
	case leased == nil:
		return fromTS(*free), true, nil
	}
	return fromTS(min(*free, *leased)), true, nil
}

// scanJobRow reads a job row (rowcodec.ScanJob); an empty payload reads
// as nil, as it was enqueued.
func scanJobRow(s rowcodec.Scanner) (*fanclub.Job, error) {
	j, err := rowcodec.ScanJob(s)
	if err == nil && len(j.Payload) == 0 {
		j.Payload = nil
	}
	return j, err
}

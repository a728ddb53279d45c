package fanclub

import (
	"context"
	"time"
)

// JobTx stores the durable job queue (see Job). Every method reads the
// time from the transaction (Tx.Now). A job is found by its due time
// through an index on (state, due_at): no method scans all jobs.
type JobTx interface {
	// EnqueueJobs stores new pending jobs. A job whose Key is already
	// stored, in any state, is left as it is (its ID stays 0): enqueueing
	// is idempotent by key. New jobs get their ID, State pending, 0
	// attempts and no lease; a zero DueAt or CreatedAt is the
	// transaction's time. An empty Kind or Key is EINVALID.
	EnqueueJobs(ctx context.Context, jobs []*Job) error
	// FindJob returns the job stored under key, ENOTFOUND if none.
	FindJob(ctx context.Context, key string) (*Job, error)
	// ClaimJobs leases up to limit pending jobs that are due (DueAt at or
	// before the transaction's time) and under no live lease (LeaseUntil
	// at or before it), earliest due first: each gets LeasedBy owner,
	// LeaseUntil leaseUntil and one more attempt, and is returned as
	// stored. Concurrent claims never return one job twice while its
	// lease lives (PostgreSQL skips rows another claim has locked).
	ClaimJobs(ctx context.Context, owner string, leaseUntil time.Time, limit int) ([]*Job, error)
	// FinishJob marks a job done, if owner holds its lease: the job is
	// pending and was last claimed by owner (a lease that ran out still
	// counts while no one else has claimed the job). Otherwise it is an
	// ECONFLICT saying the lease was lost; ENOTFOUND for an unknown id.
	FinishJob(ctx context.Context, id int64, owner string) error
	// RetryJob releases owner's lease on a job and makes it due again at
	// dueAt, recording lastErr; the same lease rule as FinishJob.
	RetryJob(ctx context.Context, id int64, owner string, dueAt time.Time, lastErr string) error
	// KillJob marks a job dead (it never runs again), recording lastErr;
	// the same lease rule as FinishJob.
	KillJob(ctx context.Context, id int64, owner string, lastErr string) error
	// CancelJobs cancels the pending jobs stored under keys; unknown keys
	// and jobs no longer pending are skipped. A job canceled while a
	// runner holds it is not finished by that runner (its lease is lost).
	CancelJobs(ctx context.Context, keys []string) error
	// NextJobDue returns the earliest time a pending job can be claimed
	// (its DueAt, or the end of its live lease if later); false when no
	// job is pending.
	NextJobDue(ctx context.Context) (time.Time, bool, error)
}

// JobLeaseLost is the ECONFLICT error a store returns when a job's
// outcome is recorded by an owner that no longer holds its lease.
func JobLeaseLost(id int64) error {
	return Errorf(ECONFLICT, "Job %d: the lease was lost (another process claimed the job, or it ended).", id)
}

// CheckJobs validates jobs to enqueue (stores call it): each needs a
// kind and a key.
func CheckJobs(jobs []*Job) error {
	for _, j := range jobs {
		if j == nil || j.Kind == "" || j.Key == "" {
			return Errorf(EINVALID, "A job needs a kind and a key.")
		}
	}
	return nil
}

package fanclub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// A Job is one unit of deferred work in the store's durable queue:
// renewals, reminders, payment retries, webhook deliveries and later
// settlements and purges. It is due at DueAt; any process running the
// engine's job runner (RunDueJobs, RunJobs) may claim it once it is due,
// taking a lease until LeaseUntil, run the handler registered for its
// Kind, and then mark it done, schedule a retry, or kill it.
//
// Handlers must be idempotent: a job whose lease runs out while its
// handler runs (a slow handler, a paused or crashed process) may be
// claimed and run again by another process, and a handler whose effects
// committed may run again when finishing the job failed. A handler that
// writes its effects in a transaction should finish the job in that same
// transaction (FinishJobInTx): the effects and the job's end then commit
// together, and a runner that lost the lease cannot commit them at all.
type Job struct {
	ID int64 `json:"id"`
	// Kind selects the handler (HandleJobs).
	Kind string `json:"kind"`
	// Key is unique among all jobs ever enqueued: enqueueing a key that
	// is stored already, in any state, does nothing, so a job is
	// scheduled once however often its enqueue runs (e.g.
	// "renewal:sub_12:2026-04-01").
	Key string `json:"key"`
	// Payload is the handler's input, JSON.
	Payload []byte `json:"payload,omitempty"`
	// DueAt is the earliest time the job runs.
	DueAt time.Time `json:"due_at"`
	State JobState  `json:"state"`
	// Attempts counts the claims of the job, the current one included.
	Attempts int `json:"attempts"`
	// LeasedBy is the owner id of the process that last claimed the job,
	// LeaseUntil the end of its lease.
	LeasedBy   string    `json:"leased_by,omitempty"`
	LeaseUntil time.Time `json:"lease_until"`
	// LastError is the error of the last failed attempt.
	LastError string    `json:"last_error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// DoneAt is when the job ended (done, dead or canceled).
	DoneAt *time.Time `json:"done_at,omitempty"`

	// finished records that the handler finished the job in its own
	// transaction (FinishJobInTx).
	finished bool
}

// JobState is where a job is in its life.
type JobState string

// Job states: a pending job waits for its due time (or runs under a
// lease); it ends done (its handler succeeded), dead (it failed for good)
// or canceled (CancelJobs).
const (
	JobPending  JobState = "pending"
	JobDone     JobState = "done"
	JobDead     JobState = "dead"
	JobCanceled JobState = "canceled"
)

// JobHandler runs one job. It must be idempotent (see Job). A nil error
// marks the job done (unless the handler finished it itself with
// FinishJobInTx); an error schedules a retry with backoff, or kills the
// job after MaxJobAttempts attempts or when the error is permanent
// (PermanentJobError). ctx ends when the job's lease does, or when the
// runner stops.
type JobHandler func(ctx context.Context, job *Job) error

// ErrPermanentJob is what a permanent job error matches with errors.Is: a
// job failing with it is killed at once rather than retried.
var ErrPermanentJob = errors.New("permanent job failure")

// PermanentJobError marks err permanent: the job is killed without a
// retry. The result matches both err and ErrPermanentJob with errors.Is.
func PermanentJobError(err error) error {
	if err == nil {
		return nil
	}
	return &permanentJobError{err}
}

// permanentJobError is a handler error that retrying cannot cure.
type permanentJobError struct{ err error }

// Error returns the cause's message.
func (e *permanentJobError) Error() string { return e.err.Error() }

// Unwrap returns the cause and ErrPermanentJob.
func (e *permanentJobError) Unwrap() []error { return []error{e.err, ErrPermanentJob} }

// Job retry bounds. A failed attempt n (1-based) is retried after a
// random wait between half and all of jobBackoffBase·2ⁿ⁻¹, capped at
// jobBackoffMax; the MaxJobAttempts-th failure kills the job. Ten attempts
// span about two hours at most, long enough to ride out a payment
// provider's or webhook receiver's outage, short enough that a job that
// cannot succeed is seen dead the same day.
const (
	MaxJobAttempts = 10
	jobBackoffBase = 15 * time.Second
	jobBackoffMax  = time.Hour
)

// DefaultJobLease is how long a claimed job stays reserved for the
// process that claimed it (JobConfig.Lease).
const DefaultJobLease = 60 * time.Second

// jobClaimBatch is how many jobs one claim leases: the runner runs them
// one after another, each well within its lease when handlers are quick.
const jobClaimBatch = 16

// JobConfig configures the engine's job runner.
type JobConfig struct {
	// Lease is how long a claimed job is reserved for this process
	// (default DefaultJobLease); a handler's context ends with it. It
	// should exceed any handler's run time by a wide margin.
	Lease time.Duration
	// Owner names this process in job leases; it must differ between
	// processes sharing a store (default: host name, process id and a
	// random suffix).
	Owner string
}

// jobRunner is the engine's job state: the handlers by kind, this
// process's owner id and the lease.
type jobRunner struct {
	mu       sync.RWMutex
	handlers map[string]JobHandler
	owner    string
	lease    time.Duration
}

// newJobRunner returns the runner state of c, with its defaults.
func newJobRunner(c JobConfig) *jobRunner {
	r := &jobRunner{handlers: map[string]JobHandler{}, owner: c.Owner, lease: c.Lease}
	if r.owner == "" {
		r.owner = defaultJobOwner()
	}
	if r.lease <= 0 {
		r.lease = DefaultJobLease
	}
	return r
}

// defaultJobOwner is "host/pid/random", unique per process.
func defaultJobOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// HandleJobs registers the handler of a kind of job. Registering a kind
// twice, an empty kind or a nil handler panics: each kind has one
// handler, set up before the runner starts.
func (e *Engine) HandleJobs(kind string, h JobHandler) {
	if kind == "" || h == nil {
		panic("fanclub: HandleJobs needs a kind and a handler")
	}
	e.jobs.mu.Lock()
	defer e.jobs.mu.Unlock()
	if _, ok := e.jobs.handlers[kind]; ok {
		panic(fmt.Sprintf("fanclub: HandleJobs: kind %q registered twice", kind))
	}
	e.jobs.handlers[kind] = h
}

// handler returns the handler of kind, nil if none.
func (e *Engine) handler(kind string) JobHandler {
	e.jobs.mu.RLock()
	defer e.jobs.mu.RUnlock()
	return e.jobs.handlers[kind]
}

// JobOwner is the id this engine claims jobs under.
func (e *Engine) JobOwner() string { return e.jobs.owner }

// EnqueueJobs stores jobs in a transaction of their own (see
// JobTx.EnqueueJobs: idempotent by key). Domain code that schedules work
// as part of a change enqueues in that change's transaction instead.
func (e *Engine) EnqueueJobs(ctx context.Context, jobs ...*Job) error {
	return e.inTx(ctx, true, func(tx Tx) error { return tx.EnqueueJobs(ctx, jobs) })
}

// CancelJobs cancels the pending jobs stored under keys (see
// JobTx.CancelJobs).
func (e *Engine) CancelJobs(ctx context.Context, keys ...string) error {
	return e.inTx(ctx, true, func(tx Tx) error { return tx.CancelJobs(ctx, keys) })
}

// FindJob returns the job stored under key (ENOTFOUND if none).
func (e *Engine) FindJob(ctx context.Context, key string) (*Job, error) {
	var j *Job
	err := e.inTx(ctx, false, func(tx Tx) (err error) {
		j, err = tx.FindJob(ctx, key)
		return err
	})
	return j, err
}

// NextJobDue returns the earliest time a pending job can be claimed,
// false when none is pending: the simulator runs RunDueJobs at each such
// time up to its next step.
func (e *Engine) NextJobDue(ctx context.Context) (time.Time, bool, error) {
	var at time.Time
	var ok bool
	err := e.inTx(ctx, false, func(tx Tx) (err error) {
		at, ok, err = tx.NextJobDue(ctx)
		return err
	})
	return at, ok, err
}

// FinishJobInTx marks job done in tx, a transaction of the job's handler
// that also writes the job's effects, so both commit together; the
// runner then does not finish the job again. It fails with ECONFLICT when
// this process no longer holds the job's lease (another process claimed
// it): the handler's transaction must then roll back.
func (e *Engine) FinishJobInTx(ctx context.Context, tx Tx, job *Job) error {
	if err := tx.FinishJob(ctx, job.ID, job.LeasedBy); err != nil {
		return err
	}
	job.finished = true
	return nil
}

// jobBackoff is the wait before retrying a job whose attempt-th attempt
// failed: between half and all of jobBackoffBase·2^(attempt-1), capped at
// jobBackoffMax, the random part drawn from the engine's random source
// (seeded in the simulator) when it has one.
func (e *Engine) jobBackoff(attempt int) time.Duration {
	bound := jobBackoffMax
	if attempt < 1 {
		attempt = 1
	}
	if attempt < 20 {
		bound = min(jobBackoffBase<<(attempt-1), jobBackoffMax)
	}
	half := bound / 2
	var r uint64
	if b, err := e.randomBytes(8); err == nil {
		for _, c := range b {
			r = r<<8 | uint64(c)
		}
	}
	return half + time.Duration(r%uint64(half+1))
}

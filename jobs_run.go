package fanclub

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"
)

// maxJobErrorLen bounds the error text a job keeps.
const maxJobErrorLen = 2000

// RunDueJobs runs every job due at the store clock's time: it claims due
// jobs in batches, each claim in a write transaction of its own that
// leases the batch to this process (JobConfig.Lease), runs each job's
// handler outside any transaction, records the outcome (done, a retry
// with backoff, or dead), and claims again until no job is due. Jobs a
// handler enqueues due now run in the same call. It returns how many
// jobs it ran, and an error when the store failed (a handler's failure
// is recorded on its job and logged, not returned). Several processes
// may run it at once on one store: each job runs in one of them.
func (e *Engine) RunDueJobs(ctx context.Context) (int, error) {
	ran := 0
	for {
		var jobs []*Job
		err := e.inTx(ctx, true, func(tx Tx) (err error) {
			jobs, err = tx.ClaimJobs(ctx, e.jobs.owner, tx.Now().Add(e.jobs.lease), jobClaimBatch)
			return err
		})
		if err != nil {
			return ran, fmt.Errorf("claim jobs: %w", err)
		}
		if len(jobs) == 0 {
			return ran, nil
		}
		for _, j := range jobs {
			if err := ctx.Err(); err != nil {
				// Release the jobs not started, for another process.
				e.releaseJob(j, "runner stopped before the job started")
				continue
			}
			ran++
			if err := e.runJob(ctx, j); err != nil {
				return ran, err
			}
		}
		if err := ctx.Err(); err != nil {
			return ran, err
		}
	}
}

// RunJobs runs due jobs every interval until ctx ends (as serve and
// consume do), logging failures; it returns ctx's error.
func (e *Engine) RunJobs(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := e.RunDueJobs(ctx); err != nil && ctx.Err() == nil {
			e.log.Error("run jobs", "ran", n, "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// runJob runs one claimed job and records its outcome. It returns an
// error only when recording failed for another reason than a lost lease.
func (e *Engine) runJob(ctx context.Context, j *Job) error {
	err := e.callHandler(ctx, j)
	switch {
	case err == nil && j.finished:
		e.observeJob(j.Kind, "done")
		return nil
	case err == nil:
		e.observeJob(j.Kind, "done")
		return e.recordJob(ctx, j, "finish", func(ctx context.Context, tx Tx) error { return tx.FinishJob(ctx, j.ID, j.LeasedBy) })
	case ctx.Err() != nil:
		// The runner is stopping: let another process run the job soon.
		e.releaseJob(j, "runner stopped: "+err.Error())
		return nil
	}
	msg := err.Error()
	if len(msg) > maxJobErrorLen {
		msg = msg[:maxJobErrorLen]
	}
	if errors.Is(err, ErrPermanentJob) || j.Attempts >= MaxJobAttempts {
		e.observeJob(j.Kind, "dead")
		e.log.Error("job dead", "kind", j.Kind, "key", j.Key, "attempts", j.Attempts, "err", err)
		return e.recordJob(ctx, j, "kill", func(ctx context.Context, tx Tx) error { return tx.KillJob(ctx, j.ID, j.LeasedBy, msg) })
	}
	e.observeJob(j.Kind, "retry")
	wait := e.jobBackoff(j.Attempts)
	e.log.Warn("job failed, retrying", "kind", j.Kind, "key", j.Key, "attempts", j.Attempts, "wait", wait, "err", err)
	return e.recordJob(ctx, j, "retry", func(ctx context.Context, tx Tx) error {
		return tx.RetryJob(ctx, j.ID, j.LeasedBy, tx.Now().Add(wait), msg)
	})
}

// callHandler runs j's handler under a context that ends with its lease,
// turning a panic into an error. A job claimed more than MaxJobAttempts
// times (its leases ran out, e.g. a handler that crashes its process) and
// a job of a kind with no handler fail without running.
func (e *Engine) callHandler(ctx context.Context, j *Job) (err error) {
	if j.Attempts > MaxJobAttempts {
		return PermanentJobError(fmt.Errorf("job claimed %d times without finishing", j.Attempts))
	}
	h := e.handler(j.Kind)
	if h == nil {
		return fmt.Errorf("no handler for job kind %q", j.Kind)
	}
	hctx, cancel := context.WithTimeout(ctx, e.jobs.lease)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("job handler panicked", "kind", j.Kind, "key", j.Key, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	return h(hctx, j)
}

// recordJob records a job's outcome in a write transaction, which runs
// to its end even when ctx ends (the runner stopping): fn gets a context
// that is not canceled. A lost lease (ECONFLICT: another process claimed
// the job, or it was canceled) is logged, not returned: the job's current
// holder records its outcome.
func (e *Engine) recordJob(ctx context.Context, j *Job, op string, fn func(ctx context.Context, tx Tx) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	err := e.inTx(ctx, true, func(tx Tx) error { return fn(ctx, tx) })
	if err == nil {
		return nil
	}
	if ErrorCode(err) == ECONFLICT {
		e.log.Warn("job lease lost", "op", op, "kind", j.Kind, "key", j.Key, "err", err)
		return nil
	}
	return fmt.Errorf("%s job %s: %w", op, j.Key, err)
}

// releaseJob makes a claimed job due again at once without counting the
// attempt as a failure of its handler, logging a failure: the runner is
// stopping.
func (e *Engine) releaseJob(j *Job, why string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := e.inTx(ctx, true, func(tx Tx) error { return tx.RetryJob(ctx, j.ID, j.LeasedBy, j.DueAt, why) })
	if err != nil {
		e.log.Warn("release job", "kind", j.Kind, "key", j.Key, "err", err)
	}
}

// observeJob counts a job's outcome when the observer counts jobs.
func (e *Engine) observeJob(kind, outcome string) {
	if o, ok := e.obs.(JobObserver); ok {
		o.JobRan(kind, outcome)
	}
}

// JobObserver is an Observer that also counts job runs; the engine checks
// for it at each run.
type JobObserver interface {
	// JobRan counts a run of a job of kind by outcome: done, retry or
	// dead.
	JobRan(kind, outcome string)
}

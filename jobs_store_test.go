package fanclub_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/internal/teststores"
)

// syncBuffer is a bytes.Buffer safe for concurrent writes, for logs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// jobEngine opens a store with a test clock and an engine logging to the
// returned buffer.
func jobEngine(t *testing.T, open teststores.Open) (*fanclub.Engine, *clock.Manual, fanclub.Store, *syncBuffer) {
	t.Helper()
	c := clock.NewManual(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
	db := open(t, c.Now)
	logs := &syncBuffer{}
	e := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: presetSource{}, Passwords: plainHasher{}, Random: rand.Reader,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	return e, c, db, logs
}

// runs counts handler runs by job key.
type runs struct {
	mu sync.Mutex
	n  map[string]int
}

// add counts a run of key and returns how many there were.
func (r *runs) add(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == nil {
		r.n = map[string]int{}
	}
	r.n[key]++
	return r.n[key]
}

// get returns the runs of key.
func (r *runs) get(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n[key]
}

// mustJob reads a job by key.
func mustJob(t *testing.T, e *fanclub.Engine, key string) *fanclub.Job {
	t.Helper()
	j, err := e.FindJob(context.Background(), key)
	if err != nil {
		t.Fatalf("FindJob %s: %v", key, err)
	}
	return j
}

// runDue runs RunDueJobs and checks how many jobs ran.
func runDue(t *testing.T, e *fanclub.Engine, want int) {
	t.Helper()
	n, err := e.RunDueJobs(context.Background())
	if err != nil || n != want {
		t.Fatalf("RunDueJobs = %d, %v; want %d jobs run", n, err, want)
	}
}

func TestRunDueJobsRunsEachDueJobOnce(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		ctx := context.Background()
		e, c, _, _ := jobEngine(t, open)
		var r runs
		e.HandleJobs("count", func(ctx context.Context, j *fanclub.Job) error {
			r.add(j.Key)
			if j.Key == "due-0" {
				// A job a handler enqueues due now runs in the same call.
				return e.EnqueueJobs(ctx, &fanclub.Job{Kind: "count", Key: "follow-up"})
			}
			return nil
		})
		var jobs []*fanclub.Job
		for i := range 40 {
			jobs = append(jobs, &fanclub.Job{Kind: "count", Key: fmt.Sprintf("due-%d", i), DueAt: c.Now().Add(-time.Duration(i) * time.Second)})
		}
		jobs = append(jobs, &fanclub.Job{Kind: "count", Key: "later", DueAt: c.Now().Add(time.Hour)})
		if err := e.EnqueueJobs(ctx, jobs...); err != nil {
			t.Fatal(err)
		}
		runDue(t, e, 41)
		runDue(t, e, 0)
		for _, key := range []string{"due-0", "due-39", "follow-up"} {
			if n := r.get(key); n != 1 {
				t.Fatalf("job %s ran %d times, want 1", key, n)
			}
			if j := mustJob(t, e, key); j.State != fanclub.JobDone || j.Attempts != 1 {
				t.Fatalf("job %s: %+v, want done after 1 attempt", key, j)
			}
		}
		if at, ok, err := e.NextJobDue(ctx); err != nil || !ok || !at.Equal(c.Now().Add(time.Hour)) {
			t.Fatalf("NextJobDue = %v, %v, %v; want the later job's due time", at, ok, err)
		}
		c.Advance(time.Hour)
		runDue(t, e, 1)
		if _, ok, err := e.NextJobDue(ctx); err != nil || ok {
			t.Fatalf("NextJobDue after every job ran = %v, %v; want none", ok, err)
		}
	})
}

func TestRunDueJobsRetriesWithBackoffThenKills(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		ctx := context.Background()
		e, c, _, _ := jobEngine(t, open)
		var r runs
		e.HandleJobs("flaky", func(ctx context.Context, j *fanclub.Job) error {
			switch n := r.add(j.Key); {
			case j.Key == "always":
				return errors.New("provider down")
			case j.Key == "panics":
				panic("boom")
			case j.Key == "permanent":
				return fanclub.PermanentJobError(errors.New("card expired"))
			case n < 3:
				return fmt.Errorf("failure %d", n)
			}
			return nil
		})
		keys := []string{"always", "panics", "permanent", "twice", "no-handler"}
		for _, k := range keys {
			kind := "flaky"
			if k == "no-handler" {
				kind = "unknown"
			}
			if err := e.EnqueueJobs(ctx, &fanclub.Job{Kind: kind, Key: k}); err != nil {
				t.Fatal(err)
			}
		}
		runDue(t, e, len(keys))
		if j := mustJob(t, e, "permanent"); j.State != fanclub.JobDead || j.Attempts != 1 || j.LastError != "card expired" {
			t.Fatalf("permanent failure: %+v, want dead after 1 attempt", j)
		}
		if j := mustJob(t, e, "panics"); j.State != fanclub.JobPending || !strings.Contains(j.LastError, "boom") {
			t.Fatalf("panicking handler: %+v, want a retry recording the panic", j)
		}
		if j := mustJob(t, e, "no-handler"); j.State != fanclub.JobPending || !strings.Contains(j.LastError, "no handler") {
			t.Fatalf("job without handler: %+v, want a retry", j)
		}
		// Run each retry when due: the waits grow, within the jitter bounds.
		for attempt := 1; attempt < fanclub.MaxJobAttempts; attempt++ {
			j := mustJob(t, e, "always")
			if j.State != fanclub.JobPending || j.Attempts != attempt || j.LastError != "provider down" || j.LeasedBy != "" {
				t.Fatalf("after attempt %d: %+v, want pending, released, with the error", attempt, j)
			}
			bound := min(15*time.Second<<(attempt-1), time.Hour)
			if wait := j.DueAt.Sub(c.Now()); wait < bound/2 || wait > bound {
				t.Fatalf("retry %d waits %v, want between %v and %v", attempt, wait, bound/2, bound)
			}
			c.Set(j.DueAt)
			if _, err := e.RunDueJobs(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if j := mustJob(t, e, "always"); j.State != fanclub.JobDead || j.Attempts != fanclub.MaxJobAttempts || j.DoneAt == nil {
			t.Fatalf("after %d failures: %+v, want dead", fanclub.MaxJobAttempts, j)
		}
		if n := r.get("always"); n != fanclub.MaxJobAttempts {
			t.Fatalf("always-failing handler ran %d times, want %d", n, fanclub.MaxJobAttempts)
		}
		if j := mustJob(t, e, "twice"); j.State != fanclub.JobDone || j.Attempts != 3 {
			t.Fatalf("handler failing twice: %+v, want done after 3 attempts", j)
		}
		if n := r.get("permanent"); n != 1 {
			t.Fatalf("permanent failure ran %d times, want 1", n)
		}
	})
}

func TestFinishJobInTxFinishesOnce(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		ctx := context.Background()
		e, c, db, logs := jobEngine(t, open)
		var finishedAt time.Time
		e.HandleJobs("in-tx", func(ctx context.Context, j *fanclub.Job) error {
			tx, err := db.BeginTx(ctx, true)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if err := tx.EnqueueJobs(ctx, []*fanclub.Job{{Kind: "effect", Key: "effect-of-" + j.Key, DueAt: tx.Now().Add(time.Hour)}}); err != nil {
				return err
			}
			if err := e.FinishJobInTx(ctx, tx, j); err != nil {
				return err
			}
			finishedAt = tx.Now()
			return tx.Commit()
		})
		if err := e.EnqueueJobs(ctx, &fanclub.Job{Kind: "in-tx", Key: "a"}); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Minute)
		runDue(t, e, 1)
		j := mustJob(t, e, "a")
		if j.State != fanclub.JobDone || j.DoneAt == nil || !j.DoneAt.Equal(finishedAt) {
			t.Fatalf("job finished in its handler's transaction: %+v, want done at %v", j, finishedAt)
		}
		mustJob(t, e, "effect-of-a")
		if out := logs.String(); strings.Contains(out, "lease lost") || strings.Contains(out, "level=ERROR") {
			t.Fatalf("the runner finished the job again or failed:\n%s", out)
		}
	})
}

func TestFinishJobInTxRefusedWithoutTheLease(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		ctx := context.Background()
		e, _, db, _ := jobEngine(t, open)
		if err := e.EnqueueJobs(ctx, &fanclub.Job{Kind: "k", Key: "a"}); err != nil {
			t.Fatal(err)
		}
		j := mustJob(t, e, "a")
		j.LeasedBy = "someone-else"
		tx, err := db.BeginTx(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if err := e.FinishJobInTx(ctx, tx, j); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
			t.Fatalf("FinishJobInTx without the lease = %v, want a conflict", err)
		}
	})
}

// TestRunDueJobsStopping stops the runner while a handler runs: the
// handler's success is still recorded, and the jobs of its batch not
// started are released for another run at once.
func TestRunDueJobsStopping(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		e, _, _, _ := jobEngine(t, open)
		ctx, cancel := context.WithCancel(context.Background())
		var r runs
		e.HandleJobs("stop", func(_ context.Context, j *fanclub.Job) error {
			r.add(j.Key)
			cancel()
			return nil
		})
		for _, k := range []string{"a", "b", "c"} {
			if err := e.EnqueueJobs(context.Background(), &fanclub.Job{Kind: "stop", Key: k}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := e.RunDueJobs(ctx); n != 1 || !errors.Is(err, context.Canceled) {
			t.Fatalf("RunDueJobs stopped in its first job = %d, %v; want 1, canceled", n, err)
		}
		if j := mustJob(t, e, "a"); j.State != fanclub.JobDone {
			t.Fatalf("job that succeeded as the runner stopped: %+v, want done", j)
		}
		for _, k := range []string{"b", "c"} {
			if j := mustJob(t, e, k); j.State != fanclub.JobPending || j.LeasedBy != "" {
				t.Fatalf("job not started: %+v, want pending and released", j)
			}
		}
		runDue(t, e, 2) // its cancel() ends a context no longer used
		if r.get("b") != 1 || r.get("c") != 1 {
			t.Fatalf("released jobs ran %d and %d times, want once each", r.get("b"), r.get("c"))
		}
	})
}

// jobCounts is an Observer that counts job runs by outcome.
type jobCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func (*jobCounts) EventsIngested(string, int)      {}
func (*jobCounts) ExitConfirmation(string, string) {}
func (*jobCounts) TxStarted(bool) func(error)      { return func(error) {} }

// JobRan implements fanclub.JobObserver.
func (o *jobCounts) JobRan(kind, outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.n[kind+" "+outcome]++
}

func TestJobRunsObserved(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		ctx := context.Background()
		c := clock.NewManual(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
		obs := &jobCounts{n: map[string]int{}}
		e := fanclub.NewEngine(fanclub.EngineConfig{Store: open(t, c.Now), Observer: obs})
		e.HandleJobs("ok", func(context.Context, *fanclub.Job) error { return nil })
		e.HandleJobs("bad", func(context.Context, *fanclub.Job) error { return errors.New("no") })
		e.HandleJobs("fatal", func(context.Context, *fanclub.Job) error { return fanclub.PermanentJobError(errors.New("no")) })
		if err := e.EnqueueJobs(ctx, &fanclub.Job{Kind: "ok", Key: "1"}, &fanclub.Job{Kind: "ok", Key: "2"},
			&fanclub.Job{Kind: "bad", Key: "3"}, &fanclub.Job{Kind: "fatal", Key: "4"}); err != nil {
			t.Fatal(err)
		}
		runDue(t, e, 4)
		want := map[string]int{"ok done": 2, "bad retry": 1, "fatal dead": 1}
		if fmt.Sprint(obs.n) != fmt.Sprint(want) {
			t.Fatalf("observed %v, want %v", obs.n, want)
		}
	})
}

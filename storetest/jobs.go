package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
)

// claim runs ClaimJobs in a write transaction of its own.
func claim(t *testing.T, s fanclub.Store, owner string, lease time.Duration, limit int) []*fanclub.Job {
	t.Helper()
	var jobs []*fanclub.Job
	inWriteTx(t, s, func(tx fanclub.Tx) {
		var err error
		jobs, err = tx.ClaimJobs(context.Background(), owner, tx.Now().Add(lease), limit)
		must(t, "ClaimJobs", err)
	})
	return jobs
}

// jobKeys lists the keys of jobs, in order.
func jobKeys(jobs []*fanclub.Job) []string {
	keys := []string{}
	for _, j := range jobs {
		keys = append(keys, j.Key)
	}
	return keys
}

// findJob reads the job stored under key.
func findJob(t *testing.T, s fanclub.Store, key string) *fanclub.Job {
	t.Helper()
	var j *fanclub.Job
	inReadTx(t, s, func(tx fanclub.Tx) {
		var err error
		j, err = tx.FindJob(context.Background(), key)
		must(t, "FindJob "+key, err)
	})
	return j
}

// testJobsEnqueue checks that enqueueing is idempotent by key, in any
// state, and that a job round-trips.
func testJobsEnqueue(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	a := &fanclub.Job{Kind: "renewal", Key: "renewal:1", Payload: []byte(`{"sub":1}`), DueAt: now.Add(time.Hour)}
	b := &fanclub.Job{Kind: "reminder", Key: "reminder:1"}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "EnqueueJobs", tx.EnqueueJobs(ctx, []*fanclub.Job{a, b}))
	})
	if a.ID == 0 || b.ID == 0 || a.ID == b.ID {
		t.Fatalf("ids %d and %d, want two distinct ids", a.ID, b.ID)
	}
	wantEqual(t, "job a", findJob(t, s, "renewal:1"), &fanclub.Job{ID: a.ID, Kind: "renewal", Key: "renewal:1",
		Payload: []byte(`{"sub":1}`), DueAt: now.Add(time.Hour), State: fanclub.JobPending, CreatedAt: now})
	wantEqual(t, "job b (due now)", findJob(t, s, "reminder:1"), &fanclub.Job{ID: b.ID, Kind: "reminder", Key: "reminder:1",
		DueAt: now, State: fanclub.JobPending, CreatedAt: now})

	// The same key again, pending or done, changes nothing.
	again := &fanclub.Job{Kind: "other", Key: "renewal:1", Payload: []byte(`{}`), DueAt: now}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "EnqueueJobs(again)", tx.EnqueueJobs(ctx, []*fanclub.Job{again}))
	})
	if again.ID != 0 {
		t.Fatalf("a stored key got id %d, want 0", again.ID)
	}
	wantEqual(t, "job a after enqueue again", findJob(t, s, "renewal:1").Payload, []byte(`{"sub":1}`))
	got := claim(t, s, "p1", time.Minute, 10)
	wantEqual(t, "claimed", jobKeys(got), []string{"reminder:1"})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "FinishJob", tx.FinishJob(ctx, b.ID, "p1"))
		must(t, "EnqueueJobs(done key)", tx.EnqueueJobs(ctx, []*fanclub.Job{{Kind: "reminder", Key: "reminder:1"}}))
	})
	if j := findJob(t, s, "reminder:1"); j.State != fanclub.JobDone {
		t.Fatalf("done job after enqueue again: state %s, want done", j.State)
	}

	inWriteTx(t, s, func(tx fanclub.Tx) {
		wantCode(t, "EnqueueJobs(no key)", tx.EnqueueJobs(ctx, []*fanclub.Job{{Kind: "x"}}), fanclub.EINVALID)
		wantCode(t, "EnqueueJobs(no kind)", tx.EnqueueJobs(ctx, []*fanclub.Job{{Key: "x"}}), fanclub.EINVALID)
		_, err := tx.FindJob(ctx, "nothing")
		wantCode(t, "FindJob(unknown)", err, fanclub.ENOTFOUND)
	})
}

// testJobsClaim checks that claims honour due times, limits and leases,
// that an expired lease can be claimed again, and that only the lease
// holder finishes a job.
func testJobsClaim(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	jobs := []*fanclub.Job{
		{Kind: "k", Key: "later", DueAt: now.Add(time.Hour)},
		{Kind: "k", Key: "now", DueAt: now},
		{Kind: "k", Key: "past", DueAt: now.Add(-time.Minute)},
		{Kind: "k", Key: "past2", DueAt: now.Add(-time.Minute)},
	}
	inWriteTx(t, s, func(tx fanclub.Tx) { must(t, "EnqueueJobs", tx.EnqueueJobs(ctx, jobs)) })

	got := claim(t, s, "A", time.Minute, 2)
	wantEqual(t, "first claim (limit 2)", jobKeys(got), []string{"past", "past2"})
	for _, j := range got {
		if j.LeasedBy != "A" || !j.LeaseUntil.Equal(now.Add(time.Minute)) || j.Attempts != 1 || j.State != fanclub.JobPending {
			t.Fatalf("claimed job %+v: want leased by A until +1m, attempt 1, pending", j)
		}
	}
	wantEqual(t, "second claim", jobKeys(claim(t, s, "A", time.Minute, 10)), []string{"now"})
	wantEqual(t, "claim by B while leases live", jobKeys(claim(t, s, "B", time.Minute, 10)), []string{})

	c.Advance(2 * time.Minute)
	got = claim(t, s, "B", time.Minute, 10)
	wantEqual(t, "claim by B after the leases ran out", jobKeys(got), []string{"past", "past2", "now"})
	if got[0].Attempts != 2 || got[0].LeasedBy != "B" {
		t.Fatalf("reclaimed job %+v: want attempt 2 leased by B", got[0])
	}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		wantCode(t, "FinishJob by the lost owner", tx.FinishJob(ctx, got[0].ID, "A"), fanclub.ECONFLICT)
		wantCode(t, "RetryJob by the lost owner", tx.RetryJob(ctx, got[0].ID, "A", c.Now(), "x"), fanclub.ECONFLICT)
		wantCode(t, "KillJob by the lost owner", tx.KillJob(ctx, got[0].ID, "A", "x"), fanclub.ECONFLICT)
		wantCode(t, "FinishJob with no owner", tx.FinishJob(ctx, got[0].ID, ""), fanclub.ECONFLICT)
		wantCode(t, "FinishJob(unknown)", tx.FinishJob(ctx, 1<<40, "B"), fanclub.ENOTFOUND)
		must(t, "FinishJob by B", tx.FinishJob(ctx, got[0].ID, "B"))
		wantCode(t, "FinishJob twice", tx.FinishJob(ctx, got[0].ID, "B"), fanclub.ECONFLICT)
	})
	j := findJob(t, s, "past")
	if j.State != fanclub.JobDone || j.DoneAt == nil || !j.DoneAt.Equal(c.Now()) {
		t.Fatalf("finished job %+v: want done at %v", j, c.Now())
	}
	// A lease that ran out still lets its owner finish while no one else
	// claimed the job.
	c.Advance(2 * time.Minute)
	inWriteTx(t, s, func(tx fanclub.Tx) { must(t, "FinishJob after its lease", tx.FinishJob(ctx, got[1].ID, "B")) })
	wantEqual(t, "claim skips done jobs", jobKeys(claim(t, s, "C", 2*time.Hour, 10)), []string{"now"})
	c.Advance(time.Hour)
	wantEqual(t, "the later job once due", jobKeys(claim(t, s, "C", time.Minute, 10)), []string{"later"})
}

// testJobsRetryKillCancel checks the other ends of a lease.
func testJobsRetryKillCancel(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	jobs := []*fanclub.Job{{Kind: "k", Key: "retry"}, {Kind: "k", Key: "kill"}, {Kind: "k", Key: "cancel"}, {Kind: "k", Key: "leased"}}
	inWriteTx(t, s, func(tx fanclub.Tx) { must(t, "EnqueueJobs", tx.EnqueueJobs(ctx, jobs)) })
	inWriteTx(t, s, func(tx fanclub.Tx) { must(t, "CancelJobs", tx.CancelJobs(ctx, []string{"cancel", "unknown"})) })
	got := claim(t, s, "A", time.Hour, 10)
	wantEqual(t, "claim skips canceled jobs", jobKeys(got), []string{"retry", "kill", "leased"})
	retryAt := c.Now().Add(10 * time.Minute)
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "RetryJob", tx.RetryJob(ctx, got[0].ID, "A", retryAt, "provider down"))
		must(t, "KillJob", tx.KillJob(ctx, got[1].ID, "A", "card expired"))
		must(t, "CancelJobs(leased, done)", tx.CancelJobs(ctx, []string{"leased", "kill"}))
	})
	r := findJob(t, s, "retry")
	if r.State != fanclub.JobPending || !r.DueAt.Equal(retryAt) || r.LastError != "provider down" || r.LeasedBy != "" || !r.LeaseUntil.IsZero() || r.Attempts != 1 {
		t.Fatalf("retried job %+v: want pending, due %v, error kept, lease released, 1 attempt", r, retryAt)
	}
	k := findJob(t, s, "kill")
	if k.State != fanclub.JobDead || k.LastError != "card expired" || k.DoneAt == nil {
		t.Fatalf("killed job %+v: want dead with its error", k)
	}
	if j := findJob(t, s, "cancel"); j.State != fanclub.JobCanceled || j.DoneAt == nil {
		t.Fatalf("canceled job %+v: want canceled", j)
	}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		wantCode(t, "FinishJob of a job canceled under its lease", tx.FinishJob(ctx, got[2].ID, "A"), fanclub.ECONFLICT)
	})
	wantEqual(t, "claim before the retry is due", jobKeys(claim(t, s, "B", time.Hour, 10)), []string{})
	c.Set(retryAt)
	got = claim(t, s, "B", time.Hour, 10)
	wantEqual(t, "claim once the retry is due", jobKeys(got), []string{"retry"})
	if got[0].Attempts != 2 {
		t.Fatalf("retried job claimed again: attempts %d, want 2", got[0].Attempts)
	}
}

// testJobsNextDue checks NextJobDue with due jobs and live leases.
func testJobsNextDue(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	next := func() (time.Time, bool) {
		var at time.Time
		var ok bool
		inReadTx(t, s, func(tx fanclub.Tx) {
			var err error
			at, ok, err = tx.NextJobDue(ctx)
			must(t, "NextJobDue", err)
		})
		return at, ok
	}
	if at, ok := next(); ok {
		t.Fatalf("NextJobDue with no jobs = %v, true", at)
	}
	t0 := c.Now()
	jobs := []*fanclub.Job{{Kind: "k", Key: "2h", DueAt: t0.Add(2 * time.Hour)}, {Kind: "k", Key: "1h", DueAt: t0.Add(time.Hour)}}
	inWriteTx(t, s, func(tx fanclub.Tx) { must(t, "EnqueueJobs", tx.EnqueueJobs(ctx, jobs)) })
	for _, step := range []struct {
		do   func()
		want time.Time
	}{
		{func() {}, t0.Add(time.Hour)},
		{func() {
			c.Set(t0.Add(time.Hour))
			claim(t, s, "A", 5*time.Minute, 10)
		}, t0.Add(time.Hour + 5*time.Minute)},
		// Once the lease ran out the job is claimable since its due time.
		{func() { c.Set(t0.Add(time.Hour + 10*time.Minute)) }, t0.Add(time.Hour)},
		{func() {
			inWriteTx(t, s, func(tx fanclub.Tx) { must(t, "FinishJob", tx.FinishJob(ctx, jobs[1].ID, "A")) })
		}, t0.Add(2 * time.Hour)},
	} {
		step.do()
		if at, ok := next(); !ok || !at.Equal(step.want) {
			t.Fatalf("NextJobDue at %v = %v, %v; want %v", c.Now(), at, ok, step.want)
		}
	}
	inWriteTx(t, s, func(tx fanclub.Tx) { must(t, "CancelJobs", tx.CancelJobs(ctx, []string{"2h"})) })
	if at, ok := next(); ok {
		t.Fatalf("NextJobDue with no pending job = %v, true", at)
	}
}

// testJobsConcurrentClaims claims 200 due jobs from several goroutines,
// each claim in its own write transaction (run again on a retryable
// conflict), under leases that outlive the test: every job must be
// claimed exactly once.
func testJobsConcurrentClaims(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	const n, workers = 200, 6
	jobs := make([]*fanclub.Job, n)
	for i := range jobs {
		jobs[i] = &fanclub.Job{Kind: "k", Key: fmt.Sprintf("job-%03d", i), DueAt: c.Now().Add(-time.Duration(i%7) * time.Second)}
	}
	inWriteTx(t, s, func(tx fanclub.Tx) { must(t, "EnqueueJobs", tx.EnqueueJobs(ctx, jobs)) })
	var mu sync.Mutex
	claimedBy := map[string][]string{}
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		owner := fmt.Sprintf("worker-%d", w)
		wg.Go(func() {
			for {
				var got []*fanclub.Job
				err := runTx(ctx, s, true, func(tx fanclub.Tx) (err error) {
					got, err = tx.ClaimJobs(ctx, owner, tx.Now().Add(time.Hour), 1+w%4)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, j := range got {
					claimedBy[j.Key] = append(claimedBy[j.Key], owner)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("claim: %v", err)
	}
	if len(claimedBy) != n {
		t.Fatalf("%d jobs claimed, want %d", len(claimedBy), n)
	}
	for key, owners := range claimedBy {
		if len(owners) != 1 {
			t.Fatalf("job %s claimed %d times (%v) while its lease lived", key, len(owners), owners)
		}
	}
}

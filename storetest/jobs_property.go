package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"fanclub"
	"fanclub/clock"
)

// modelJob is what the job property test expects of a stored job.
type modelJob struct {
	seq        int // enqueue order, the order of ids
	state      fanclub.JobState
	due        time.Time
	attempts   int
	leasedBy   string
	leaseUntil time.Time
}

// testJobsProperty runs random sequences of enqueues, claims, outcomes
// by random owners, cancels and clock moves against a model of the job
// queue, checking every answer and NextJobDue after each step. Each run
// uses keys of its own and cancels its pending jobs when it ends, so runs
// share the store.
func testJobsProperty(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	run := 0
	owners := []string{"A", "B", "C"}
	rapid.Check(t, func(rt *rapid.T) {
		run++
		model := map[string]*modelJob{}
		ids := map[string]int64{}
		seq := 0
		key := func(i int) string { return fmt.Sprintf("r%d-k%d", run, i) }
		write := func(fn func(tx fanclub.Tx) error) error {
			tx, err := s.BeginTx(ctx, true)
			if err != nil {
				rt.Fatalf("BeginTx: %v", err)
			}
			defer tx.Rollback()
			if err := fn(tx); err != nil {
				return err
			}
			if err := tx.Commit(); err != nil {
				rt.Fatalf("Commit: %v", err)
			}
			return nil
		}
		defer func() {
			var keys []string
			for k := range model {
				keys = append(keys, k)
			}
			_ = write(func(tx fanclub.Tx) error { return tx.CancelJobs(ctx, keys) })
		}()
		steps := rapid.IntRange(1, 30).Draw(rt, "steps")
		for range steps {
			now := c.Now()
			switch op := rapid.IntRange(0, 5).Draw(rt, "op"); op {
			case 0: // enqueue
				k := key(rapid.IntRange(0, 5).Draw(rt, "key"))
				due := now.Add(time.Duration(rapid.IntRange(-2, 3).Draw(rt, "due")) * time.Minute)
				j := &fanclub.Job{Kind: "p", Key: k, DueAt: due}
				if err := write(func(tx fanclub.Tx) error { return tx.EnqueueJobs(ctx, []*fanclub.Job{j}) }); err != nil {
					rt.Fatalf("EnqueueJobs: %v", err)
				}
				if _, ok := model[k]; ok {
					if j.ID != 0 {
						rt.Fatalf("enqueue of stored key %s set id %d", k, j.ID)
					}
					break
				}
				seq++
				model[k] = &modelJob{seq: seq, state: fanclub.JobPending, due: due}
				ids[k] = j.ID
			case 1: // move the clock
				c.Advance(time.Duration(rapid.IntRange(0, 4).Draw(rt, "advance")) * time.Minute)
			case 2: // claim
				owner := rapid.SampledFrom(owners).Draw(rt, "owner")
				lease := time.Duration(rapid.IntRange(1, 3).Draw(rt, "lease")) * time.Minute
				limit := rapid.IntRange(1, 4).Draw(rt, "limit")
				var got []*fanclub.Job
				if err := write(func(tx fanclub.Tx) (err error) {
					got, err = tx.ClaimJobs(ctx, owner, now.Add(lease), limit)
					return err
				}); err != nil {
					rt.Fatalf("ClaimJobs: %v", err)
				}
				var want []string
				for k, m := range model {
					if m.state == fanclub.JobPending && !m.due.After(now) && !m.leaseUntil.After(now) {
						want = append(want, k)
					}
				}
				slices.SortFunc(want, func(a, b string) int {
					return cmp.Or(model[a].due.Compare(model[b].due), cmp.Compare(model[a].seq, model[b].seq))
				})
				want = want[:min(limit, len(want))]
				if fmt.Sprint(jobKeys(got)) != fmt.Sprint(want) && !(len(got) == 0 && len(want) == 0) {
					rt.Fatalf("ClaimJobs(%s, limit %d) at %v = %v, model %v", owner, limit, now, jobKeys(got), want)
				}
				for _, j := range got {
					m := model[j.Key]
					m.attempts++
					m.leasedBy, m.leaseUntil = owner, now.Add(lease)
					if j.Attempts != m.attempts || j.LeasedBy != owner || !j.LeaseUntil.Equal(m.leaseUntil) {
						rt.Fatalf("claimed %+v, model %+v", j, m)
					}
				}
			case 3: // finish, retry or kill by some owner
				if len(model) == 0 {
					break
				}
				k := key(rapid.IntRange(0, 5).Draw(rt, "key"))
				m, ok := model[k]
				if !ok {
					break
				}
				owner := rapid.SampledFrom(owners).Draw(rt, "owner")
				how := rapid.SampledFrom([]string{"finish", "retry", "kill"}).Draw(rt, "outcome")
				retryAt := now.Add(time.Duration(rapid.IntRange(0, 3).Draw(rt, "retry")) * time.Minute)
				err := write(func(tx fanclub.Tx) error {
					switch how {
					case "finish":
						return tx.FinishJob(ctx, ids[k], owner)
					case "retry":
						return tx.RetryJob(ctx, ids[k], owner, retryAt, "e")
					}
					return tx.KillJob(ctx, ids[k], owner, "e")
				})
				holds := m.state == fanclub.JobPending && m.leasedBy == owner
				if got := fanclub.ErrorCode(err); (holds && err != nil) || (!holds && got != fanclub.ECONFLICT) {
					rt.Fatalf("%s of %s (%+v) by %s = %v", how, k, m, owner, err)
				}
				if !holds {
					break
				}
				switch how {
				case "finish":
					m.state = fanclub.JobDone
				case "retry":
					m.due, m.leasedBy, m.leaseUntil = retryAt, "", time.Time{}
				default:
					m.state = fanclub.JobDead
				}
			case 4: // cancel
				k := key(rapid.IntRange(0, 5).Draw(rt, "key"))
				if err := write(func(tx fanclub.Tx) error { return tx.CancelJobs(ctx, []string{k}) }); err != nil {
					rt.Fatalf("CancelJobs: %v", err)
				}
				if m, ok := model[k]; ok && m.state == fanclub.JobPending {
					m.state = fanclub.JobCanceled
				}
			case 5: // read a job back
				k := key(rapid.IntRange(0, 5).Draw(rt, "key"))
				tx, err := s.BeginTx(ctx, false)
				if err != nil {
					rt.Fatalf("BeginTx: %v", err)
				}
				j, err := tx.FindJob(ctx, k)
				tx.Rollback()
				m, ok := model[k]
				if !ok {
					if fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
						rt.Fatalf("FindJob(%s) of no job = %+v, %v", k, j, err)
					}
					break
				}
				if err != nil || j.State != m.state || !j.DueAt.Equal(m.due) || j.Attempts != m.attempts || j.LeasedBy != m.leasedBy || !j.LeaseUntil.Equal(m.leaseUntil) {
					rt.Fatalf("FindJob(%s) = %+v, %v; model %+v", k, j, err, m)
				}
			}
			checkNextDue(rt, s, c.Now(), model)
		}
	})
}

// checkNextDue compares NextJobDue with the model's: the first due time
// of a pending job under no live lease, or the end of a live lease if
// earlier.
func checkNextDue(rt *rapid.T, s fanclub.Store, now time.Time, model map[string]*modelJob) {
	var want time.Time
	found := false
	for _, m := range model {
		if m.state != fanclub.JobPending {
			continue
		}
		at := m.due
		if m.leaseUntil.After(now) {
			at = m.leaseUntil
		}
		if !found || at.Before(want) {
			want, found = at, true
		}
	}
	tx, err := s.BeginTx(context.Background(), false)
	if err != nil {
		rt.Fatalf("BeginTx: %v", err)
	}
	defer tx.Rollback()
	got, ok, err := tx.NextJobDue(context.Background())
	if err != nil || ok != found || (found && !got.Equal(want)) {
		rt.Fatalf("NextJobDue at %v = %v, %v, %v; model %v, %v", now, got, ok, err, want, found)
	}
}

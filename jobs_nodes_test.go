package fanclub_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/postgres"
	"fanclub/postgres/pgtest"
	"fanclub/sqlite"
)

// twoProcesses opens one store twice, as two processes would: two pools
// on one PostgreSQL schema, or two handles on one SQLite file. Both read
// the wall clock.
func twoProcesses(t *testing.T, kind string) [2]fanclub.Store {
	t.Helper()
	ctx := context.Background()
	var out [2]fanclub.Store
	switch kind {
	case "postgres":
		dsn, schema := pgtest.Schema(t)
		for i := range out {
			db, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema, MaxConns: 4})
			if err != nil {
				t.Fatalf("open postgres: %v", err)
			}
			t.Cleanup(func() { db.Close() })
			out[i] = db
		}
	default:
		path := filepath.Join(t.TempDir(), "store.db")
		for i := range out {
			db, err := sqlite.Open(ctx, path, sqlite.Options{})
			if err != nil {
				t.Fatalf("open sqlite: %v", err)
			}
			t.Cleanup(func() { db.Close() })
			out[i] = db
		}
	}
	return out
}

// TestRunJobsOnTwoProcesses runs the job runner of two engines, each on
// its own handle of one store, at once: every job runs exactly once.
func TestRunJobsOnTwoProcesses(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			if kind == "postgres" && !teststores.Available() {
				t.Skip(pgtest.SkipMessage)
			}
			const n = 150
			stores := twoProcesses(t, kind)
			var r runs
			var mu sync.Mutex
			ranBy := map[string]int{}
			all := make(chan struct{})
			var total int
			var engines [2]*fanclub.Engine
			for i, db := range stores {
				e := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: presetSource{}, Passwords: plainHasher{}, Random: rand.Reader})
				e.HandleJobs("count", func(ctx context.Context, j *fanclub.Job) error {
					r.add(j.Key)
					time.Sleep(time.Millisecond)
					mu.Lock()
					defer mu.Unlock()
					ranBy[e.JobOwner()]++
					if total++; total == n {
						close(all)
					}
					return nil
				})
				engines[i] = e
			}
			if engines[0].JobOwner() == engines[1].JobOwner() {
				t.Fatalf("two engines share the owner id %q", engines[0].JobOwner())
			}
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for _, e := range engines {
				wg.Go(func() { _ = e.RunJobs(ctx, 5*time.Millisecond) })
			}
			for i := range n {
				// Enqueued while the runners run, by both processes, some
				// keys twice.
				e := engines[i%2]
				jobs := []*fanclub.Job{{Kind: "count", Key: fmt.Sprintf("job-%d", i)}, {Kind: "count", Key: fmt.Sprintf("job-%d", i/2)}}
				if err := e.EnqueueJobs(ctx, jobs...); err != nil {
					t.Fatalf("EnqueueJobs: %v", err)
				}
			}
			select {
			case <-all:
			case <-time.After(60 * time.Second):
				t.Errorf("only %d of %d jobs ran in 60s", total, n)
			}
			time.Sleep(50 * time.Millisecond) // a second run would show now
			cancel()
			wg.Wait()
			for i := range n {
				key := fmt.Sprintf("job-%d", i)
				if got := r.get(key); got != 1 {
					t.Errorf("job %s ran %d times, want once", key, got)
				}
				if j := mustJob(t, engines[i%2], key); j.State != fanclub.JobDone {
					t.Errorf("job %s: %+v, want done", key, j)
				}
			}
			t.Logf("runs by process: %v", ranBy)
		})
	}
}

package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"fanclub"
)

func TestJobFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		want  jobSettings
		error string
	}{
		{"defaults", nil, jobSettings{on: true, every: time.Second}, ""},
		{"interval", []string{"--jobs-every", "250ms"}, jobSettings{on: true, every: 250 * time.Millisecond}, ""},
		{"off", []string{"--jobs=false"}, jobSettings{on: false, every: time.Second}, ""},
		{"zero interval", []string{"--jobs-every", "0s"}, jobSettings{}, "--jobs-every 0s: want a positive duration"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, serr := parseServe(tc.args, io.Discard, io.Discard)
			c, cerr := parseConsume(append([]string{"--stream", "s", "--durable", "d"}, tc.args...), io.Discard, io.Discard)
			for cmd, got := range map[string]struct {
				s   jobSettings
				err error
			}{"serve": {s.jobs, serr}, "consume": {c.jobs, cerr}} {
				if tc.error != "" {
					if got.err == nil || !strings.Contains(got.err.Error(), tc.error) {
						t.Errorf("%s %v: error %v, want %q", cmd, tc.args, got.err, tc.error)
					}
					continue
				}
				if got.err != nil || got.s != tc.want {
					t.Errorf("%s %v = %+v, %v; want %+v", cmd, tc.args, got.s, got.err, tc.want)
				}
			}
		})
	}
}

// TestStartJobsRunsDueJobs starts the runner as serve and consume do, on
// each store: a due job runs, and nothing runs with --jobs=false.
func TestStartJobsRunsDueJobs(t *testing.T) {
	t.Parallel()
	for _, tc := range storeDSNs {
		t.Run(tc.store, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := openStore(ctx, tc.dsn(t), storeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
			ran := make(chan string, 4)
			eng.HandleJobs("test", func(_ context.Context, j *fanclub.Job) error {
				ran <- j.Key
				return nil
			})
			log := slog.New(slog.DiscardHandler)
			stop := startJobs(ctx, eng, jobSettings{on: false, every: time.Millisecond}, log)
			if err := eng.EnqueueJobs(ctx, &fanclub.Job{Kind: "test", Key: "a"}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond)
			stop()
			select {
			case k := <-ran:
				t.Fatalf("job %s ran with the runner off", k)
			default:
			}
			stop = startJobs(ctx, eng, jobSettings{on: true, every: 10 * time.Millisecond}, log)
			defer stop()
			select {
			case k := <-ran:
				if k != "a" {
					t.Fatalf("ran job %s, want a", k)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the due job did not run within 10s")
			}
			stop()
			if j, err := eng.FindJob(ctx, "a"); err != nil || j.State != fanclub.JobDone {
				t.Fatalf("job after the run: %+v, %v; want done", j, err)
			}
		})
	}
}

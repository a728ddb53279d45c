package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"fanclub"
)

// jobSettings says whether and how often a process runs due jobs
// (fanclub.Engine.RunJobs); serve and consume share them.
type jobSettings struct {
	on    bool
	every time.Duration
}

// register adds --jobs and --jobs-every to fs.
func (s *jobSettings) register(fs *flag.FlagSet) {
	fs.BoolVar(&s.on, "jobs", true, "run due jobs (renewals, reminders, payment retries and reconciliations) in this process; --jobs=false leaves them to other nodes")
	fs.DurationVar(&s.every, "jobs-every", time.Second, "how often this process looks for due jobs")
}

// check refuses a non-positive interval.
func (s jobSettings) check() error {
	if s.on && s.every <= 0 {
		return fmt.Errorf("--jobs-every %s: want a positive duration", s.every)
	}
	return nil
}

// startJobs runs eng's due jobs in the background every s.every until ctx
// ends or stop is called; stop waits for the run in flight to end. With
// s.on false it starts nothing.
func startJobs(ctx context.Context, eng *fanclub.Engine, s jobSettings, log *slog.Logger) (stop func()) {
	if !s.on {
		log.Info("job runner off (--jobs=false)")
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = eng.RunJobs(ctx, s.every) })
	log.Info("job runner started", "every", s.every, "owner", eng.JobOwner())
	return func() {
		cancel()
		wg.Wait()
	}
}

package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"fanclub/sqlite/benchload"
)

// BenchmarkIngest measures the three ingest paths on the reference
// workload, each after one untimed warm-up run; each reports events/s
// until the last acknowledgement and events/s-closed including the
// store's Close (its final checkpoint).
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	cfg := benchload.DefaultConfig()
	if testing.Short() {
		cfg.Fans, cfg.Events = 10_000, 20_000
	}
	w := benchload.Generate(cfg)
	bench, err := benchload.NewBench(ctx, filepath.Join(b.TempDir(), "bench.db"), w, nil)
	if err != nil {
		b.Fatal(err)
	}
	modes := []struct {
		name string
		run  func() (benchload.Result, error)
	}{
		{benchload.ModeEngine, func() (benchload.Result, error) { return bench.Engine(ctx) }},
		{benchload.ModeNaive, func() (benchload.Result, error) { return bench.Naive(ctx, 2_000) }},
		{benchload.ModeRaw, func() (benchload.Result, error) { return bench.Raw(ctx) }},
	}
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			// One untimed run first: the first run in a process also pays
			// for the memory the heap takes from the system (page faults).
			if _, err := m.run(); err != nil {
				b.Fatal(err)
			}
			var events int
			var acked, closed float64
			for b.Loop() {
				r, err := m.run()
				if err != nil {
					b.Fatal(err)
				}
				events += r.Events
				acked += r.Acked.Seconds()
				closed += r.Elapsed.Seconds()
			}
			b.ReportMetric(float64(events)/acked, "events/s")
			b.ReportMetric(float64(events)/closed, "events/s-closed")
		})
	}
}

package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"fanclub"
	"fanclub/sqlite"
)

// TestEventLogFootprint measures what the behaviour log costs a SQLite
// store at Open: the time Open takes and the heap it keeps per stored
// event, over a log of FANCLUB_FOOTPRINT_EVENTS events (default
// 5 000 000) in batches of 1 000 from 100 000 fans in 1 000 clubs,
// committed evenly over the 60 days before the wall clock's now. It runs
// only when FANCLUB_FOOTPRINT names a directory, where it keeps the
// generated database for later runs (docs/BENCHMARKS.md, "Behaviour log
// at Open").
func TestEventLogFootprint(t *testing.T) {
	dir := os.Getenv("FANCLUB_FOOTPRINT")
	if dir == "" {
		t.Skip("FANCLUB_FOOTPRINT not set")
	}
	n := 5_000_000
	if s := os.Getenv("FANCLUB_FOOTPRINT_EVENTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	path := filepath.Join(dir, fmt.Sprintf("events-%d.db", n))
	if _, err := os.Stat(path); err != nil {
		generateLog(t, path, n)
	}
	empty := filepath.Join(t.TempDir(), "empty.db")
	openHeap := func(path string) (uint64, time.Duration) {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		db, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		return after.HeapAlloc - min(before.HeapAlloc, after.HeapAlloc), took
	}
	base, _ := openHeap(empty)
	var heaps []float64
	var times []time.Duration
	for range 5 {
		h, took := openHeap(path)
		heaps = append(heaps, float64(h-min(base, h))/float64(n))
		times = append(times, took)
	}
	slices.Sort(heaps)
	slices.Sort(times)
	t.Logf("events %d: Open median %v (all %v); heap per event median %.1f B (all %.1f)", n, times[2], times, heaps[2], heaps)
}

// generateLog stores n events at path, 1 000 per transaction, the
// transactions' clock stepping evenly over the 60 days before now.
func generateLog(t *testing.T, path string, n int) {
	t.Helper()
	ctx := context.Background()
	const batch, span = 1000, 60 * 24 * time.Hour
	end := time.Now().UTC()
	clock := end.Add(-span)
	step := span / time.Duration(max(n/batch, 1))
	db, err := sqlite.Open(ctx, path, sqlite.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	evs := make([]fanclub.Event, batch)
	for done := 0; done < n; done += batch {
		for i := range evs {
			fan := rng.Int64N(100_000) + 1
			evs[i] = fanclub.Event{ID: fmt.Sprintf("ev-%d-%d", done/batch, i), FanID: fan, ClubID: fan%1000 + 1,
				Action: fanclub.ActionLike, Amount: 1, At: clock.Add(-time.Duration(batch-i) * time.Millisecond)}
		}
		tx, err := db.BeginTx(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.InsertEvents(ctx, evs); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(step)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

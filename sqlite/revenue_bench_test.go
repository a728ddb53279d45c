package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fanclub/clock"
	"fanclub/sqlite"
	"fanclub/storetest"
)

// TestSettlementBench times the weekly settlement of many creators on a
// file database against the raw read of the week's gifts (skipped unless
// FANCLUB_BENCH_SETTLEMENT is set; see docs/BENCHMARKS.md).
func TestSettlementBench(t *testing.T) {
	creators, gifts := storetest.SettlementBenchSize(t)
	clk := clock.NewManual(time.Date(2026, 3, 12, 4, 0, 0, 0, time.UTC))
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "bench.db"), sqlite.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t.Log("sqlite:", storetest.BenchSettlement(t, db, clk, creators, gifts, nil))
}

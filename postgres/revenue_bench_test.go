package postgres_test

import (
	"testing"
	"time"

	"fanclub/clock"
	"fanclub/postgres"
	"fanclub/postgres/pgtest"
	"fanclub/storetest"
)

// TestSettlementBench times the weekly settlement of many creators
// against the raw read of the week's gifts (skipped unless
// FANCLUB_BENCH_SETTLEMENT is set; see docs/BENCHMARKS.md).
func TestSettlementBench(t *testing.T) {
	creators, gifts := storetest.SettlementBenchSize(t)
	clk := clock.NewManual(time.Date(2026, 3, 12, 4, 0, 0, 0, time.UTC))
	db := pgtest.Open(t, postgres.Options{Now: clk.Now})
	t.Log("postgres:", storetest.BenchSettlement(t, db, clk, creators, gifts))
}

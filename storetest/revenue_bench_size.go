package storetest

import (
	"fmt"
	"os"
	"testing"
)

// SettlementBenchSize reads the size of the settlement benchmark from
// FANCLUB_BENCH_SETTLEMENT ("creators,gifts", e.g. "10000,1000000"); the
// test is skipped when it is unset.
func SettlementBenchSize(t *testing.T) (creators, gifts int) {
	t.Helper()
	v := os.Getenv("FANCLUB_BENCH_SETTLEMENT")
	if v == "" {
		t.Skip("set FANCLUB_BENCH_SETTLEMENT=creators,gifts (e.g. 10000,1000000) to run the settlement benchmark")
	}
	if _, err := fmt.Sscanf(v, "%d,%d", &creators, &gifts); err != nil || creators < 1 || gifts < creators {
		t.Fatalf("FANCLUB_BENCH_SETTLEMENT=%q: want creators,gifts with gifts ≥ creators ≥ 1", v)
	}
	return creators, gifts
}

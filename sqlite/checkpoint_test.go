package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"fanclub"
	"fanclub/sqlite"
	"fanclub/sqlite/benchload"
)

// TestFrequentCheckpointsKeepTheLedger ingests the crash workload with a
// checkpoint every few batches and checks the ledger both while the
// store is open (state split between tables, overlay and journal) and
// after reopening it.
func TestFrequentCheckpointsKeepTheLedger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := crashWorkload()
	w.Batches = w.Batches[:len(w.Batches)/4]
	path := filepath.Join(t.TempDir(), "ckpt.db")
	seedCrashDB(t, path, w)
	db, err := sqlite.Open(ctx, path, sqlite.Options{Now: w.End, CheckpointRows: 700})
	if err != nil {
		t.Fatal(err)
	}
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: benchload.NewPolicies()})
	for _, b := range w.Batches {
		if _, err := eng.Ingest(ctx, b); err != nil {
			t.Fatalf("ingest %d: %v", b.Seq, err)
		}
	}
	stored := storedBatches(t, db, w)
	if len(stored) != len(w.Batches) {
		t.Fatalf("stored %d batches, want %d", len(stored), len(w.Batches))
	}
	checkLedger(t, db, w, stored)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = sqlite.Open(ctx, path, sqlite.Options{Now: w.End})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkLedger(t, db, w, storedBatches(t, db, w))
}

package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fanclub"
	"fanclub/storetest"
)

// TestStoreFileLazyReads runs the store suite with read transactions that
// begin their SQL transaction only when they read a table.
func TestStoreFileLazyReads(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, now func() time.Time) fanclub.Store {
		db, err := Open(context.Background(), filepath.Join(t.TempDir(), "lazy.db"), Options{Now: now, ReadCheckInterval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}

// TestLazyReadAnsweredByTheOverlayRunsNoSQL reads a joined membership
// without a SQL transaction, sees this DB's own writes at once, and a
// second handle's writes once it reads a table.
func TestLazyReadAnsweredByTheOverlayRunsNoSQL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	db, err := Open(ctx, path, Options{Now: func() time.Time { return now }, ReadCheckInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	k := memberWithPoints(t, db)
	read := func(tableFirst bool) (int64, bool) {
		t.Helper()
		tx, err := db.BeginTx(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if tableFirst {
			if _, err := tx.ListEvents(ctx, k.FanID, k.ClubID); err != nil {
				t.Fatal(err)
			}
		}
		m, err := tx.FindMembership(ctx, k.FanID, k.ClubID)
		if err != nil {
			t.Fatal(err)
		}
		return m.LevelPoints, tx.(*Tx).tx == nil
	}
	read(false) // the first read after Open checks the journal
	if _, lazy := read(false); !lazy {
		t.Fatal("a membership the overlay holds began a SQL transaction")
	}
	earn(t, db, k, counterOf(k), "e1", 5)
	if p, lazy := read(false); p != 5 || !lazy {
		t.Fatalf("own write: points %d (lazy %v), want 5 without SQL", p, lazy)
	}
	other := openFile(t, path)
	earn(t, other, k, counterOf(k), "e2", 7)
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	if p, _ := read(true); p != 12 {
		t.Fatalf("after a table read: points %d, want 12 (the other handle's write)", p)
	}
}

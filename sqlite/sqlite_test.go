package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fanclub"
	"fanclub/sqlite"
	"fanclub/storetest"
)

// openFileDB opens a file database in a fresh temporary directory.
func openFileDB(t *testing.T, now func() time.Time) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "fanclub.db"), sqlite.Options{Now: now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return db
}

func TestStoreFile(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, now func() time.Time) fanclub.Store {
		return openFileDB(t, now)
	})
}

func TestStoreMemory(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, now func() time.Time) fanclub.Store {
		db, err := sqlite.Open(context.Background(), ":memory:", sqlite.Options{Now: now})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return db
	})
}

package sqlite_test

import (
	"context"
	"path/filepath"
	"strconv"
	"sync"
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

// TestStore runs the store behaviour suite on a file database and on an
// in-memory one (TestStore/sqlite/file/…, TestStore/sqlite/memory/…).
func TestStore(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Run("file", func(t *testing.T) {
			t.Parallel()
			storetest.Run(t, func(t *testing.T, now func() time.Time) fanclub.Store {
				return openFileDB(t, now)
			})
		})
		t.Run("memory", func(t *testing.T) {
			t.Parallel()
			storetest.Run(t, func(t *testing.T, now func() time.Time) fanclub.Store {
				db, err := sqlite.Open(context.Background(), ":memory:", sqlite.Options{Now: now})
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				return db
			})
		})
	})
}

// TestReopenKeepsDataAndSchema reopens a file database: the migrations are
// not applied twice and committed data is still there.
func TestReopenKeepsDataAndSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fanclub.db")
	for i := range 3 {
		db, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		tx, err := db.BeginTx(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		for j := range i {
			if _, err := tx.FindFanByHandle(ctx, handleN(j)); err != nil {
				t.Fatalf("open %d: fan %d lost: %v", i, j, err)
			}
		}
		if err := tx.CreateFan(ctx, &fanclub.Fan{Handle: handleN(i), PasswordHash: "h"}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func handleN(i int) string { return "fan-" + strconv.Itoa(i) }

// TestTwoHandlesSerialize opens the same file twice (as two processes
// would) and writes through both at once: BEGIN IMMEDIATE and the busy
// timeout make the writers wait for each other instead of failing.
func TestTwoHandlesSerialize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fanclub.db")
	var dbs [2]*sqlite.DB
	for i := range dbs {
		db, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs[i] = db
	}
	k := fanclub.CounterKey{FanID: 1, ClubID: 1, Day: "2026-03-01", Action: fanclub.ActionLike}
	const rounds = 40
	errs := make(chan error, 2*rounds)
	var wg sync.WaitGroup
	for _, db := range dbs {
		wg.Go(func() {
			for range rounds {
				errs <- func() error {
					tx, err := db.BeginTx(ctx, true)
					if err != nil {
						return err
					}
					defer tx.Rollback()
					if err := tx.AddDailyPoints(ctx, map[fanclub.CounterKey]int64{k: 1}); err != nil {
						return err
					}
					return tx.Commit()
				}()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("write through a second handle failed: %v", err)
		}
	}
	tx, err := dbs[0].BeginTx(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	got, err := tx.DailyPoints(ctx, []fanclub.CounterKey{k})
	if err != nil {
		t.Fatal(err)
	}
	if got[k] != 2*rounds {
		t.Fatalf("counter = %d, want %d", got[k], 2*rounds)
	}
}

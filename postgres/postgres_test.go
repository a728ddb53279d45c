package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fanclub"
	"fanclub/postgres"
	"fanclub/postgres/pgtest"
	"fanclub/storetest"
)

// TestStore runs the store behaviour suite on PostgreSQL, each case in its
// own schema.
func TestStore(t *testing.T) {
	pgtest.URL(t)
	t.Run("postgres", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, now func() time.Time) fanclub.Store {
			return pgtest.Open(t, postgres.Options{Now: now})
		})
	})
}

// TestMigrateConcurrently opens the store from several pools (as several
// processes starting at once would) on one empty schema: every Open
// succeeds and each migration is recorded once.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	url, schema := pgtest.Schema(t)
	ctx := context.Background()
	const opens = 4
	errs := make(chan error, opens)
	var wg sync.WaitGroup
	for range opens {
		wg.Go(func() {
			db, err := postgres.Open(ctx, url, postgres.Options{Schema: schema, MaxConns: 2})
			if err == nil {
				err = db.Ready(ctx)
				db.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Open: %v", err)
		}
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var rows, versions int
	q := `SELECT COUNT(*), COUNT(DISTINCT version) FROM ` + pgx.Identifier{schema, "schema_migrations"}.Sanitize()
	if err := conn.QueryRow(ctx, q).Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || rows != versions {
		t.Fatalf("schema_migrations holds %d rows for %d versions, want one row per version", rows, versions)
	}
}

// TestConflictIsRetryableAndSticks runs two write transactions that read
// and add to one counter: the one committing second fails with a
// retryable error, and so does every later call in it and its Commit,
// leaving the first one's update alone.
func TestConflictIsRetryableAndSticks(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t, postgres.Options{})
	ctx := context.Background()
	k := fanclub.CounterKey{FanID: 1, ClubID: 1, Day: "2026-03-01", Action: fanclub.ActionLike}
	begin := func() fanclub.Tx {
		tx, err := db.BeginTx(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tx.Rollback() })
		if _, err := tx.DailyPoints(ctx, []fanclub.CounterKey{k}); err != nil {
			t.Fatal(err)
		}
		return tx
	}
	a, b := begin(), begin()
	if err := a.AddDailyPoints(ctx, map[fanclub.CounterKey]int64{k: 1}); err != nil {
		t.Fatal(err)
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	err := b.AddDailyPoints(ctx, map[fanclub.CounterKey]int64{k: 10})
	if !fanclub.IsRetryable(err) {
		t.Fatalf("second writer: %v, want a retryable error", err)
	}
	if _, err := b.FindFanByID(ctx, 1); !fanclub.IsRetryable(err) {
		t.Fatalf("a call after the conflict: %v, want the retryable error", err)
	}
	if err := b.Commit(); !fanclub.IsRetryable(err) {
		t.Fatalf("Commit after the conflict: %v, want the retryable error", err)
	}
	tx, err := db.BeginTx(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	got, err := tx.DailyPoints(ctx, []fanclub.CounterKey{k})
	if err != nil {
		t.Fatal(err)
	}
	if got[k] != 1 {
		t.Fatalf("counter = %d, want the first writer's 1", got[k])
	}
}

// TestRolledBackClubNotCached checks a club created and read in a
// transaction that rolls back is not served to later transactions, while
// a committed club is found by a second store (process) too.
func TestRolledBackClubNotCached(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t, postgres.Options{})
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	cr := &fanclub.Creator{Handle: "c"}
	cl := &fanclub.Club{Name: "ghost", Policy: "fair"}
	if err := tx.CreateCreator(ctx, cr); err != nil {
		t.Fatal(err)
	}
	cl.CreatorID = cr.ID
	if err := tx.CreateClub(ctx, cl); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.FindClubByID(ctx, cl.ID); err != nil {
		t.Fatalf("FindClubByID in its transaction: %v", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		rtx, err := db.BeginTx(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		_, err = rtx.FindClubByID(ctx, cl.ID)
		rtx.Rollback()
		if fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
			t.Fatalf("FindClubByID after rollback: %v, want not_found", err)
		}
	}
}

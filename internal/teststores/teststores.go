// Package teststores runs a test on each fanclub.Store implementation:
// SQLite (in memory) and PostgreSQL (a fresh schema on the server named by
// FANCLUB_TEST_POSTGRES_URL, dropped when the test ends). Each runs as a
// subtest named after its store, "sqlite" or "postgres", so `go test -v`
// shows which store a result is for; without the variable the postgres
// subtest is skipped with a message saying so.
//
// It is for tests only.
package teststores

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fanclub"
	"fanclub/postgres"
	"fanclub/postgres/pgtest"
	"fanclub/sqlite"
)

// T is what opening a store needs of a test: *testing.T, *testing.B,
// *testing.F and a property test's *rapid.T all have it.
type T = pgtest.TB

// Open opens a fresh, empty store whose transactions read their time from
// now; the store is closed (and its schema dropped) when t ends.
type Open func(t T, now func() time.Time) fanclub.Store

// Store is one store implementation a test can run on.
type Store struct {
	// Name is the subtest name: "sqlite" or "postgres".
	Name string
	// Open opens a fresh store of this kind.
	Open Open
}

// SQLite is the embedded store, in memory.
var SQLite = Store{Name: "sqlite", Open: openSQLite}

// SQLiteFile is the embedded store in a file of a fresh temporary
// directory, as a server runs it (WAL, a writer and a pool of readers);
// its subtests are named "sqlite" too.
var SQLiteFile = Store{Name: "sqlite", Open: openSQLiteFile}

// Postgres is the PostgreSQL store, each store in its own schema.
var Postgres = Store{Name: "postgres", Open: openPostgres}

// All lists the stores Each runs on.
var All = []Store{SQLite, Postgres}

// OnDisk lists SQLite in a file and PostgreSQL.
var OnDisk = []Store{SQLiteFile, Postgres}

// Each runs fn as one subtest per store of All, named after it. The
// postgres subtest is skipped when FANCLUB_TEST_POSTGRES_URL is unset. Each
// does not call t.Parallel on the subtests: fn does, as a test body would.
func Each(t *testing.T, fn func(t *testing.T, open Open)) {
	t.Helper()
	EachOf(t, All, fn)
}

// EachOf is Each on the given stores.
func EachOf(t *testing.T, stores []Store, fn func(t *testing.T, open Open)) {
	t.Helper()
	for _, s := range stores {
		t.Run(s.Name, func(t *testing.T) {
			if s.Name == Postgres.Name && !Available() {
				t.Skip(pgtest.SkipMessage)
			}
			fn(t, s.Open)
		})
	}
}

// Available reports whether FANCLUB_TEST_POSTGRES_URL names a server.
func Available() bool { return os.Getenv(pgtest.EnvURL) != "" }

// openSQLite opens an in-memory SQLite store.
func openSQLite(t T, now func() time.Time) fanclub.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), ":memory:", sqlite.Options{Now: now})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// openSQLiteFile opens a SQLite store in a file of a new temporary
// directory, removed when t ends.
func openSQLiteFile(t T, now func() time.Time) fanclub.Store {
	t.Helper()
	dir, err := os.MkdirTemp("", "fanclub-teststores-")
	if err != nil {
		t.Fatalf("temp dir: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "store.db"), sqlite.Options{Now: now})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// openPostgres opens a PostgreSQL store in a fresh schema.
func openPostgres(t T, now func() time.Time) fanclub.Store {
	t.Helper()
	dsn, schema := pgtest.Schema(t)
	return openIn(t, dsn, schema, now)
}

// openIn opens a PostgreSQL store in an existing schema, closed when t
// ends. Its sessions commit without waiting for the WAL flush
// (synchronous_commit off): a test's schema never outlives a crash, and
// the flush is most of the time a test's small transactions take.
func openIn(t T, dsn, schema string, now func() time.Time) *postgres.DB {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("teststores: %s: %v", pgtest.EnvURL, err)
	}
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	db, err := postgres.Open(context.Background(), u.String(), postgres.Options{Now: now, Schema: schema, MaxConns: 4})
	if err != nil {
		t.Fatalf("teststores: open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Sequential returns an Open for stores that t opens one after another,
// never two at a time, as a property test opens one per run. On SQLite it
// is open. On PostgreSQL the stores share one schema made for t, emptied
// before each store is opened, which is much cheaper than a new schema
// (and its migrations) for every run.
func Sequential(t *testing.T, open Open) Open {
	t.Helper()
	if reflect.ValueOf(open).Pointer() != reflect.ValueOf(Postgres.Open).Pointer() {
		return open
	}
	dsn, schema := pgtest.Schema(t)
	first := true
	return func(rt T, now func() time.Time) fanclub.Store {
		rt.Helper()
		ctx := context.Background()
		if !first {
			if err := emptySchema(ctx, dsn, schema); err != nil {
				rt.Fatalf("teststores: empty schema %s: %v", schema, err)
			}
		}
		first = false
		return openIn(rt, dsn, schema, now)
	}
}

// emptySchema deletes every row of schema's tables but the migrations'.
func emptySchema(ctx context.Context, dsn, schema string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'schema_migrations'`, schema)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(names) == 0 {
		return err
	}
	for i, n := range names {
		names[i] = pgx.Identifier{schema, n}.Sanitize()
	}
	_, err = conn.Exec(ctx, "TRUNCATE "+strings.Join(names, ", ")+" RESTART IDENTITY CASCADE")
	return err
}

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
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
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
// is open. On PostgreSQL every run gets the same store in one schema made
// for t, its rows deleted before each run and its clock switched to the
// run's: a new schema (and its migrations) and pool per run would take
// most of the test's time. Ids are not restarted, so they keep growing
// from run to run. A run must not close the store.
func Sequential(t *testing.T, open Open) Open {
	t.Helper()
	if reflect.ValueOf(open).Pointer() != reflect.ValueOf(Postgres.Open).Pointer() {
		return open
	}
	dsn, schema := pgtest.Schema(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("teststores: connect: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(ctx) })
	if _, err := conn.Exec(ctx, "SET synchronous_commit = off"); err != nil {
		t.Fatalf("teststores: %v", err)
	}
	var empty string // the statements that empty the schema
	var clock atomic.Pointer[func() time.Time]
	var db *postgres.DB
	return func(rt T, now func() time.Time) fanclub.Store {
		rt.Helper()
		clock.Store(&now)
		if db == nil {
			db = openIn(t, dsn, schema, func() time.Time { return (*clock.Load())() })
			return db
		}
		if empty == "" {
			if empty, err = emptyingSQL(ctx, conn, schema); err != nil {
				rt.Fatalf("teststores: tables of schema %s: %v", schema, err)
			}
		}
		if _, err := conn.Exec(ctx, empty); err != nil {
			rt.Fatalf("teststores: empty schema %s: %v", schema, err)
		}
		return db
	}
}

// emptyingSQL returns the statements that delete every row of schema's
// tables but the migrations', a table before the tables it references.
func emptyingSQL(ctx context.Context, conn *pgx.Conn, schema string) (string, error) {
	rows, err := conn.Query(ctx, `SELECT c.relname, COALESCE(array_agg(r.relname) FILTER (WHERE r.relname IS NOT NULL AND r.relname <> c.relname), '{}')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_constraint f ON f.conrelid = c.oid AND f.contype = 'f'
		LEFT JOIN pg_class r ON r.oid = f.confrelid
		WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> 'schema_migrations'
		GROUP BY c.relname`, schema)
	if err != nil {
		return "", err
	}
	refs := map[string][]string{} // table → the tables it references
	for rows.Next() {
		var name string
		var to []string
		if err := rows.Scan(&name, &to); err != nil {
			return "", err
		}
		refs[name] = to
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	referenced := map[string]int{} // table → how many remaining tables reference it
	for _, to := range refs {
		for _, r := range to {
			referenced[r]++
		}
	}
	var sql []string
	for len(refs) > 0 {
		n := len(refs)
		for name, to := range refs {
			if referenced[name] > 0 {
				continue
			}
			sql = append(sql, "DELETE FROM "+pgx.Identifier{schema, name}.Sanitize())
			for _, r := range to {
				referenced[r]--
			}
			delete(refs, name)
		}
		if len(refs) == n {
			return "", fmt.Errorf("tables reference each other in a cycle: %v", refs)
		}
	}
	return strings.Join(sql, "; "), nil
}

// Package pgtest runs tests on PostgreSQL: each test gets its own freshly
// created schema, dropped when the test ends. The server is named by the
// FANCLUB_TEST_POSTGRES_URL environment variable; without it the test is
// skipped.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"fanclub/postgres"
)

// EnvURL is the environment variable naming the test server.
const EnvURL = "FANCLUB_TEST_POSTGRES_URL"

// SkipMessage is why a test is skipped without a server.
const SkipMessage = EnvURL + " not set: PostgreSQL store tests skipped"

// TB is what the helpers need of a test: testing.TB has it, and so has a
// property test's *rapid.T.
type TB interface {
	Helper()
	Skip(args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// URL returns the test server's URL, skipping the test when it is unset.
func URL(t TB) string {
	t.Helper()
	dsn := os.Getenv(EnvURL)
	if dsn == "" {
		t.Skip(SkipMessage)
	}
	return dsn
}

// Schema creates a schema with a random name for the test and drops it,
// with everything in it, when the test ends; it returns the server URL
// and the schema name.
func Schema(t TB) (dsn, schema string) {
	t.Helper()
	dsn = URL(t)
	b := make([]byte, 8)
	rand.Read(b)
	schema = "fanclub_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("pgtest: connect %s: %v", EnvURL, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("pgtest: connect to drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	return dsn, schema
}

// SchemaURL is Schema's URL with the schema as its search_path, for code
// that takes only a URL (the command line's --db).
func SchemaURL(t TB) string {
	t.Helper()
	raw, schema := Schema(t)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("pgtest: %s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens a store in a fresh schema of the test server (see Schema)
// with opts (its Schema is set) and closes it when the test ends, before
// the schema is dropped.
func Open(t TB, opts postgres.Options) *postgres.DB {
	t.Helper()
	dsn, schema := Schema(t)
	opts.Schema = schema
	if opts.MaxConns == 0 {
		opts.MaxConns = 4
	}
	db, err := postgres.Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatalf("pgtest: open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

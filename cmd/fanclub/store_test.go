package main

import (
	"context"
	"strings"
	"testing"
)

// TestDisplayDSNHidesPassword checks a URL's password never reaches the
// output or the logs.
func TestDisplayDSNHidesPassword(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"fanclub.db", "fanclub.db"},
		{"postgres://app:s3cret@db:5432/fan?sslmode=disable", "postgres://app:xxxxx@db:5432/fan?sslmode=disable"},
		{"postgresql://app@db/fan", "postgresql://app@db/fan"},
	} {
		if got := displayDSN(tc.in); got != tc.want {
			t.Errorf("displayDSN(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestStoreChoice checks which --db values name PostgreSQL.
func TestStoreChoice(t *testing.T) {
	t.Parallel()
	for dsn, want := range map[string]bool{
		"fanclub.db": false, "/var/lib/fanclub/x.db": false, ":memory:": false, "postgres.db": false,
		"postgres://u@h/db": true, "postgresql://u@h/db": true,
	} {
		if got := isPostgresDSN(dsn); got != want {
			t.Errorf("isPostgresDSN(%q) = %v, want %v", dsn, got, want)
		}
	}
}

// TestBenchIngestPostgresUnreachable checks bench ingest takes a
// postgres:// URL as a server (not a file name) and says when it cannot
// reach it.
func TestBenchIngestPostgresUnreachable(t *testing.T) {
	t.Parallel()
	var stdout, stderr strings.Builder
	code := run(context.Background(), []string{"bench", "ingest", "--db", "postgres://u@127.0.0.1:1/x"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "postgres://u@127.0.0.1:1/x") || !strings.Contains(stderr.String(), "connect") {
		t.Fatalf("exit %d, stderr %q: want 1 and the server it could not connect to", code, stderr.String())
	}
}

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

// TestBenchIngestRefusesPostgres checks bench ingest says it takes a
// SQLite file rather than treating a URL as a file name.
func TestBenchIngestRefusesPostgres(t *testing.T) {
	t.Parallel()
	var stdout, stderr strings.Builder
	code := run(context.Background(), []string{"bench", "ingest", "--db", "postgres://u@127.0.0.1:1/x"}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "PostgreSQL") {
		t.Fatalf("exit %d, stderr %q: want 2 and a message about PostgreSQL", code, stderr.String())
	}
}

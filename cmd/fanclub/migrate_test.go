package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fanclub"
	"fanclub/postgres/pgtest"
)

// storeDSNs names an empty database of each store, for tests that run a
// command on both (the postgres one skips without a test server).
var storeDSNs = []struct {
	store string
	dsn   func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "fresh.db") }},
	{"postgres", func(t *testing.T) string { return pgtest.SchemaURL(t) }},
}

// TestMigrate runs 'fanclub migrate' twice on an empty database of each
// store: the first run creates the schema (the store then reports ready),
// the second finds nothing to do.
func TestMigrate(t *testing.T) {
	t.Parallel()
	for _, tc := range storeDSNs {
		t.Run(tc.store, func(t *testing.T) {
			t.Parallel()
			dsn := tc.dsn(t)
			ctx := context.Background()
			for i := range 2 {
				var stdout, stderr strings.Builder
				if code := run(ctx, []string{"migrate", "--db", dsn}, &stdout, &stderr); code != 0 {
					t.Fatalf("migrate run %d: exit %d: %s", i+1, code, stderr.String())
				}
				if !strings.Contains(stdout.String(), "migrated") {
					t.Fatalf("migrate run %d printed %q", i+1, stdout.String())
				}
			}
			s, err := openStore(ctx, dsn, storeOptions{MustExist: true})
			if err != nil {
				t.Fatalf("openStore after migrate: %v", err)
			}
			defer s.Close()
			rc, ok := s.(fanclub.ReadinessChecker)
			if !ok {
				t.Fatalf("%T has no readiness check", s)
			}
			if err := rc.Ready(ctx); err != nil {
				t.Fatalf("Ready after migrate: %v", err)
			}
		})
	}
}

// TestMigrateFlags checks a stray argument is refused.
func TestMigrateFlags(t *testing.T) {
	t.Parallel()
	var stdout, stderr strings.Builder
	if code := run(context.Background(), []string{"migrate", "extra"}, &stdout, &stderr); code != 2 {
		t.Fatalf("migrate extra: exit %d, want 2", code)
	}
}

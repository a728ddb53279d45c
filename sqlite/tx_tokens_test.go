package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"fanclub"
)

// TestMigrationExpiresOldTokensAndSupersedesDuplicateExits opens a
// database of schema version 4, whose tokens never ended and whose fans
// could hold several pending exit requests in a club.
func TestMigrationExpiresOldTokensAndSupersedesDuplicateExits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v4.db")
	raw := openAtVersion(t, path, 4)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	if _, err := raw.Exec(`INSERT INTO tokens VALUES ('h-admin', 'admin', 0, ?), ('h-fan', 'fan', 7, ?)`, ts(at), ts(at.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"ex-a", "ex-b", "ex-c"} {
		if _, err := raw.Exec(`INSERT INTO exit_requests VALUES (?, 1, 2, 'pending', ?, ?, '[]', '{}', 0, 3, '', 0, 0, 0, 1, '{}')`,
			id, ts(at.Add(time.Duration(i)*time.Minute)), ts(at.Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path, Options{Now: func() time.Time { return at.Add(24 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	tok, err := tx.FindToken(ctx, "h-admin")
	if err != nil {
		t.Fatal(err)
	}
	if want := at.Add(30 * 24 * time.Hour); !tok.ExpiresAt.Equal(want) || tok.ID == 0 || tok.RevokedAt != nil {
		t.Fatalf("migrated admin token %+v, want id set and expiry %s", tok, want)
	}
	live, err := tx.HasLiveToken(ctx, fanclub.RoleAdmin, at.Add(30*24*time.Hour))
	if err != nil || live {
		t.Fatalf("live admin token 30 days after the old one was issued: %v %v", live, err)
	}
	pending, err := tx.PendingExitRequests(ctx, 1, 2)
	if err != nil || len(pending) != 1 || pending[0].ID != "ex-c" {
		t.Fatalf("pending after migration: %+v %v, want only the newest", pending, err)
	}
	for _, id := range []string{"ex-a", "ex-b"} {
		r, err := tx.FindExitRequest(ctx, id)
		if err != nil || r.Status != fanclub.ExitSuperseded {
			t.Fatalf("%s after migration: %+v %v, want superseded", id, r, err)
		}
	}
}

// openAtVersion creates a database at path with the migrations up to
// version applied, as a build of that schema left it, and returns it
// opened raw (without Open's migrations) for the test to fill.
func openAtVersion(t *testing.T, path string, version int) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version > version {
			break
		}
		if _, err := raw.Exec(m.sql); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, m.version, m.name); err != nil {
			t.Fatal(err)
		}
	}
	return raw
}

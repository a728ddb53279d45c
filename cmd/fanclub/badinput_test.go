package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInputChangesNothing runs commands with a mistake in their flags
// or environment: each exits with its code, says what was wrong, and
// leaves no database behind (or the existing one as it was).
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.db")
	if code, out, errOut := runFanclub(t, "migrate", "--db", existing); code != 0 {
		t.Fatalf("migrate: %d %s %s", code, out, errOut)
	}
	before := fileBytes(t, existing)
	fresh := filepath.Join(dir, "never.db")
	tests := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"bench ingest onto a database", []string{"bench", "ingest", "--db", existing, "--events", "10", "--fans", "5", "--clubs", "2", "--runs", "1", "--warmup", "0", "--naive", "0"}, 2, "exists"},
		{"bench gifts onto a database", []string{"bench", "gifts", "--db", existing, "--gifts", "5", "--fans", "5", "--clubs", "2", "--runs", "1", "--warmup", "0", "--concurrency", "1"}, 2, "exists"},
		{"bench ingest on a hostless URL", []string{"bench", "ingest", "--db", "postgres:///test", "--events", "10"}, 2, "no host"},
		{"bench gifts on a URL without a database", []string{"bench", "gifts", "--db", "postgres://127.0.0.1:5432", "--gifts", "5"}, 2, "no database name"},
		{"bench nodes on a hostless URL", []string{"bench", "nodes", "--db", "postgres://"}, 2, "no host"},
		{"bench gifts writers", []string{"bench", "gifts", "--writers", "-3", "--gifts", "5"}, 2, "--writers -3"},
		{"bench http token cache", []string{"bench", "http", "--token-cache", "-5s"}, 2, "--token-cache"},
		{"bench http access log", []string{"bench", "http", "--access-log", "bogus"}, 2, "--access-log"},
		{"serve on a hostless URL", []string{"serve", "--db", "postgres://", "--addr", "127.0.0.1:0"}, 2, "no host"},
		{"serve on a URL without a database", []string{"serve", "--db", "postgres://127.0.0.1:5432", "--addr", "127.0.0.1:0"}, 2, "no database name"},
		{"serve with an empty db", []string{"serve", "--db", "", "--addr", "127.0.0.1:0"}, 2, "--db is empty"},
		{"serve with an argument", []string{"serve", "--db", fresh, "extra"}, 2, `unexpected argument "extra"`},
		{"serve with an unknown minors policy", []string{"serve", "--db", fresh, "--addr", "127.0.0.1:0", "--minors-policy", "bogus"}, 2, "--minors-policy"},
		{"serve with a missing policy directory", []string{"serve", "--db", fresh, "--addr", "127.0.0.1:0", "--policies", filepath.Join(dir, "nope")}, 1, "--policies"},
		{"migrate on a hostless URL", []string{"migrate", "--db", "postgres:///test"}, 2, "no host"},
		{"migrate with a negative dedupe window", []string{"migrate", "--db", fresh, "--dedupe-window", "-1h"}, 2, "--dedupe-window"},
		{"migrate with a window under the event window", []string{"migrate", "--db", fresh, "--dedupe-window", "1ns"}, 2, "--dedupe-window"},
		{"migrate with an argument", []string{"migrate", "--db", fresh, "extra"}, 2, `unexpected argument "extra"`},
		{"consume with a bad NATS URL", []string{"consume", "--db", fresh, "--stream", "s", "--durable", "d", "--nats", "bogus://x"}, 2, "--nats"},
		{"consume with a missing policy directory", []string{"consume", "--db", fresh, "--stream", "s", "--durable", "d", "--nats", "nats://127.0.0.1:1", "--policies", filepath.Join(dir, "nope")}, 1, "--policies"},
		{"admin erase without a fan", []string{"admin", "erase", "--db", existing}, 2, "--fan 0"},
		{"admin erase with an unknown provider", []string{"admin", "erase", "--db", existing, "--fan", "1", "--payments", "stripe"}, 2, "--payments"},
		{"admin refunds with an unknown status", []string{"admin", "refunds", "--db", existing, "--status", "bogus"}, 2, "--status"},
		{"admin refunds with a negative id", []string{"admin", "refunds", "--db", existing, "--approve", "-5", "--operator", "x"}, 2, "--approve -5"},
		{"admin refunds with an operator and no decision", []string{"admin", "refunds", "--db", existing, "--operator", "x"}, 2, "--operator"},
		{"export without a subcommand", []string{"export"}, 2, "missing subcommand"},
		{"export with an unknown subcommand", []string{"export", "bogus"}, 2, `unknown subcommand "bogus"`},
		{"export verify without a key", []string{"export", "verify", "file.json"}, 2, "--key is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runFanclub(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.says) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s", code, tt.code, tt.says, errOut)
			}
			if _, err := os.Stat(fresh); err == nil {
				t.Fatalf("%s was created", fresh)
			}
			if !bytes.Equal(fileBytes(t, existing), before) {
				t.Fatalf("%s changed", existing)
			}
		})
	}
}

// TestServeOnABusyPortTouchesNoDatabase: a serve that cannot listen
// fails before it opens the database, so no admin token is issued that
// nobody is shown.
func TestServeOnABusyPortTouchesNoDatabase(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	db := filepath.Join(t.TempDir(), "fresh.db")
	code, _, errOut := runFanclub(t, "serve", "--db", db, "--addr", ln.Addr().String())
	if code != 1 || !strings.Contains(errOut, "listen on --addr") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if _, err := os.Stat(db); err == nil {
		t.Fatalf("%s was created by a serve that could not listen", db)
	}
}

// TestEnvironmentMistakes: a compliance switch that is not a boolean is
// refused, and admin token checks its own --ttl against the maximum, not
// the default lifetime of the tokens serve issues.
func TestEnvironmentMistakes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	if code, _, errOut := runFanclub(t, "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	t.Setenv("FANCLUB_AGE_GATE", "yes")
	if code, _, errOut := runFanclub(t, "serve", "--db", db, "--addr", "127.0.0.1:0"); code != 2 || !strings.Contains(errOut, "FANCLUB_AGE_GATE") {
		t.Errorf("FANCLUB_AGE_GATE=yes: exit %d, stderr:\n%s", code, errOut)
	}
	t.Setenv("FANCLUB_AGE_GATE", "")
	t.Setenv("FANCLUB_TOKEN_MAX_TTL", "1h")
	if code, out, errOut := runFanclub(t, "admin", "token", "--db", db, "--ttl", "30m"); code != 0 || !strings.HasPrefix(out, "fc_") {
		t.Errorf("admin token --ttl 30m under a 1h maximum: exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
	if code, _, errOut := runFanclub(t, "admin", "token", "--db", db, "--ttl", "2h"); code != 2 || !strings.Contains(errOut, "--ttl 2h0m0s") {
		t.Errorf("admin token --ttl 2h under a 1h maximum: exit %d, stderr:\n%s", code, errOut)
	}
}

// fileBytes reads a file whole.
func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

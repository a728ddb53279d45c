package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fanclub"
)

// TestAdminTokenPrintsOneWorkingToken issues an admin token on a migrated
// database of each store.
func TestAdminTokenPrintsOneWorkingToken(t *testing.T) {
	t.Parallel()
	for _, tc := range storeDSNs {
		t.Run(tc.store, func(t *testing.T) {
			t.Parallel()
			testAdminToken(t, tc.dsn(t))
		})
	}
}

func testAdminToken(t *testing.T, dsn string) {
	ctx := context.Background()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"migrate", "--db", dsn}, &stdout, &stderr); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run(ctx, []string{"admin", "token", "--db", dsn, "--ttl", "2h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	tok := strings.TrimSuffix(out, "\n")
	if strings.Count(out, "\n") != 1 || !strings.HasPrefix(tok, fanclub.TokenPrefix) || strings.ContainsAny(tok, " \t") {
		t.Fatalf("stdout %q, want one token line", out)
	}
	if !strings.Contains(stderr.String(), "admin token issued") {
		t.Errorf("stderr %q lacks the log line", stderr.String())
	}
	db, err := openStore(ctx, dsn, storeOptions{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db})
	p, err := eng.Authenticate(ctx, tok)
	if err != nil || p.Role != fanclub.RoleAdmin {
		t.Fatalf("authenticate the printed token: %+v %v", p, err)
	}
	live, err := eng.HasLiveToken(ctx, fanclub.RoleAdmin)
	if err != nil || !live {
		t.Fatalf("HasLiveToken = %v, %v", live, err)
	}
}

func TestAdminTokenRefusals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"no subcommand", []string{"admin"}, 2},
		{"unknown subcommand", []string{"admin", "nope"}, 2},
		{"missing database", []string{"admin", "token", "--db", filepath.Join(dir, "none.db")}, 1},
		{"ttl over the maximum", []string{"admin", "token", "--db", filepath.Join(dir, "none.db"), "--ttl", "10000h"}, 2},
		{"extra argument", []string{"admin", "token", "x"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tc.args, &stdout, &stderr); code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Fatalf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}

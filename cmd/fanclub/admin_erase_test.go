package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"fanclub"
	"fanclub/argon2id"
	"fanclub/policyfile"
)

// TestAdminErasePreviewsThenErases previews and then erases a fan who is
// a member of a fair club, on a migrated database of each store.
func TestAdminErasePreviewsThenErases(t *testing.T) {
	t.Parallel()
	for _, tc := range storeDSNs {
		t.Run(tc.store, func(t *testing.T) {
			t.Parallel()
			testAdminErase(t, tc.dsn(t))
		})
	}
}

func testAdminErase(t *testing.T, dsn string) {
	ctx := context.Background()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"migrate", "--db", dsn}, &stdout, &stderr); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr.String())
	}
	fan := seedEraseFan(t, dsn)
	erase := func(extra ...string) fanclub.Erasure {
		t.Helper()
		stdout.Reset()
		stderr.Reset()
		args := append([]string{"admin", "erase", "--db", dsn, "--fan", strconv.FormatInt(fan, 10)}, extra...)
		if code := run(ctx, args, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
		}
		var er fanclub.Erasure
		if err := json.Unmarshal(stdout.Bytes(), &er); err != nil {
			t.Fatalf("output %q: %v", stdout.String(), err)
		}
		return er
	}
	if er := erase(); er.Confirmed || len(er.Exits) != 1 {
		t.Fatalf("preview: %+v", er)
	}
	if er := erase("--confirm"); !er.Confirmed || len(er.Receipts) == 0 {
		t.Fatalf("erasure: %+v", er)
	}
	if er := erase(); len(er.Exits) != 0 {
		t.Fatalf("after the erasure, memberships to exit: %+v", er.Exits)
	}
	stderr.Reset()
	if code := run(ctx, []string{"admin", "erase", "--db", dsn}, &stdout, &stderr); code != 2 {
		t.Fatalf("without --fan: exit %d, want 2", code)
	}
	if code := run(ctx, []string{"admin", "erase", "--db", dsn, "--fan", "999999"}, &stdout, &stderr); code != 2 {
		t.Fatalf("unknown fan: exit %d, want 2", code)
	}
}

// seedEraseFan creates a fan who is a member of a fair club and returns
// the fan's id.
func seedEraseFan(t *testing.T, dsn string) int64 {
	t.Helper()
	ctx := context.Background()
	db, err := openStore(ctx, dsn, storeOptions{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: argon2id.New(argon2id.TestParams)})
	cr, err := eng.CreateCreator(ctx, "maker")
	if err != nil {
		t.Fatal(err)
	}
	club, err := eng.CreateClub(ctx, cr.ID, "Luna", "fair")
	if err != nil {
		t.Fatal(err)
	}
	f, err := eng.CreateFan(ctx, "wren", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Join(ctx, f.ID, club.ID); err != nil {
		t.Fatal(err)
	}
	return f.ID
}

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fanclub"
	"fanclub/payments/sandbox"
	"fanclub/policyfile"
)

// customDouyinDir writes the douyin preset, renamed douyin-custom, into a
// policy directory and returns the directory.
func customDouyinDir(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "policyfile", "presets", "douyin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	custom := strings.Replace(string(src), "name: douyin\n", "name: douyin-custom\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "douyin-custom.yaml"), []byte(custom), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// pendingDouyinRefund stores, through the engine, a douyin minor's coin
// purchase, a gift of 10 coins in a club of the douyin-custom policy of
// policyDir, and the guardian's declared refund request, which waits for
// an operator; it returns the request's id.
func pendingDouyinRefund(t *testing.T, dsn, policyDir string) int64 {
	t.Helper()
	ctx := context.Background()
	db, err := openStore(ctx, dsn, storeOptions{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg, err := policyfile.NewRegistry()
	if err == nil {
		_, err = reg.LoadDir(policyDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Random: rand.Reader, Passwords: plainPasswords{},
		Payments: sandbox.New(db, sandbox.Options{}), Minors: fanclub.MinorsConfig{Policy: "douyin"}})
	kid, err := eng.CreateFan(ctx, "kid", "password1")
	if err != nil {
		t.Fatal(err)
	}
	parent, err := eng.CreateFan(ctx, "parent", "password1")
	if err != nil {
		t.Fatal(err)
	}
	cr, err := eng.CreateCreator(ctx, "maker")
	if err != nil {
		t.Fatal(err)
	}
	club, err := eng.CreateClub(ctx, cr.ID, "Custom", "douyin-custom")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.SetAge(ctx, kid.ID, "2012-01-01", fanclub.AgeSelfDeclared); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.BuyCoins(ctx, kid.ID, 50, "b1"); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Join(ctx, kid.ID, club.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.SendGift(ctx, kid.ID, club.ID, 10, "g1"); err != nil {
		t.Fatal(err)
	}
	l, err := eng.RequestGuardianLink(ctx, parent.ID, kid.ID)
	if err == nil {
		_, err = eng.AcceptGuardianLink(ctx, kid.ID, l.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	r, err := eng.RequestGuardianRefund(ctx, parent.ID, kid.ID, fanclub.GuardianRefundInput{
		Document: &fanclub.RefundDocument{Name: "declaration.pdf", Notary: "Notary"}}, "r1")
	if err != nil || r.Status != fanclub.RefundPending {
		t.Fatalf("refund request: %v %+v", err, r)
	}
	return r.ID
}

// plainPasswords is a fast password hasher for CLI tests.
type plainPasswords struct{}

// Hash implements fanclub.PasswordHasher.
func (plainPasswords) Hash(pw string) (string, error) { return "plain:" + pw, nil }

// Verify implements fanclub.PasswordHasher.
func (plainPasswords) Verify(enc, pw string) (bool, error) { return enc == "plain:"+pw, nil }

// TestAdminRefundsQueue lists the approval queue and approves a request
// from the command line, on each store.
func TestAdminRefundsQueue(t *testing.T) {
	t.Parallel()
	for _, tc := range storeDSNs {
		t.Run(tc.store, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := tc.dsn(t)
			var stdout, stderr bytes.Buffer
			if code := run(ctx, []string{"migrate", "--db", dsn}, &stdout, &stderr); code != 0 {
				t.Fatalf("migrate: exit %d: %s", code, stderr.String())
			}
			dir := customDouyinDir(t)
			id := pendingDouyinRefund(t, dsn, dir)
			admin := func(args ...string) (int, string) {
				stdout.Reset()
				stderr.Reset()
				code := run(ctx, append([]string{"admin", "refunds", "--db", dsn}, args...), &stdout, &stderr)
				return code, stdout.String()
			}
			if code, _ := admin("--approve", strconv.FormatInt(id, 10)); code != 2 {
				t.Fatalf("--approve without --operator: exit %d", code)
			}
			code, out := admin()
			var listed fanclub.GuardianRefund
			if code != 0 || strings.Count(out, "\n") != 1 || json.Unmarshal([]byte(out), &listed) != nil || listed.ID != id || listed.Document.Notary != "Notary" {
				t.Fatalf("queue: exit %d %q %s", code, out, stderr.String())
			}
			if code, _ := admin("--approve", strconv.FormatInt(id, 10), "--operator", "ops_li"); code != 1 {
				t.Fatalf("approving without the gift's club policy: exit %d", code)
			}
			code, out = admin("--policies", dir, "--approve", strconv.FormatInt(id, 10), "--operator", "ops_li", "--note", "in order")
			var decided fanclub.GuardianRefundResult
			if code != 0 || json.Unmarshal([]byte(out), &decided) != nil || decided.Status != fanclub.RefundRefunded ||
				decided.Amount != 500 || decided.Gifts != 1 || decided.DecidedBy != "ops_li" || len(decided.Refunds) != 1 {
				t.Fatalf("approve: exit %d %q %s", code, out, stderr.String())
			}
			if code, out := admin(); code != 0 || out != "" {
				t.Fatalf("queue after approval: exit %d %q", code, out)
			}
			if code, _ := admin("--reject", strconv.FormatInt(id, 10), "--operator", "ops_li"); code != 1 {
				t.Fatalf("deciding twice: exit %d", code)
			}
		})
	}
}

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"fanclub"
	"fanclub/payments/sandbox"
	"fanclub/policyfile"
)

// pendingDouyinRefund stores, through the engine, a douyin minor's coin
// purchase and the guardian's declared refund request, which waits for an
// operator; it returns the request's id.
func pendingDouyinRefund(t *testing.T, dsn string) int64 {
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
	if _, err := eng.SetAge(ctx, kid.ID, "2012-01-01", fanclub.AgeSelfDeclared); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.BuyCoins(ctx, kid.ID, 50, "b1"); err != nil {
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
			id := pendingDouyinRefund(t, dsn)
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
			code, out = admin("--approve", strconv.FormatInt(id, 10), "--operator", "ops_li", "--note", "in order")
			var decided fanclub.GuardianRefundResult
			if code != 0 || json.Unmarshal([]byte(out), &decided) != nil || decided.Status != fanclub.RefundRefunded ||
				decided.Amount != 500 || decided.DecidedBy != "ops_li" || len(decided.Refunds) != 1 {
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

package http

import (
	"context"
	"fmt"
	"testing"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/payments"
	"fanclub/payments/sandbox"
)

func TestSandboxDeclinesOverHTTP(t *testing.T) {
	t.Parallel()
	eachStore(t, testSandboxDeclinesOverHTTP)
}

func testSandboxDeclinesOverHTTP(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	f, fanTok := a.newFan("payer")
	const base = "/v1/admin/sandbox/declines"
	var rules sandbox.Rules
	a.must(200, "GET", base, a.Admin, nil).JSON(t, &rules)
	if len(rules.Fans) != 0 || len(rules.Amounts) != 0 {
		t.Fatalf("fresh rules %+v, want none", rules)
	}
	checkSchema(t, "SandboxRules", a.must(200, "PUT", fmt.Sprintf("%s/fans/%d", base, f.ID), a.Admin, nil).Body)
	a.must(200, "PUT", fmt.Sprintf("%s/fans/%d", base, f.ID), a.Admin, nil)
	res := a.must(200, "PUT", base+"/amounts/1800", a.Admin, nil)
	checkSchema(t, "SandboxRules", res.Body)
	res.JSON(t, &rules)
	if len(rules.Fans) != 1 || rules.Fans[0] != f.ID || len(rules.Amounts) != 1 || rules.Amounts[0] != 1800 {
		t.Fatalf("rules %+v, want fan %d and amount 1800", rules, f.ID)
	}
	// The rules decide what the provider the engine holds answers.
	sb := sandbox.New(a.Store, sandbox.Options{})
	c, err := sb.Charge(context.Background(), payments.ChargeRequest{Key: "k1", FanID: f.ID, Amount: 100, Currency: "CNY"})
	if err != nil || c.Status != payments.ChargeDeclined || c.DeclineCode != payments.DeclineCardDeclined {
		t.Fatalf("charge of a declined fan: %+v, %v", c, err)
	}
	a.must(200, "DELETE", fmt.Sprintf("%s/fans/%d", base, f.ID), a.Admin, nil)
	a.must(200, "DELETE", base+"/amounts/1800", a.Admin, nil).JSON(t, &rules)
	if len(rules.Fans) != 0 || len(rules.Amounts) != 0 {
		t.Fatalf("rules after DELETE %+v, want none", rules)
	}
	c, err = sb.Charge(context.Background(), payments.ChargeRequest{Key: "k2", FanID: f.ID, Amount: 1800, Currency: "CNY"})
	if err != nil || c.Status != payments.ChargeSucceeded {
		t.Fatalf("charge after the rules are off: %+v, %v", c, err)
	}
	for _, path := range []string{base + "/fans/0", base + "/fans/x", base + "/amounts/-5", base + "/amounts/1.5"} {
		if p := a.must(400, "PUT", path, a.Admin, nil).Problem(t); p.Code != fanclub.EINVALID {
			t.Errorf("PUT %s: code %q, want %q", path, p.Code, fanclub.EINVALID)
		}
	}
	a.must(403, "PUT", base+"/amounts/5", fanTok, nil)
}

// otherProvider is a provider that is not the sandbox to the server: the
// sandbox without its controls.
type otherProvider struct{ payments.Provider }

func TestSandboxRoutesNeedTheSandbox(t *testing.T) {
	t.Parallel()
	a := startTestAPI(t, teststores.SQLiteFile.Open, fanclub.AuthConfig{}, nil, nil, Config{})
	b := startTestAPI(t, teststores.SQLiteFile.Open, fanclub.AuthConfig{}, nil, nil,
		Config{Payments: otherProvider{sandbox.New(a.Store, sandbox.Options{})}})
	a.must(200, "GET", "/v1/admin/sandbox/declines", a.Admin, nil)
	for _, rt := range []struct{ method, path string }{
		{"GET", "/v1/admin/sandbox/declines"},
		{"PUT", "/v1/admin/sandbox/declines/fans/1"},
		{"DELETE", "/v1/admin/sandbox/declines/amounts/5"},
	} {
		if p := b.must(404, rt.method, rt.path, b.Admin, nil).Problem(t); p.Code != fanclub.ENOTFOUND {
			t.Errorf("%s %s: code %q", rt.method, rt.path, p.Code)
		}
	}
}

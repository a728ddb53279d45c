package http

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"fanclub"
	"fanclub/argon2id"
	"fanclub/clock"
	"fanclub/internal/teststores"
	"fanclub/metrics"
	"fanclub/payments/sandbox"
	"fanclub/policyfile"
	vsandbox "fanclub/verify/sandbox"
)

// testAPI is a running API over a real engine and a store.
type testAPI struct {
	t      *testing.T
	URL    string
	Engine *fanclub.Engine
	Store  fanclub.Store
	Clock  *clock.Manual
	Admin  string
}

// eachStore runs fn on each store (teststores.EachOf): a SQLite file, as a
// server runs it, and PostgreSQL.
func eachStore(t *testing.T, fn func(t *testing.T, open teststores.Open)) {
	t.Helper()
	teststores.EachOf(t, teststores.OnDisk, fn)
}

// newTestAPI starts the API on a fresh store from open and returns it with
// an admin token; its metrics are served at /metrics.
func newTestAPI(t *testing.T, open teststores.Open) *testAPI {
	t.Helper()
	m := metrics.New()
	return startTestAPI(t, open, fanclub.AuthConfig{Now: time.Now}, nil, m, Config{Metrics: m, MetricsHandler: m.Handler()})
}

// startTestAPI starts the API on a fresh store from open, with auth (a nil
// Now reads the test clock), a password hasher (nil: argon2id with test
// parameters), an engine observer (nil: none) and the server configuration
// cfg, whose Engine and Policies it fills, and whose Payments and Sandbox
// it sets to a sandbox over the store when both are nil.
func startTestAPI(t *testing.T, open teststores.Open, auth fanclub.AuthConfig, hasher fanclub.PasswordHasher, obs fanclub.Observer, cfg Config) *testAPI {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC))
	ctx := context.Background()
	db := open(t, clk.Now)
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatalf("registry: %v", err)
	}
	if auth.Now == nil {
		auth.Now = clk.Now
	}
	if hasher == nil {
		hasher = argon2id.New(argon2id.TestParams)
	}
	if cfg.Payments == nil && cfg.Sandbox == nil {
		sb := sandbox.New(db, sandbox.Options{})
		cfg.Payments, cfg.Sandbox = sb, sb
	}
	vfy := vsandbox.New(db)
	cfg.VerifySandbox = vfy
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: hasher, Random: rand.Reader, Observer: obs, Auth: auth,
		Payments: cfg.Payments, Verifier: vfy})
	cfg.Engine, cfg.Policies = eng, reg
	srv := httptest.NewServer(NewServer(cfg).Handler())
	t.Cleanup(srv.Close)
	admin, err := eng.IssueToken(ctx, fanclub.RoleAdmin, 0)
	if err != nil {
		t.Fatalf("admin token: %v", err)
	}
	return &testAPI{t: t, URL: srv.URL, Engine: eng, Store: db, Clock: clk, Admin: admin}
}

// response is a decoded API response.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r response) JSON(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Problem decodes the body as a problem document.
func (r response) Problem(t *testing.T) Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json (body %s)", ct, r.Body)
	}
	var p Problem
	r.JSON(t, &p)
	return p
}

// do sends a request with an optional bearer token and JSON body (a string
// is sent as is, anything else is marshalled).
func (a *testAPI) do(method, path, token string, body any) response {
	a.t.Helper()
	return a.doWithKey(method, path, token, body, "")
}

// doWithKey is do with an Idempotency-Key header (none when key is "").
func (a *testAPI) doWithKey(method, path, token string, body any, key string) response {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		data, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	header := http.Header{}
	if rd != nil {
		header.Set("Content-Type", "application/json")
	}
	if key != "" {
		header.Set(IdempotencyKeyHeader, key)
	}
	return a.send(method, path, token, rd, header)
}

// send sends a request with an optional bearer token, a body (nil: none)
// and headers, and reads the whole response.
func (a *testAPI) send(method, path, token string, body io.Reader, header http.Header) response {
	a.t.Helper()
	req, err := http.NewRequest(method, a.URL+path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// must sends a request and fails the test unless it answers want.
func (a *testAPI) must(want int, method, path, token string, body any) response {
	a.t.Helper()
	r := a.do(method, path, token, body)
	if r.Status != want {
		a.t.Fatalf("%s %s = %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// newFan registers a fan through the API and logs them in, returning the
// fan and a fan token.
func (a *testAPI) newFan(handle string) (fanclub.Fan, string) {
	a.t.Helper()
	var f fanclub.Fan
	a.must(201, "POST", "/v1/fans", a.Admin, map[string]string{"handle": handle, "password": "pw-" + handle + "-secret"}).JSON(a.t, &f)
	var s struct{ Token string }
	a.must(201, "POST", "/v1/sessions", "", map[string]string{"handle": handle, "password": "pw-" + handle + "-secret"}).JSON(a.t, &s)
	return f, s.Token
}

// newCreator registers a creator and issues them a token.
func (a *testAPI) newCreator(handle string) (fanclub.Creator, string) {
	a.t.Helper()
	var c fanclub.Creator
	a.must(201, "POST", "/v1/creators", a.Admin, map[string]string{"handle": handle}).JSON(a.t, &c)
	var tok struct{ Token string }
	a.must(201, "POST", "/v1/tokens", a.Admin, map[string]any{"role": "creator", "subject_id": c.ID}).JSON(a.t, &tok)
	return c, tok.Token
}

// newClub creates a club for a creator, with the creator's token.
func (a *testAPI) newClub(creatorToken, name, policy string) fanclub.Club {
	a.t.Helper()
	var c fanclub.Club
	a.must(201, "POST", "/v1/clubs", creatorToken, map[string]string{"name": name, "policy": policy}).JSON(a.t, &c)
	return c
}

// exitRequest is the decoded response of an exit request.
type exitRequest struct {
	ID         string              `json:"id"`
	Challenges []fanclub.Challenge `json:"challenges"`
	Impact     fanclub.ExitImpact  `json:"impact"`
	Links      ExitLinks           `json:"links"`
	SliderW    int                 `json:"slider_width"`
	SliderTol  int                 `json:"slider_tolerance"`
}

// sliderTarget reads an exit request's secret slider target from the store,
// standing in for the fan who sees the slider puzzle.
func (a *testAPI) sliderTarget(id string) int {
	a.t.Helper()
	tx, err := a.Store.BeginTx(context.Background(), false)
	if err != nil {
		a.t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	r, err := tx.FindExitRequest(context.Background(), id)
	if err != nil {
		a.t.Fatal(err)
	}
	return r.SliderTarget
}

package http

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

func TestRequestIDs(t *testing.T) {
	t.Parallel()
	eachStore(t, testRequestIDs)
}

func testRequestIDs(t *testing.T, open teststores.Open) {
	t.Parallel()
	var logs bytes.Buffer
	a := newTestAPI(t, open)
	srv := httptest.NewServer(NewServer(Config{Engine: a.Engine, Logger: slog.New(slog.NewTextHandler(&logs, nil))}).Handler())
	engineLog := WithRequestIDs(slog.New(slog.NewTextHandler(&logs, nil)))
	engineLog.InfoContext(context.WithValue(context.Background(), requestInfoKey{}, &requestInfo{id: "from-engine"}), "engine line")
	if !strings.Contains(logs.String(), "request_id=from-engine") {
		t.Fatalf("a record logged with a request's context lacks its id: %s", logs.String())
	}
	t.Cleanup(srv.Close)
	a2 := *a
	a2.URL = srv.URL
	res := a2.doRaw("GET", "/v1/me", "", nil, map[string]string{RequestIDHeader: "trace-42/abc"})
	if got := res.Header.Get(RequestIDHeader); got != "trace-42/abc" {
		t.Fatalf("echoed id %q", got)
	}
	if p := res.Problem(t); p.RequestID != "trace-42/abc" {
		t.Fatalf("problem request_id %q", p.RequestID)
	}
	if !strings.Contains(logs.String(), "request_id=trace-42/abc") {
		t.Fatalf("log lacks the request id: %s", logs.String())
	}
	seen := map[string]bool{}
	for _, sent := range []string{"", "has space", strings.Repeat("x", MaxRequestIDLen+1), "tab\there", "é"} {
		res := a2.doRaw("GET", "/healthz", "", nil, map[string]string{RequestIDHeader: sent})
		got := res.Header.Get(RequestIDHeader)
		if got == "" || got == sent || seen[got] {
			t.Fatalf("sent %q, got %q (seen %v)", sent, got, seen)
		}
		seen[got] = true
	}
}

func TestAccessLogSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		setting string
		logged  int // of 10 requests with status 200 and 2 with 404 and 500
	}{
		{"all", 12}, {"", 12}, {"off", 0}, {"errors", 2}, {"sample:5", 3},
	} {
		al, err := ParseAccessLog(tc.setting)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, st := range []int{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 500} {
			if al.logs(st) {
				n++
			}
		}
		if n != tc.logged {
			t.Errorf("%q logged %d, want %d", tc.setting, n, tc.logged)
		}
	}
	for _, bad := range []string{"some", "sample:0", "sample:x", "sample:"} {
		if _, err := ParseAccessLog(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestReadyzAndMetrics(t *testing.T) {
	t.Parallel()
	eachStore(t, testReadyzAndMetrics)
}

func testReadyzAndMetrics(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	if got := string(a.must(200, "GET", "/readyz", "", nil).Body); !strings.Contains(got, "ready") {
		t.Fatalf("readyz: %s", got)
	}
	_, creator := a.newCreator("metrics_creator")
	club := a.newClub(creator, "Metrics", "fair")
	_, fan := a.newFan("metrics_fan")
	base := fmt.Sprintf("/v1/clubs/%d", club.ID)
	a.must(201, "PUT", base+"/membership", fan, nil)
	a.must(200, "POST", base+"/interactions", fan, map[string]any{"action": "like"})
	var req exitRequest
	a.must(201, "POST", base+"/exit-requests", fan, nil).JSON(t, &req)
	a.must(200, "POST", req.Links.Confirm, fan, map[string]bool{"confirm": true})
	a.must(404, "GET", "/v1/clubs/999", fan, nil)
	text := string(a.must(200, "GET", "/metrics", "", nil).Body)
	for _, want := range []string{
		`fanclub_http_requests_total{route="PUT /v1/clubs/{club}/membership",status="201"} 1`,
		`fanclub_http_requests_total{route="GET /v1/clubs/{club}",status="404"} 1`,
		`fanclub_http_request_duration_seconds_bucket{route="GET /readyz",status="200",le="+Inf"} 1`,
		`fanclub_ingest_events_total{outcome="accepted"} 1`,
		`fanclub_exit_confirmations_total{outcome="confirmed",policy="fair"} 1`,
		`fanclub_store_transaction_duration_seconds_count{kind="write",result="commit"}`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestTokenCacheRemembersForTTLOnly(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newTokenCache(2*time.Second, 2, func() time.Time { return now })
	k1, k2, k3 := [32]byte{1}, [32]byte{2}, [32]byte{3}
	c.put(k1, fanclub.Principal{Role: fanclub.RoleFan, ID: 7}, 0, time.Hour)
	if p, ok := c.get(k1); !ok || p.ID != 7 {
		t.Fatalf("get = %+v %v", p, ok)
	}
	now = now.Add(2 * time.Second)
	if _, ok := c.get(k1); ok {
		t.Fatal("entry outlived its ttl")
	}
	c.put(k2, fanclub.Principal{ID: 2}, 0, time.Hour)
	c.put(k3, fanclub.Principal{ID: 3}, 0, time.Hour)
	if len(c.m) > 2 {
		t.Fatalf("cache holds %d entries, max 2", len(c.m))
	}
	if newTokenCache(0, 0, nil) != nil {
		t.Fatal("ttl 0 caches")
	}
}

func TestReadyzFailsWhenTheStoreIsGone(t *testing.T) {
	t.Parallel()
	eachStore(t, testReadyzFailsWhenTheStoreIsGone)
}

func testReadyzFailsWhenTheStoreIsGone(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	if err := a.Store.Close(); err != nil {
		t.Fatal(err)
	}
	p := a.must(503, "GET", "/readyz", "", nil).Problem(t)
	if p.Code != CodeNotReady {
		t.Fatalf("problem %+v", p)
	}
	a.must(200, "GET", "/healthz", "", nil)
}

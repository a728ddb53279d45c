package http

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

// newAuthTestAPI is newTestAPI with an auth configuration whose throttle
// reads the test clock, a given password hasher and a server configuration.
func newAuthTestAPI(t *testing.T, open teststores.Open, auth fanclub.AuthConfig, hasher fanclub.PasswordHasher, cfg Config) *testAPI {
	t.Helper()
	return startTestAPI(t, open, auth, hasher, nil, cfg)
}

// issued is a session or issued token as the API answers it.
type issued struct {
	Token     string    `json:"token"`
	TokenID   int64     `json:"token_id"`
	ExpiresAt time.Time `json:"expires_at"`
	Role      string    `json:"role"`
}

func TestTokensExpireAndRevokeOverHTTP(t *testing.T) {
	t.Parallel()
	eachStore(t, testTokensExpireAndRevokeOverHTTP)
}

func testTokensExpireAndRevokeOverHTTP(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newAuthTestAPI(t, open, fanclub.AuthConfig{FanSessionTTL: 48 * time.Hour}, nil, Config{})
	now := a.Clock.Now()
	f, _ := a.newFan("erin")
	var s issued
	a.must(201, "POST", "/v1/sessions", "", map[string]string{"handle": "erin", "password": "pw-erin-secret"}).JSON(t, &s)
	if s.TokenID == 0 || !s.ExpiresAt.Equal(now.Add(48*time.Hour)) {
		t.Fatalf("session %+v, want a token id and expiry in 48h", s)
	}
	a.must(200, "GET", "/v1/me", s.Token, nil)
	a.must(204, "DELETE", "/v1/sessions/current", s.Token, nil)
	p := a.must(401, "GET", "/v1/me", s.Token, nil).Problem(t)
	if !strings.Contains(p.Detail, "revoked") {
		t.Errorf("revoked token detail %q", p.Detail)
	}

	c, _ := a.newCreator("maker")
	for _, tc := range []struct {
		name string
		body map[string]any
		want int
		path string
	}{
		{"unknown fan", map[string]any{"role": "fan", "subject_id": f.ID + 50}, 404, ""},
		{"unknown creator", map[string]any{"role": "creator", "subject_id": c.ID + 50}, 404, ""},
		{"admin with a subject", map[string]any{"role": "admin", "subject_id": f.ID}, 400, "subject_id"},
		{"fan without subject", map[string]any{"role": "fan"}, 400, "subject_id"},
		{"bad ttl", map[string]any{"role": "creator", "subject_id": c.ID, "ttl": "forever"}, 400, "ttl"},
		{"ttl over the maximum", map[string]any{"role": "creator", "subject_id": c.ID, "ttl": "9000h"}, 400, "ttl"},
	} {
		res := a.do("POST", "/v1/tokens", a.Admin, tc.body)
		if res.Status != tc.want {
			t.Errorf("%s: %d, want %d: %s", tc.name, res.Status, tc.want, res.Body)
			continue
		}
		if pr := res.Problem(t); tc.path != "" && (len(pr.Errors) != 1 || pr.Errors[0].Path != tc.path) {
			t.Errorf("%s: errors %+v, want one at %s", tc.name, pr.Errors, tc.path)
		}
	}
	var ct issued
	a.must(201, "POST", "/v1/tokens", a.Admin, map[string]any{"role": "creator", "subject_id": c.ID, "ttl": "90m"}).JSON(t, &ct)
	if !ct.ExpiresAt.Equal(now.Add(90*time.Minute)) || ct.TokenID == 0 || ct.Role != "creator" {
		t.Fatalf("issued %+v, want expiry in 90m", ct)
	}
	a.must(200, "GET", fmt.Sprintf("/v1/clubs?creator_id=%d", c.ID), ct.Token, nil)
	a.must(403, "DELETE", fmt.Sprintf("/v1/tokens/%d", ct.TokenID), ct.Token, nil)
	a.must(404, "DELETE", fmt.Sprintf("/v1/tokens/%d", ct.TokenID+1000), a.Admin, nil)
	a.must(204, "DELETE", fmt.Sprintf("/v1/tokens/%d", ct.TokenID), a.Admin, nil)
	a.must(401, "GET", "/v1/clubs", ct.Token, nil)

	var s2 issued
	a.must(201, "POST", "/v1/sessions", "", map[string]string{"handle": "erin", "password": "pw-erin-secret"}).JSON(t, &s2)
	a.Clock.Advance(48 * time.Hour)
	p = a.must(401, "GET", "/v1/me", s2.Token, nil).Problem(t)
	if !strings.Contains(p.Detail, "expired") {
		t.Errorf("expired token detail %q", p.Detail)
	}
}

func TestLoginThrottleAnswers429(t *testing.T) {
	t.Parallel()
	eachStore(t, testLoginThrottleAnswers429)
}

func testLoginThrottleAnswers429(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newAuthTestAPI(t, open, fanclub.AuthConfig{}, nil, Config{})
	a.newFan("erin")
	wrong := map[string]string{"handle": "erin", "password": "not-erin-secret"}
	for range 5 {
		a.must(401, "POST", "/v1/sessions", "", wrong)
	}
	res := a.must(429, "POST", "/v1/sessions", "", map[string]string{"handle": "erin", "password": "pw-erin-secret"})
	if ra := res.Header.Get("Retry-After"); ra != "1" {
		t.Errorf("Retry-After %q, want 1", ra)
	}
	if p := res.Problem(t); p.Code != fanclub.ETOOMANY || p.RetryAfter != 1 || p.Status != 429 {
		t.Errorf("problem %+v", p)
	}
	a.Clock.Advance(time.Second)
	a.must(201, "POST", "/v1/sessions", "", map[string]string{"handle": "erin", "password": "pw-erin-secret"})
}

func TestLoginThrottleCountsTheClientAddress(t *testing.T) {
	t.Parallel()
	eachStore(t, testLoginThrottleCountsTheClientAddress)
}

func testLoginThrottleCountsTheClientAddress(t *testing.T, open teststores.Open) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		trust bool
		// want is the status of a login from another forwarded address
		// after the first one used up its free failures.
		want int
	}{
		{"peer address; X-Forwarded-For ignored", false, 429},
		{"trusted X-Forwarded-For", true, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAuthTestAPI(t, open, fanclub.AuthConfig{Throttle: fanclub.ThrottleConfig{AddrFree: 3}}, nil, Config{TrustForwardedFor: tc.trust})
			login := func(handle, forwarded string) response {
				t.Helper()
				req, err := http.NewRequest("POST", a.URL+"/v1/sessions", strings.NewReader(fmt.Sprintf(`{"handle":%q,"password":"whatever-it-is"}`, handle)))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Forwarded-For", "198.51.100.7, "+forwarded)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				body, _ := io.ReadAll(res.Body)
				return response{Status: res.StatusCode, Header: res.Header, Body: body}
			}
			for _, h := range []string{"ann", "bob", "cat"} {
				if res := login(h, "203.0.113.1"); res.Status != 401 {
					t.Fatalf("login %s: %d %s", h, res.Status, res.Body)
				}
			}
			if res := login("dan", "203.0.113.1"); res.Status != 429 {
				t.Fatalf("fourth handle from one address: %d, want 429", res.Status)
			}
			if res := login("eve", "203.0.113.2"); res.Status != tc.want {
				t.Fatalf("another forwarded address: %d, want %d", res.Status, tc.want)
			}
		})
	}
}

func TestExitPasswordThrottleAndSupersededOverHTTP(t *testing.T) {
	t.Parallel()
	eachStore(t, testExitPasswordThrottleAndSupersededOverHTTP)
}

func testExitPasswordThrottleAndSupersededOverHTTP(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newAuthTestAPI(t, open, fanclub.AuthConfig{Throttle: fanclub.ThrottleConfig{Free: 1, Base: time.Minute}}, nil, Config{})
	_, fan := a.newFan("erin")
	_, ctok := a.newCreator("maker")
	club := a.newClub(ctok, "Douyin club", "douyin")
	a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", club.ID), fan, nil)
	var r1 exitRequest
	a.must(201, "POST", fmt.Sprintf("/v1/clubs/%d/exit-requests", club.ID), fan, map[string]any{}).JSON(t, &r1)
	slider := a.sliderTarget(r1.ID)
	wrong := map[string]any{"slider": slider, "password": "not-erin-secret"}
	a.must(422, "POST", "/v1/exit-requests/"+r1.ID+"/confirm", fan, wrong)
	res := a.must(429, "POST", "/v1/exit-requests/"+r1.ID+"/confirm", fan, map[string]any{"slider": slider, "password": "pw-erin-secret"})
	if res.Header.Get("Retry-After") != "60" || res.Problem(t).Code != fanclub.ETOOMANY {
		t.Fatalf("throttled confirm: Retry-After %q, %s", res.Header.Get("Retry-After"), res.Body)
	}

	var r2 exitRequest
	a.must(201, "POST", fmt.Sprintf("/v1/clubs/%d/exit-requests", club.ID), fan, map[string]any{}).JSON(t, &r2)
	var got struct {
		Status string `json:"status"`
	}
	a.must(200, "GET", "/v1/exit-requests/"+r1.ID, fan, nil).JSON(t, &got)
	if got.Status != "superseded" {
		t.Fatalf("the first request reads %q, want superseded", got.Status)
	}
	p := a.must(409, "POST", "/v1/exit-requests/"+r1.ID+"/confirm", fan, map[string]any{"slider": slider, "password": "pw-erin-secret"}).Problem(t)
	if !strings.Contains(p.Detail, "superseded") {
		t.Errorf("confirm of a superseded request: %q", p.Detail)
	}
	a.Clock.Advance(time.Minute)
	a.must(200, "POST", "/v1/exit-requests/"+r2.ID+"/confirm", fan, map[string]any{"slider": a.sliderTarget(r2.ID), "password": "pw-erin-secret"})
}

// TestRevokedTokenLeavesTheCache revokes cached tokens through this server:
// they are refused at once, not after the cache's ttl.
func TestRevokedTokenLeavesTheCache(t *testing.T) {
	t.Parallel()
	eachStore(t, testRevokedTokenLeavesTheCache)
}

func testRevokedTokenLeavesTheCache(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newAuthTestAPI(t, open, fanclub.AuthConfig{}, nil, Config{TokenCacheTTL: time.Hour})
	a.newFan("erin")
	var s issued
	a.must(201, "POST", "/v1/sessions", "", map[string]string{"handle": "erin", "password": "pw-erin-secret"}).JSON(t, &s)
	a.must(200, "GET", "/v1/me", s.Token, nil) // cached now
	a.must(204, "DELETE", "/v1/sessions/current", s.Token, nil)
	a.must(401, "GET", "/v1/me", s.Token, nil)

	c, _ := a.newCreator("maker")
	var ct issued
	a.must(201, "POST", "/v1/tokens", a.Admin, map[string]any{"role": "creator", "subject_id": c.ID}).JSON(t, &ct)
	a.must(200, "GET", "/v1/clubs", ct.Token, nil) // cached now
	a.must(204, "DELETE", fmt.Sprintf("/v1/tokens/%d", ct.TokenID), a.Admin, nil)
	a.must(401, "GET", "/v1/clubs", ct.Token, nil)
}

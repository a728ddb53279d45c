package http

import (
	"encoding/base64"
	"fanclub/internal/teststores"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestHostileRequestsNeverAnswer500 sends every route hostile path values,
// query strings, headers and bodies, under each kind of token, and wants
// no server error: whatever a client sends is the client's problem (4xx).
func TestHostileRequestsNeverAnswer500(t *testing.T) {
	t.Parallel()
	eachStore(t, testHostileRequestsNeverAnswer500)
}

func testHostileRequestsNeverAnswer500(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("hostile_creator")
	club := a.newClub(creator, "Hostile", "douyin")
	_, fan := a.newFan("hostile_fan")
	a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", club.ID), fan, nil)
	var req exitRequest
	a.must(201, "POST", fmt.Sprintf("/v1/clubs/%d/exit-requests", club.ID), fan, nil).JSON(t, &req)

	cursor := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	ids := []string{
		fmt.Sprint(club.ID), req.ID, "0", "-1", "1e3", "0x10", "9223372036854775807", "9223372036854775808",
		"99999999999999999999999", "%00", "%2e%2e%2f", "a%20b", strings.Repeat("9", 300), "%E2%80%AE", "nul%00l",
	}
	queries := []string{
		"", "limit=0", "limit=-1", "limit=1001", "limit=9223372036854775808", "limit=1&limit=2", "limit=%00", "limit=1e3",
		"cursor=", "cursor=%%%", "cursor=" + cursor("c1:clubs:9223372036854775807"), "cursor=" + cursor("c1:clubs:-5"),
		"cursor=" + cursor("c1:members:1"), "cursor=" + cursor("c1:me:0"), "cursor=" + cursor("c1:policies:\x00"),
		"cursor=" + cursor("c1:clubs:99999999999999999999"), "cursor=" + cursor(strings.Repeat("x", 4000)),
		"creator_id=-1", "creator_id=9223372036854775808", "creator_id=0", "creator_id=1&creator_id=x",
	}
	headers := []map[string]string{
		{},
		{"Idempotency-Key": strings.Repeat("k", 300)},
		{"Idempotency-Key": "k \xff"},
		{"Idempotency-Key": "same-key"},
		{"X-Request-Id": strings.Repeat("r", 5000)},
		{"X-Request-Id": "r\t\xfe"},
		{"X-Forwarded-For": strings.Repeat("1.", 2000)},
		{"Content-Type": "application/json; charset=latin1"},
		{"Content-Type": "multipart/form-data; boundary="},
	}
	bodies := []*string{nil, ptr(""), ptr("{}"), ptr(`{"limit":-1,"amount":-9223372036854775808,"slider":1e400}`),
		ptr(`{"handle":"` + strings.Repeat("h", 1000) + `","password":""}`), ptr(`{"role":"admin","subject_id":0,"ttl":"9223372036854775807ns"}`),
		ptr(`{"action":"watch_minutes","amount":9223372036854775807}`), ptr(`{"events":[{"id":"","fan_id":-1,"club_id":-1,"action":"","amount":-1,"at":"0001-01-01T00:00:00Z"}]}`)}
	tokens := []string{"", a.Admin, creator, fan, "fc_" + strings.Repeat("A", 300), "not-a-token"}

	var sent int
	check := func(method, path, tok string, body *string, h map[string]string) {
		t.Helper()
		sent++
		if h["Content-Type"] == "" && body != nil {
			h2 := map[string]string{"Content-Type": "application/json"}
			for k, v := range h {
				h2[k] = v
			}
			h = h2
		}
		if r := a.doRaw(method, path, tok, body, h); r.Status >= 500 {
			t.Errorf("%s %s (token %.8q, headers %.60v, body %.60v): %d %s", method, path, tok, h, deref(body), r.Status, r.Body)
		}
	}
	for _, rt := range (&Server{}).routes() {
		for _, id := range ids {
			path := strings.NewReplacer("{club}", id, "{id}", id, "{name}", id).Replace(rt.pattern)
			for _, tok := range tokens {
				check(rt.method, path, tok, nil, nil)
			}
		}
		path := strings.NewReplacer("{club}", fmt.Sprint(club.ID), "{id}", req.ID, "{name}", "douyin").Replace(rt.pattern)
		if rt.pattern == "/v1/tokens/{id}" {
			path = "/v1/tokens/999999"
		}
		for _, q := range queries {
			for _, tok := range []string{a.Admin, creator, fan} {
				check(rt.method, path+"?"+q, tok, nil, nil)
			}
		}
		for _, h := range headers {
			for _, b := range bodies {
				for _, tok := range []string{a.Admin, creator, fan} {
					check(rt.method, path, tok, b, h)
				}
			}
		}
	}
	for _, p := range []string{"/v1/clubs/" + url.PathEscape("1/../2"), "/v1//clubs", "/v1/clubs/1/membership/", "/%ff", "/v1/exit-requests/x/captcha.png/"} {
		check("GET", p, fan, nil, nil)
	}
	if sent < 2000 {
		t.Fatalf("only %d requests sent", sent)
	}
}

func ptr(s string) *string { return &s }

func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return *s
}

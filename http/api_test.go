package http

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

// doRaw sends body (nil: none) as is with the given headers (an empty
// value sends none).
func (a *testAPI) doRaw(method, path, token string, body *string, headers map[string]string) response {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(*body)
	}
	header := http.Header{}
	for k, v := range headers {
		if v != "" {
			header.Set(k, v)
		}
	}
	return a.send(method, path, token, rd, header)
}

func TestBodyMediaTypes(t *testing.T) {
	t.Parallel()
	eachStore(t, testBodyMediaTypes)
}

func testBodyMediaTypes(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	body := `{"handle":"c_media"}`
	for i, tc := range []struct {
		ctype string
		want  int
	}{
		{"", 415},
		{"application/x-www-form-urlencoded", 415},
		{"text/plain", 415},
		{"application/json; charset=latin1", 415},
		{"application/json;;", 415},
		{"application/json", 201},
		{"application/json; charset=utf-8", 201},
		{"Application/JSON; charset=UTF-8", 201},
		{"application/vnd.fanclub+json", 201},
	} {
		b := strings.Replace(body, "media", fmt.Sprint("media", i), 1)
		res := a.doRaw("POST", "/v1/creators", a.Admin, &b, map[string]string{"Content-Type": tc.ctype})
		if res.Status != tc.want {
			t.Errorf("Content-Type %q: %d, want %d: %s", tc.ctype, res.Status, tc.want, res.Body)
			continue
		}
		if tc.want == 415 {
			if p := res.Problem(t); p.Code != CodeUnsupportedMediaType || !strings.Contains(p.Detail, "application/json") {
				t.Errorf("Content-Type %q: problem %+v", tc.ctype, p)
			}
		}
	}
}

func TestBodyLimits(t *testing.T) {
	t.Parallel()
	eachStore(t, testBodyLimits)
}

func testBodyLimits(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	big := `{"handle":"` + strings.Repeat("a", MaxBodyBytes) + `"}`
	res := a.doRaw("POST", "/v1/creators", a.Admin, &big, map[string]string{"Content-Type": "application/json"})
	if p := res.Problem(t); res.Status != 413 || p.Code != CodeTooLarge {
		t.Fatalf("1 MiB body: %d %+v", res.Status, p)
	}
	// The largest batch the engine accepts, every field set at its longest.
	at := a.Clock.Now()
	b := fanclub.Batch{Producer: strings.Repeat("p", fanclub.MaxProducerLen), Seq: 1 << 62}
	for i := range fanclub.MaxBatchEvents {
		id := fmt.Sprintf("%0*d", fanclub.MaxEventIDLen, i)
		b.Events = append(b.Events, fanclub.EventInput{ID: id, FanID: 1<<62 + int64(i), ClubID: 1 << 62,
			Action: fanclub.ActionWatchMinutes, Amount: fanclub.MaxWatchMinutes, At: &at})
	}
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) <= MaxBodyBytes {
		t.Fatalf("batch of %d bytes does not test the batch limit", len(data))
	}
	s := string(data)
	res = a.doRaw("POST", "/v1/events:batch", a.Admin, &s, map[string]string{"Content-Type": "application/json"})
	if res.Status != 200 {
		t.Fatalf("largest batch (%d bytes): %d %.300s", len(data), res.Status, res.Body)
	}
	var out fanclub.BatchResult
	res.JSON(t, &out)
	if out.Accepted+out.Rejected+out.Duplicates != fanclub.MaxBatchEvents {
		t.Fatalf("batch result counts %d+%d+%d", out.Accepted, out.Rejected, out.Duplicates)
	}
}

// TestBadBodiesNeverShowGoTypes sends malformed bodies to every route that
// reads one and checks each answer is a 4xx problem whose text has no Go
// type name.
func TestBadBodiesNeverShowGoTypes(t *testing.T) {
	t.Parallel()
	eachStore(t, testBadBodiesNeverShowGoTypes)
}

func testBadBodiesNeverShowGoTypes(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("types_creator")
	club := a.newClub(creator, "Types", "kuaishou")
	_, fan := a.newFan("types_fan")
	base := fmt.Sprintf("/v1/clubs/%d", club.ID)
	a.must(201, "PUT", base+"/membership", fan, nil)
	var req exitRequest
	a.must(201, "POST", base+"/exit-requests", fan, map[string]any{}).JSON(t, &req)
	bodies := []string{
		`{"handle":1,"password":true,"name":[],"policy":{},"creator_id":"x","role":5,"subject_id":1.5}`,
		`{"events":[{"id":1,"fan_id":"x","club_id":true,"action":5,"amount":"1","at":5}],"seq":"s","producer":1}`,
		`{"events":{},"seq":1e400}`,
		`{"action":1,"amount":"many"}`, `{"amount":99999999999999999999}`,
		`{"choices":{"progress":1}}`, `{"choices":"keep"}`,
		`{"confirm":"yes","slider":"left","captcha":1,"password":2}`, `{"slider":1.5}`,
		`{"x":1}`, `{"a":1,"a":2}`, `[]`, `"s"`, `{`, `{} {}`, `null`,
	}
	var problems int
	for _, rt := range (&Server{}).routes() {
		if rt.method != "POST" && rt.method != "PUT" {
			continue
		}
		path := strings.NewReplacer("{club}", fmt.Sprint(club.ID), "{id}", req.ID).Replace(rt.pattern)
		tok := a.Admin
		if rt.perm == permFan {
			tok = fan
		} else if rt.perm == permCreator {
			tok = creator
		}
		for _, b := range bodies {
			res := a.doRaw(rt.method, path, tok, &b, map[string]string{"Content-Type": "application/json"})
			if res.Status < 400 {
				continue // e.g. a login with unknown fields is refused, others may pass
			}
			problems++
			p := res.Problem(t)
			errs, _ := json.Marshal(p.Errors)
			text := p.Detail + " " + p.Title + " " + string(errs)
			for _, bad := range []string{"int64", "int", "string", "fanclub.", "struct", "map[", "bool", "float64", "[]"} {
				if containsWord(text, bad) {
					t.Errorf("%s %s %s: answer shows %q: %s", rt.method, rt.pattern, b, bad, text)
				}
			}
			if res.Status >= 500 {
				t.Errorf("%s %s %s: %d %s", rt.method, rt.pattern, b, res.Status, text)
			}
		}
	}
	if problems < 50 {
		t.Fatalf("only %d refusals checked", problems)
	}
}

// containsWord reports whether text holds word outside quoted client
// values: as a whole word, or (for names with punctuation) anywhere.
func containsWord(text, word string) bool {
	if strings.ContainsAny(word, ".[") {
		return strings.Contains(text, word)
	}
	for i := 0; ; {
		j := strings.Index(text[i:], word)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !isWordByte(text[j-1])
		after := j+len(word) == len(text) || !isWordByte(text[j+len(word)])
		if before && after && !(word == "string" && strings.Contains(text[max(0, j-2):j], "a ")) && !(word == "string" && strings.HasPrefix(text[j:], "string\"")) {
			return true
		}
		i = j + len(word)
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func TestStrictBodiesNameTheClientsFields(t *testing.T) {
	t.Parallel()
	eachStore(t, testStrictBodiesNameTheClientsFields)
}

func testStrictBodiesNameTheClientsFields(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("paths_creator")
	club := a.newClub(creator, "Paths", "douyin")
	_, fan := a.newFan("paths_fan")
	base := fmt.Sprintf("/v1/clubs/%d", club.ID)
	for _, b := range []string{`{"x":1}`, `{"a":1,"a":2}`, `[]`} {
		if p := a.must(400, "PUT", base+"/membership", fan, b).Problem(t); p.Code != fanclub.EINVALID {
			t.Fatalf("PUT membership %s: %+v", b, p)
		}
	}
	a.must(201, "PUT", base+"/membership", fan, `{}`)
	// Routes that take no body refuse one with members, before anything.
	for _, r := range []struct{ method, path string }{
		{"DELETE", base + "/subscription/auto-renew"},
		{"POST", "/v1/me/payment-agreements/ag_1:revoke"},
		{"DELETE", "/v1/sessions/current"},
	} {
		p := a.must(400, r.method, r.path, fan, `{"x":1}`).Problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Path != "x" || p.Errors[0].Message != "unknown field" {
			t.Fatalf("%s %s with a body: %+v", r.method, r.path, p)
		}
	}
	// One club, one path: a sign or a leading zero is not its id.
	for _, id := range []string{"0" + strconv.FormatInt(club.ID, 10), "+" + strconv.FormatInt(club.ID, 10)} {
		p := a.must(400, "GET", "/v1/clubs/"+id, fan, nil).Problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Path != "club" {
			t.Fatalf("GET /v1/clubs/%s: %+v", id, p)
		}
	}
	p := a.must(400, "POST", base+"/exit-requests", fan, `{"choices":{"progress":1}}`).Problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Path != "choices.progress" {
		t.Fatalf("choices.progress: %+v", p)
	}
	p = a.must(400, "POST", base+"/exit-requests", fan, `{"choices":{"progress":"keep","progress":"lose"}}`).Problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Path != "choices.progress" || p.Errors[0].Message != "duplicate member" {
		t.Fatalf("duplicate choices.progress: %+v", p)
	}
	var req exitRequest
	a.must(201, "POST", base+"/exit-requests", fan, nil).JSON(t, &req)
	p = a.must(400, "POST", req.Links.Confirm, fan, `{"slider":"left"}`).Problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Path != "slider" || p.Errors[0].Allowed == "" {
		t.Fatalf("slider: %+v", p)
	}
}

// TestConfirmAttemptsAndClosedRequests: an empty confirm is a 400 that
// costs no attempt; the last attempt is "1 attempt left"; an exhausted and
// an expired request each say which.
func TestConfirmAttemptsAndClosedRequests(t *testing.T) {
	t.Parallel()
	eachStore(t, testConfirmAttemptsAndClosedRequests)
}

func testConfirmAttemptsAndClosedRequests(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("attempts_creator")
	club := a.newClub(creator, "Kuai", "kuaishou")
	_, fan := a.newFan("attempts_fan")
	base := fmt.Sprintf("/v1/clubs/%d", club.ID)
	a.must(201, "PUT", base+"/membership", fan, nil)
	var req struct {
		exitRequest
		Attempts    int `json:"attempts"`
		MaxAttempts int `json:"max_attempts"`
	}
	a.must(201, "POST", base+"/exit-requests", fan, nil).JSON(t, &req)
	if req.MaxAttempts < 2 {
		t.Fatalf("max attempts %d", req.MaxAttempts)
	}
	for range 3 {
		a.must(400, "POST", req.Links.Confirm, fan, `{}`)
	}
	a.must(200, "GET", "/v1/exit-requests/"+req.ID, fan, nil).JSON(t, &req)
	if req.Attempts != 0 {
		t.Fatalf("empty confirms cost %d attempts", req.Attempts)
	}
	var p Problem
	for i := 1; i < req.MaxAttempts; i++ {
		p = a.must(422, "POST", req.Links.Confirm, fan, map[string]string{"captcha": "wrong"}).Problem(t)
	}
	if !strings.Contains(p.Detail, "1 attempt left.") {
		t.Fatalf("last attempt: %q", p.Detail)
	}
	p = a.must(422, "POST", req.Links.Confirm, fan, map[string]string{"captcha": "wrong"}).Problem(t)
	if !strings.Contains(p.Detail, "no attempts left") {
		t.Fatalf("exhausting answer: %q", p.Detail)
	}
	p = a.must(409, "POST", req.Links.Confirm, fan, map[string]string{"captcha": "wrong"}).Problem(t)
	if !strings.Contains(p.Detail, "attempts") || strings.Contains(p.Detail, "expired") {
		t.Fatalf("exhausted request: %q", p.Detail)
	}
	var second exitRequest
	a.must(201, "POST", base+"/exit-requests", fan, nil).JSON(t, &second)
	a.Clock.Advance(24 * time.Hour)
	p = a.must(410, "POST", second.Links.Confirm, fan, map[string]string{"captcha": "wrong"}).Problem(t)
	if !strings.Contains(p.Detail, "expired") {
		t.Fatalf("expired request: %q", p.Detail)
	}
	p = a.must(410, "POST", second.Links.Confirm, fan, map[string]string{"captcha": "wrong"}).Problem(t)
	if !strings.Contains(p.Detail, "expired") {
		t.Fatalf("expired request read again: %q", p.Detail)
	}
}

func TestDocsCurlLinesSendJSON(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"../README.md", "../docs/api.md"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		// A command is its line and the lines it continues with a
		// trailing backslash.
		lines := strings.Split(string(data), "\n")
		for i := 0; i < len(lines); i++ {
			start, cmd := i, lines[i]
			for strings.HasSuffix(strings.TrimSpace(lines[i]), "\\") && i+1 < len(lines) {
				i++
				cmd += " " + lines[i]
			}
			if strings.Contains(cmd, " -d ") && !strings.Contains(cmd, "Content-Type: application/json") {
				t.Errorf("%s:%d sends -d without Content-Type: application/json (curl would send a form): %s", name, start+1, cmd)
			}
		}
	}
}

func TestMemberCountInClubView(t *testing.T) {
	t.Parallel()
	eachStore(t, testMemberCountInClubView)
}

func testMemberCountInClubView(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("count_creator")
	club := a.newClub(creator, "Count", "fair")
	base := fmt.Sprintf("/v1/clubs/%d", club.ID)
	var fans []string
	for i := range 3 {
		_, f := a.newFan(fmt.Sprintf("count_fan%d", i))
		a.must(201, "PUT", base+"/membership", f, nil)
		fans = append(fans, f)
	}
	var req exitRequest
	a.must(201, "POST", base+"/exit-requests", fans[0], nil).JSON(t, &req)
	a.must(200, "POST", req.Links.Confirm, fans[0], map[string]bool{"confirm": true})
	var v struct {
		MemberCount int `json:"member_count"`
	}
	a.must(200, "GET", base, creator, nil).JSON(t, &v)
	if v.MemberCount != 2 {
		t.Fatalf("member_count = %d, want 2", v.MemberCount)
	}
}

func TestListsArePaginated(t *testing.T) {
	t.Parallel()
	eachStore(t, testListsArePaginated)
}

func testListsArePaginated(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, creator := a.newCreator("pages_creator")
	var clubs []fanclub.Club
	for i := range 5 {
		clubs = append(clubs, a.newClub(creator, fmt.Sprint("Page", i), "fair"))
	}
	_, fan := a.newFan("pages_fan")
	for _, c := range clubs {
		a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", c.ID), fan, nil)
	}
	for i := range 4 {
		_, f := a.newFan(fmt.Sprint("pages_member", i))
		a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", clubs[0].ID), f, nil)
	}
	walk := func(path, tok string, limit int) (n, pages int) {
		t.Helper()
		cursor := ""
		for {
			q := fmt.Sprintf("%s?limit=%d", path, limit)
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			var p struct {
				Items      []json.RawMessage `json:"items"`
				NextCursor *string           `json:"next_cursor"`
			}
			a.must(200, "GET", q, tok, nil).JSON(t, &p)
			if len(p.Items) > limit {
				t.Fatalf("%s: %d items, limit %d", q, len(p.Items), limit)
			}
			n += len(p.Items)
			pages++
			if p.NextCursor == nil {
				return n, pages
			}
			cursor = *p.NextCursor
			if pages > 20 {
				t.Fatalf("%s: no end", path)
			}
		}
	}
	for _, tc := range []struct {
		path, tok   string
		limit, want int
	}{
		{"/v1/clubs", fan, 2, 5},
		{fmt.Sprintf("/v1/clubs/%d/members", clubs[0].ID), creator, 2, 5},
		{"/v1/me/memberships", fan, 3, 5},
		{"/v1/policies", "", 3, 4},
	} {
		if n, pages := walk(tc.path, tc.tok, tc.limit); n != tc.want || pages < 2 {
			t.Errorf("%s: %d items in %d pages, want %d in 2 or more", tc.path, n, pages, tc.want)
		}
	}
	var clubsPage struct {
		NextCursor *string `json:"next_cursor"`
	}
	a.must(200, "GET", "/v1/clubs?limit=1", fan, nil).JSON(t, &clubsPage)
	for _, tc := range []struct{ query, param string }{
		{"/v1/clubs?limit=0", "limit"}, {"/v1/clubs?limit=1001", "limit"}, {"/v1/clubs?limit=x", "limit"},
		{"/v1/clubs?cursor=%25%25", "cursor"}, {"/v1/clubs?cursor=abc", "cursor"},
		{"/v1/me/memberships?cursor=" + *clubsPage.NextCursor, "cursor"},
	} {
		p := a.must(400, "GET", tc.query, fan, nil).Problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Path != tc.param {
			t.Errorf("%s: %+v, want the %s parameter named", tc.query, p, tc.param)
		}
	}
}

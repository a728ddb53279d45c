package http

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"fanclub"
	"fanclub/internal/teststores"
)

func TestStatusOfEveryCode(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]int{
		fanclub.EINVALID: 400, fanclub.EUNAUTHORIZED: 401, fanclub.EFORBIDDEN: 403,
		fanclub.ERESTRICTED: 403, fanclub.ENOTFOUND: 404, fanclub.ECONFLICT: 409,
		fanclub.EALREADYMEMBER: 409, fanclub.ECOOLDOWN: 409, fanclub.ENOTMEMBER: 409,
		fanclub.EEXPIRED: 410, fanclub.ECHALLENGE: 422, fanclub.EINTERNAL: 500,
		CodeMethodNotAllowed: 405, CodeBusy: 503, "something_new": 500,
	} {
		if got := StatusOf(code); got != want {
			t.Errorf("StatusOf(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestWriteErrorHidesAndLogsInternalErrors(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s := NewServer(Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/v1/me", nil)
	s.writeError(rec, req, fmt.Errorf("query: %w", errors.New("disk I/O error at /var/secret.db")))
	body := rec.Body.String()
	if rec.Code != 500 || strings.Contains(body, "secret") {
		t.Fatalf("internal error leaked or wrong status %d: %s", rec.Code, body)
	}
	if !strings.Contains(logs.String(), "secret.db") {
		t.Fatalf("internal error not logged: %q", logs.String())
	}
	if !strings.Contains(body, `"code":"internal"`) || !strings.Contains(body, ProblemTypeBase+"internal") {
		t.Fatalf("problem body: %s", body)
	}
}

func TestWriteErrorCarriesFieldsAndUntil(t *testing.T) {
	t.Parallel()
	s := NewServer(Config{})
	rec := httptest.NewRecorder()
	err := &fanclub.Error{Code: fanclub.ECOOLDOWN, Message: "Rejoining is possible from 2026-11-27T04:00:00Z.", Until: "2026-11-27T04:00:00Z"}
	s.writeError(rec, httptest.NewRequest("PUT", "/", nil), fmt.Errorf("join: %w", err))
	p := response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}.Problem(t)
	if p.Status != http.StatusConflict || p.Until != "2026-11-27T04:00:00Z" || p.Code != "cooldown" || p.Title == "" {
		t.Fatalf("problem = %+v", p)
	}
	if ra := rec.Header().Get("Retry-After"); ra != "Fri, 27 Nov 2026 04:00:00 GMT" {
		t.Fatalf("Retry-After = %q", ra)
	}
}

// decodeTarget is a body with nested objects, lists and maps.
type decodeTarget struct {
	Name   string            `json:"name"`
	Count  int64             `json:"count"`
	Items  []decodeItem      `json:"items"`
	Labels map[string]string `json:"labels"`
	Ptr    *decodeItem       `json:"ptr"`
}

type decodeItem struct {
	ID string `json:"id"`
}

func TestDecodeJSONReportsPaths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		path, msg  string
	}{
		{"ok", `{"name":"a","items":[{"id":"x"}],"labels":{"k":"v"},"ptr":{"id":"y"}}`, "", ""},
		{"empty", ``, "", "empty body"},
		{"syntax", `{"name":`, "", "malformed JSON"},
		{"trailing", `{"name":"a"} {}`, "", "data after the JSON object"},
		{"array", `[1]`, "", "not a JSON object"},
		{"unknown top", `{"nmae":"a"}`, "nmae", "unknown field"},
		{"unknown nested", `{"items":[{"id":"x"},{"id":"y","extra":1}]}`, "items[1].extra", "unknown field"},
		{"unknown in pointer", `{"ptr":{"iid":"y"}}`, "ptr.iid", "unknown field"},
		{"wrong type", `{"count":"three"}`, "count", "wrong type"},
		{"wrong nested type", `{"items":[{"id":5}]}`, "items[0].id", "wrong type"},
		{"wrong map value", `{"labels":{"k":1}}`, "labels.k", "wrong type"},
		{"duplicate member", `{"name":"a","name":"b"}`, "name", "duplicate member"},
		{"duplicate nested", `{"items":[{"id":"x","id":"y"}]}`, "items[0].id", "duplicate member"},
		{"fraction for integer", `{"count":1.5}`, "count", "not an integer in range"},
		{"integer overflow", `{"count":9223372036854775808}`, "count", "not an integer in range"},
	} {
		var dst decodeTarget
		err := decodeJSON([]byte(tc.body), &dst)
		if tc.msg == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		fields := fanclub.ErrorFields(err)
		if fanclub.ErrorCode(err) != fanclub.EINVALID || len(fields) == 0 {
			t.Errorf("%s: err = %v, want invalid with fields", tc.name, err)
			continue
		}
		if fields[0].Path != tc.path || fields[0].Message != tc.msg {
			t.Errorf("%s: field %+v, want path %q message %q", tc.name, fields[0], tc.path, tc.msg)
		}
	}
}

func TestDecodeBodyLimitsSize(t *testing.T) {
	t.Parallel()
	body := `{"name":"` + strings.Repeat("a", MaxBodyBytes) + `"}`
	req := httptest.NewRequest("POST", "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	var dst decodeTarget
	err := decodeBody(httptest.NewRecorder(), req, &dst)
	if fanclub.ErrorCode(err) != CodeTooLarge || StatusOf(CodeTooLarge) != 413 {
		t.Fatalf("err = %v, want body too large (413)", err)
	}
}

func TestUnknownRouteIsAProblem(t *testing.T) {
	t.Parallel()
	eachStore(t, testUnknownRouteIsAProblem)
}

func testUnknownRouteIsAProblem(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	p := a.must(404, "GET", "/v2/nothing", "", nil).Problem(t)
	if p.Code != fanclub.ENOTFOUND {
		t.Fatalf("problem = %+v", p)
	}
	p = a.must(401, "GET", "/v1/me", "fc_not-a-token", nil).Problem(t)
	if p.Code != fanclub.EUNAUTHORIZED {
		t.Fatalf("problem = %+v", p)
	}
	p = a.must(400, "GET", "/v1/clubs/abc", a.Admin, nil).Problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Path != "club" {
		t.Fatalf("problem = %+v", p)
	}
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"name":"a","items":[{"id":"x"}],"labels":{"k":"v"}}`))
	f.Add([]byte(`{"items":[{"id":"y","extra":1}]}`))
	f.Add([]byte(`{} []`))
	f.Add([]byte(`{"count":1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var dst decodeTarget
		err := decodeJSON(data, &dst)
		if err != nil && fanclub.ErrorCode(err) != fanclub.EINVALID {
			t.Fatalf("decode error is not invalid: %v", err)
		}
	})
}

func FuzzExitAnswersBody(f *testing.F) {
	f.Add([]byte(`{"confirm":true,"password":"x","captcha":"123456","slider":140}`))
	f.Add([]byte(`{"slider":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var dst fanclub.ExitAnswers
		err := decodeJSON(data, &dst)
		if err != nil && fanclub.ErrorCode(err) != fanclub.EINVALID {
			t.Fatalf("decode error is not invalid: %v", err)
		}
	})
}

func TestWrongMethodIs405WithAllow(t *testing.T) {
	t.Parallel()
	eachStore(t, testWrongMethodIs405WithAllow)
}

func testWrongMethodIs405WithAllow(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	res := a.must(405, "DELETE", "/v1/clubs/1/membership", a.Admin, nil)
	if p := res.Problem(t); p.Code != CodeMethodNotAllowed {
		t.Fatalf("problem = %+v", p)
	}
	if got := res.Header.Get("Allow"); got != "PUT, GET" {
		t.Fatalf("Allow = %q", got)
	}
	a.must(405, "GET", "/v1/events:batch", "", nil)
}

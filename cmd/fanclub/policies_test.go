package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// customPolicy returns the fair preset's file renamed to name, in version.
func customPolicy(t *testing.T, name, version string) string {
	t.Helper()
	data, err := os.ReadFile("../../policyfile/presets/fair.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(data), "\n  name: fair\n", "\n  name: "+name+"\n", 1)
	s = regexp.MustCompile(`(?m)^  version: .*$`).ReplaceAllString(s, "  version: \""+version+"\"")
	if !strings.Contains(s, "name: "+name) || !strings.Contains(s, `version: "`+version+`"`) {
		t.Fatal("fair.yaml no longer has the metadata lines this test rewrites")
	}
	return s
}

// policyDir writes files (name -> content) into a new directory.
func policyDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// served is a running 'fanclub serve'.
type served struct {
	base, admin string
	stop        func() int
}

// startServe runs 'fanclub serve' with args at a free port until it
// listens, or returns its exit status and standard error when it stops
// before that.
func startServe(t *testing.T, args ...string) (*served, int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), &stdout, &stderr)
	}()
	for i := 0; ; i++ {
		out := stdout.String()
		if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(out); m != nil {
			s := &served{base: m[1], stop: func() int { cancel(); return <-done }}
			if a := regexp.MustCompile(`admin token: (\S+)`).FindStringSubmatch(out); a != nil {
				s.admin = a[1]
			}
			return s, 0, ""
		}
		select {
		case code := <-done:
			cancel()
			return nil, code, stderr.String()
		case <-time.After(20 * time.Millisecond):
		}
		if i > 3000 {
			cancel()
			t.Fatalf("serve neither listened nor stopped: %s\n%s", out, stderr.String())
		}
	}
}

// call sends a request with a JSON body and decodes the JSON answer.
func (s *served) call(t *testing.T, method, path string, body, v any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, s.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+s.admin)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	return res.StatusCode
}

// TestServePoliciesRefusesBadFiles: a policy directory with an invalid
// file, or a name that a preset or another file has, stops the start and
// reports the problems as 'fanclub policy validate' does.
func TestServePoliciesRefusesBadFiles(t *testing.T) {
	t.Parallel()
	bad, err := os.ReadFile("../../policyfile/testdata/bad/three-mistakes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string // lines of stderr, besides those of policy validate
	}{
		{"invalid file", map[string]string{"good.yaml": customPolicy(t, "acme", "1"), "bad.yaml": string(bad)}, nil},
		{"invalid JSON file", map[string]string{"bad.json": `{"apiVersion": "fanclub/v1", "kind": "Policy", "metadata": {"name": 7}}`}, nil},
		{"preset name", map[string]string{"mine.yml": customPolicy(t, "fair", "9")},
			[]string{`mine.yml:10:9: metadata.name: policy name is a built-in policy (found "fair"; allowed: a name no other policy has)`}},
		{"two files, one name", map[string]string{"a.yaml": customPolicy(t, "acme", "1"), "b.yaml": customPolicy(t, "acme", "2")},
			[]string{`b.yaml:10:9: metadata.name: policy name is also the name of `}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := policyDir(t, tc.files)
			_, code, errOut := startServe(t, "--db", filepath.Join(t.TempDir(), "x.db"), "--policies", dir)
			if code != 1 {
				t.Fatalf("serve exit status %d, want 1: %s", code, errOut)
			}
			var want []string
			for name := range tc.files {
				file := filepath.Join(dir, name)
				if _, out, _ := runFanclub(t, "policy", "validate", file); !strings.HasSuffix(out, ": ok\n") {
					want = append(want, strings.Split(strings.TrimSpace(out), "\n")...)
				}
			}
			for _, w := range tc.want {
				want = append(want, filepath.Join(dir, w))
			}
			if len(want) == 0 {
				t.Fatal("the case has no expected problem")
			}
			for _, w := range want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if !strings.Contains(errOut, "did not load") {
				t.Errorf("stderr lacks the summary:\n%s", errOut)
			}
		})
	}
}

// TestServePoliciesRunsClubsOnCustomPolicies: policies of the directory are
// listed beside the presets and can run new clubs, which record the
// version; a later start refuses a different version or a missing policy.
func TestServePoliciesRunsClubsOnCustomPolicies(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "custom.db")
	v1 := policyDir(t, map[string]string{"acme.yaml": customPolicy(t, "acme", "2026-12.1"), "notes.txt": "not a policy"})
	s, code, errOut := startServe(t, "--db", db, "--policies", v1)
	if s == nil {
		t.Fatalf("serve exit status %d: %s", code, errOut)
	}
	var list struct {
		Items []struct {
			Name, Version string
			Builtin       bool
		}
	}
	if got := s.call(t, "GET", "/v1/policies", nil, &list); got != 200 {
		t.Fatalf("GET /v1/policies = %d", got)
	}
	var names []string
	for _, p := range list.Items {
		names = append(names, fmt.Sprintf("%s@%s/%t", p.Name, p.Version, p.Builtin))
	}
	if got := strings.Join(names, " "); got != "acme@2026-12.1/false douyin@2026-11/true fair@2026-11/true kuaishou@2026-11/true wechat-channels@2026-11/true" {
		t.Fatalf("policies = %s", got)
	}
	var cr struct{ ID int64 }
	if got := s.call(t, "POST", "/v1/creators", map[string]any{"handle": "acme_creator"}, &cr); got != 201 {
		t.Fatalf("create creator = %d", got)
	}
	var club struct {
		ID            int64
		Policy        string
		PolicyVersion string `json:"policy_version"`
	}
	if got := s.call(t, "POST", "/v1/clubs", map[string]any{"name": "Acme", "policy": "acme", "creator_id": cr.ID}, &club); got != 201 {
		t.Fatalf("create club = %d", got)
	}
	club.Policy, club.PolicyVersion = "", ""
	if got := s.call(t, "GET", fmt.Sprintf("/v1/clubs/%d", club.ID), nil, &club); got != 200 || club.Policy != "acme" || club.PolicyVersion != "2026-12.1" {
		t.Fatalf("GET club = %d %+v, want policy acme in version 2026-12.1", got, club)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exit status %d after cancel", code)
	}

	v2 := policyDir(t, map[string]string{"acme.yaml": customPolicy(t, "acme", "2026-12.2")})
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"other version", []string{"--policies", v2}, "policy acme is loaded in version 2026-12.2 but the clubs were created under version 2026-12.1"},
		{"no directory", nil, "policy acme version 2026-12.1 is not loaded"},
	} {
		_, code, errOut := startServe(t, append([]string{"--db", db}, tc.args...)...)
		if code != 1 || !strings.Contains(errOut, fmt.Sprintf("club %d: ", club.ID)) || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: serve exit status %d, stderr:\n%s\nwant status 1 and %q", tc.name, code, errOut, tc.want)
		}
	}
	again, code, errOut := startServe(t, "--db", db, "--policies", v1)
	if again == nil {
		t.Fatalf("restart with the same policies: status %d: %s", code, errOut)
	}
	if code := again.stop(); code != 0 {
		t.Fatalf("serve exit status %d after cancel", code)
	}
}

// TestServePoliciesFromEnvironment: FANCLUB_POLICIES is the default of
// --policies.
func TestServePoliciesFromEnvironment(t *testing.T) {
	t.Setenv("FANCLUB_POLICIES", "/srv/policies")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "/srv/policies"},
		{[]string{"--policies", "/etc/fanclub"}, "/etc/fanclub"},
	} {
		cfg, err := parseServe(tc.args, io.Discard, io.Discard)
		if err != nil || cfg.policies != tc.want {
			t.Errorf("parseServe(%q) = %q, %v; want %q", tc.args, cfg.policies, err, tc.want)
		}
	}
}

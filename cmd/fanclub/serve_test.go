package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// servedDemo is a running 'fanclub serve --demo' and what it printed.
type servedDemo struct {
	base, admin, alice string
	out                string
	clubs              []string
	stop               func() int
}

// startServeDemo runs 'fanclub serve --demo' on dbPath at a free port and
// waits until it has printed its demo table.
func startServeDemo(t *testing.T, dbPath string) *servedDemo {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, []string{"--db", dbPath, "--addr", "127.0.0.1:0", "--demo"}, &stdout, &stderr)
	}()
	var out string
	for i := 0; ; i++ {
		out = stdout.String()
		if strings.Contains(out, "try: curl") {
			break
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve exited %d before the demo: %s\n%s", code, out, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if i > 1200 {
			cancel()
			t.Fatalf("serve printed no demo: %s\n%s", out, stderr.String())
		}
	}
	d := &servedDemo{stop: func() int { cancel(); return <-done }}
	d.base = regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(out)[1]
	if m := regexp.MustCompile(`admin token: (\S+)`).FindStringSubmatch(out); m != nil {
		d.admin = m[1]
	}
	d.out = out
	d.alice = regexp.MustCompile(`(?m)^fan\s+alice \(id \d+\)\s+(\S+)$`).FindStringSubmatch(out)[1]
	sc := bufio.NewScanner(strings.NewReader(out[strings.Index(out, "CLUB ID"):]))
	for sc.Scan() {
		if m := regexp.MustCompile(`^\s+(\d+)  (\S+)$`).FindStringSubmatch(sc.Text()); m != nil {
			d.clubs = append(d.clubs, m[1]+" "+m[2])
		}
	}
	return d
}

// get sends an authenticated GET and decodes the JSON answer.
func (d *servedDemo) get(t *testing.T, path, token string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", d.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("GET %s: %v: %s", path, err, data)
		}
	}
	return res.StatusCode
}

// demoMemberships are alice's memberships as the API lists them.
type demoMemberships struct {
	Memberships []struct {
		ClubID      int64  `json:"club_id"`
		Status      string `json:"status"`
		LevelPoints int64  `json:"level_points"`
	} `json:"items"`
}

// TestServeDemoIsIdempotentAndServes starts 'fanclub serve --demo' twice on
// one database of each store (--db PATH, --db postgres://…).
func TestServeDemoIsIdempotentAndServes(t *testing.T) {
	t.Parallel()
	for _, tc := range storeDSNs {
		t.Run(tc.store, func(t *testing.T) {
			t.Parallel()
			testServeDemo(t, tc.dsn(t))
		})
	}
}

func testServeDemo(t *testing.T, db string) {
	first := startServeDemo(t, db)
	if got := first.get(t, "/healthz", "", nil); got != 200 {
		t.Fatalf("healthz = %d", got)
	}
	want := []string{"wechat-channels", "douyin", "kuaishou", "fair"}
	if len(first.clubs) != len(want) {
		t.Fatalf("clubs = %v, want one per preset %v", first.clubs, want)
	}
	for i, c := range first.clubs {
		if !strings.HasSuffix(c, " "+want[i]) {
			t.Errorf("club %d = %q, want policy %s", i, c, want[i])
		}
	}
	var before demoMemberships
	if got := first.get(t, "/v1/me/memberships", first.alice, &before); got != 200 || len(before.Memberships) != 4 {
		t.Fatalf("alice memberships = %d %+v", got, before)
	}
	for _, m := range before.Memberships {
		if m.Status != "active" || m.LevelPoints == 0 {
			t.Errorf("alice in club %d: %+v, want active with points", m.ClubID, m)
		}
	}
	tryDemoLine(t, first.out)
	if code := first.stop(); code != 0 {
		t.Fatalf("serve exit status %d after cancel", code)
	}

	second := startServeDemo(t, db)
	defer second.stop()
	if strings.Join(second.clubs, ",") != strings.Join(first.clubs, ",") {
		t.Fatalf("second run clubs %v, first %v", second.clubs, first.clubs)
	}
	if first.admin == "" || second.alice == first.alice {
		t.Fatalf("first start printed no admin token, or fan tokens were not fresh on the second start")
	}
	if second.admin != "" || !strings.Contains(second.out, "'fanclub admin token' prints a new one") {
		t.Fatalf("second start printed an admin token although one is live: %s", second.out)
	}
	if got := second.get(t, "/v1/clubs/1/members", first.admin, nil); got != 200 {
		t.Errorf("the first start's admin token = %d on the second, want 200", got)
	}
	var after demoMemberships
	second.get(t, "/v1/me/memberships", second.alice, &after)
	if len(after.Memberships) != len(before.Memberships) {
		t.Fatalf("memberships after restart %+v, before %+v", after, before)
	}
	for i := range after.Memberships {
		if after.Memberships[i] != before.Memberships[i] {
			t.Errorf("membership changed by a second demo seed: %+v -> %+v", before.Memberships[i], after.Memberships[i])
		}
	}
	if got := second.get(t, "/v1/me", first.alice, nil); got != 200 {
		t.Errorf("a token from the first run = %d, want still valid", got)
	}
}

func TestServeRejectsBadFlags(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	if code := runServe(context.Background(), []string{"--nope"}, io.Discard, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if code := runServe(context.Background(), []string{"extra"}, io.Discard, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	var stdout bytes.Buffer
	if code := runServe(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("-h exit %d, want 0", code)
	}
	if !strings.Contains(stdout.String(), "--demo") {
		t.Fatalf("usage does not mention --demo: %s", stdout.String())
	}
}

func TestServeEnvDefaults(t *testing.T) {
	t.Setenv("FANCLUB_DB", "/tmp/x.db")
	t.Setenv("FANCLUB_ADDR", "127.0.0.1:9999")
	c, err := parseServe(nil, io.Discard, io.Discard)
	if err != nil || c.db != "/tmp/x.db" || c.addr != "127.0.0.1:9999" || c.demo {
		t.Fatalf("parseServe = %+v, %v", c, err)
	}
	c, err = parseServe([]string{"--db", "a.db"}, io.Discard, io.Discard)
	if err != nil || c.db != "a.db" || c.addr != "127.0.0.1:9999" {
		t.Fatalf("flag over env: %+v, %v", c, err)
	}
}

func TestServeAuthSettingsFromEnvAndFlags(t *testing.T) {
	t.Setenv("FANCLUB_SESSION_TTL", "2h")
	t.Setenv("FANCLUB_TOKEN_TTL", "3h")
	t.Setenv("FANCLUB_TOKEN_MAX_TTL", "4h")
	t.Setenv("FANCLUB_PASSWORD_CONCURRENCY", "3")
	t.Setenv("FANCLUB_TRUST_FORWARDED_FOR", "true")
	c, err := parseServe([]string{"--token-ttl", "90m"}, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a := c.auth
	if a.sessionTTL != 2*time.Hour || a.tokenTTL != 90*time.Minute || a.maxTokenTTL != 4*time.Hour || a.passwordConcurrency != 3 || !a.trustForwardedFor {
		t.Fatalf("settings %+v", a)
	}
	if cfg := a.engineConfig(); cfg.FanSessionTTL != 2*time.Hour || cfg.PasswordConcurrency != 3 || cfg.Now == nil {
		t.Fatalf("engine config %+v", cfg)
	}
	for _, tc := range []struct{ key, value string }{
		{"FANCLUB_SESSION_TTL", "a month"},
		{"FANCLUB_PASSWORD_CONCURRENCY", "0"},
		{"FANCLUB_TOKEN_TTL", "5h"}, // over the maximum of 4h
	} {
		t.Run(tc.key, func(t *testing.T) {
			t.Setenv(tc.key, tc.value)
			if _, err := parseServe(nil, io.Discard, io.Discard); err == nil {
				t.Fatalf("%s=%s accepted", tc.key, tc.value)
			}
		})
	}
}

func TestServeAccessLogAndTokenCacheFlags(t *testing.T) {
	t.Setenv("FANCLUB_ACCESS_LOG", "sample:100")
	c, err := parseServe(nil, io.Discard, io.Discard)
	if err != nil || c.accessLog.String() != "sample:100" || c.tokenCache != 2*time.Second {
		t.Fatalf("env: %+v, %v", c, err)
	}
	c, err = parseServe([]string{"--access-log", "off", "--token-cache", "0"}, io.Discard, io.Discard)
	if err != nil || c.accessLog.String() != "off" || c.tokenCache != 0 {
		t.Fatalf("flags: %+v, %v", c, err)
	}
	for _, bad := range [][]string{{"--access-log", "some"}, {"--token-cache", "-1s"}, {"--token-cache", "1h"}} {
		if _, err := parseServe(bad, io.Discard, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// tryDemoLine sends the request of the demo's "try: curl" line as curl
// would (its -H headers, its -d body, POST) and wants it to succeed.
func tryDemoLine(t *testing.T, out string) {
	t.Helper()
	line := regexp.MustCompile(`(?m)^try: (curl .*)$`).FindStringSubmatch(out)
	if line == nil {
		t.Fatalf("no try line in %s", out)
	}
	headers := regexp.MustCompile(`-H '([^:']+): ([^']*)'`).FindAllStringSubmatch(line[1], -1)
	body := regexp.MustCompile(`-d '([^']*)'`).FindStringSubmatch(line[1])
	url := regexp.MustCompile(`(http://\S+)$`).FindStringSubmatch(line[1])
	if body == nil || url == nil {
		t.Fatalf("try line without -d or URL: %s", line[1])
	}
	req, err := http.NewRequest("POST", url[1], strings.NewReader(body[1]))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded") // curl's default for -d
	for _, h := range headers {
		req.Header.Set(h[1], h[2])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("the demo's try line answered %d: %s\n%s", res.StatusCode, data, line[1])
	}
}

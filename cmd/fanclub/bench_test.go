package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fanclub/postgres/pgtest"
)

func TestBenchIngestSmall(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	db := filepath.Join(t.TempDir(), "b.db")
	code := run(context.Background(), []string{"bench", "ingest", "--events", "600", "--fans", "200", "--clubs", "5",
		"--batch", "100", "--naive", "20", "--runs", "1", "--db", db}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errb.String())
	}
	for _, want := range []string{"workload: 600 events, 200 fans, 5 clubs", "engine", "naive", "raw", "median acked/s", "median closed/s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	for _, mode := range []string{"engine", "naive", "raw"} {
		found := false
		for _, l := range lines {
			f := strings.Fields(l)
			if len(f) == 5 && f[0] == mode {
				found = true
				if f[2] == "0" || f[3] == "0" || f[4] == "0" {
					t.Errorf("%s reported no throughput: %q", mode, l)
				}
			}
		}
		if !found {
			t.Errorf("no result row for %s:\n%s", mode, out.String())
		}
	}
}

func TestBenchUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no benchmark", []string{"bench"}, 2},
		{"unknown benchmark", []string{"bench", "egress"}, 2},
		{"bad flag", []string{"bench", "ingest", "--nope"}, 2},
		{"zero events", []string{"bench", "ingest", "--events", "0"}, 2},
		{"bad sync", []string{"bench", "ingest", "--sync", "sometimes"}, 2},
		{"negative warmup", []string{"bench", "ingest", "--warmup", "-1"}, 2},
		{"help", []string{"bench", "-h"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			if code := run(context.Background(), tc.args, &out, &errb); code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, errb.String())
			}
		})
	}
}

func TestBenchExitStormSmall(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"bench", "exitstorm", "--duration", "200ms", "--rounds", "1", "--warmup", "0",
		"--members", "20", "--storm-fans", "2", "--argon2-memory", "64"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errb.String())
	}
	for _, want := range []string{"alone batches/s", "storm batches/s", "ratio", "median"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(l); len(f) == 6 && f[0] == "1" {
			if f[1] == "0.0" || f[2] == "0.0" || f[4] == "0.0" || f[5] != "0" {
				t.Errorf("round without ingest, without wrong confirms, or with other answers: %q", l)
			}
		}
	}
}

// TestBenchIngestPostgres runs every mode of bench ingest on a small
// workload on the test server, each run in a schema of its own.
func TestBenchIngestPostgres(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	code, out, stderr := runFanclub(t, "bench", "ingest", "--db", url, "--events", "2000", "--fans", "300", "--clubs", "10",
		"--batch", "200", "--runs", "1", "--warmup", "0", "--naive", "20")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, out, stderr)
	}
	for _, want := range []string{`PostgreSQL`, `(?m)^\s*engine\s+2000\s`, `(?m)^\s*naive\s+20\s`, `(?m)^\s*raw\s+2000\s`,
		`(?m)^\s*copy\s+2000\s`, `(?m)^\s*floor\s+2000\s`, `engine / raw \(multi-row INSERT\) \d+\.\d\d`, `floor / raw \d+\.\d\d`} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}

// TestBenchNodes runs bench nodes briefly: two serve processes of a
// freshly built binary on the test server, one round of each setup.
func TestBenchNodes(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	bin := filepath.Join(t.TempDir(), "fanclub")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	code, out, stderr := runFanclub(t, "bench", "nodes", "--db", url, "--bin", bin, "--clients", "2", "--batch", "20",
		"--duration", "300ms", "--rounds", "1", "--fans", "200", "--clubs", "5")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, out, stderr)
	}
	for _, want := range []string{`(?m)^\s*1\s+\d+ \(`, `(?m)^\s*2\s+\d+ \(`, `two processes / one \d+\.\d\d`} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}

func TestBenchNodesWantsPostgres(t *testing.T) {
	t.Parallel()
	code, _, stderr := runFanclub(t, "bench", "nodes", "--db", filepath.Join(t.TempDir(), "x.db"))
	if code != 2 || !strings.Contains(stderr, "postgres:// URL") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fanclub/postgres/pgtest"
)

func TestBenchGifts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		db    func(t *testing.T) string
		modes []string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "g.db") },
			[]string{"engine-c1", "engine-c3", "raw-c1", "raw-batch", "keyed-batch"}},
		{"postgres", func(t *testing.T) string { return pgtest.URL(t) }, []string{"engine-c1", "engine-c3", "raw-c1", "raw-c3", "raw-batch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"bench", "gifts", "--gifts", "120", "--fans", "50", "--clubs", "4",
				"--batch", "50", "--concurrency", "1,3", "--runs", "1", "--warmup", "0", "--db", tt.db(t)}, &out, &errb)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, errb.String())
			}
			if !strings.Contains(out.String(), "workload: 120 gifts") || !strings.Contains(out.String(), "engine-c1 / raw") {
				t.Errorf("output lacks the workload or the ratios:\n%s", out.String())
			}
			for _, mode := range tt.modes {
				found := false
				for _, l := range strings.Split(out.String(), "\n") {
					if f := strings.Fields(l); len(f) == 5 && f[0] == mode {
						found = true
						if f[1] == "0" || f[2] == "0" {
							t.Errorf("%s acknowledged no gifts: %q", mode, l)
						}
					}
				}
				if !found {
					t.Errorf("no result row for %s:\n%s", mode, out.String())
				}
			}
		})
	}
}

func TestBenchGiftsUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"zero gifts", []string{"bench", "gifts", "--gifts", "0"}, 2},
		{"bad concurrency", []string{"bench", "gifts", "--concurrency", "1,x"}, 2},
		{"zero concurrency", []string{"bench", "gifts", "--concurrency", "0"}, 2},
		{"help", []string{"bench", "gifts", "-h"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			if code := run(context.Background(), tt.args, &out, &errb); code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, errb.String())
			}
		})
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeJourneyFile writes a journey into a temporary file and returns its path.
func writeJourneyFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journey.json")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSimulateCommand checks exit statuses, the --policy override and the
// errors the command reports.
func TestSimulateCommand(t *testing.T) {
	t.Parallel()
	exitJourney := writeJourneyFile(t, `{"policy": "douyin", "start": "2026-03-02T09:00:00+08:00", "steps": [
		{"at": "+0s", "fan": "alice", "club": "c1", "do": "join"},
		{"at": "+1m", "fan": "alice", "club": "c1", "do": "exit"},
		{"at": "+2m", "fan": "alice", "club": "c1", "do": "join"}]}`)
	malformed := writeJourneyFile(t, `{"start": "2026-03-02T09:00:00+08:00", "steps": [
		{"at": "+0s", "fan": "alice", "club": "c1", "do": "join"},
		{"at": "+0s", "fan": "alice", "club": "c1", "do": "join"},
		{"at": "+0s", "fan": "alice", "club": "c1", "do": "join"},
		{"at": "+1x", "fan": "alice", "club": "c1", "do": "join"}]}`)
	unknownPolicy := writeJourneyFile(t, `{"policy": "nope", "start": "2026-03-02T09:00:00Z", "steps": []}`)
	preset, err := os.ReadFile(filepath.Join("..", "..", "policyfile", "presets", "wechat-channels.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	custom := filepath.Join(t.TempDir(), "strict.yaml")
	if err := os.WriteFile(custom, bytes.Replace(preset, []byte("name: wechat-channels"), []byte("name: strict-copy"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		stdoutHas []string
		stderrHas string
	}{
		{"douyin journey", []string{exitJourney}, 0, []string{`"challenges":["slider","password"]`, `"step":2`}, ""},
		{"policy override by name", []string{exitJourney, "--policy", "wechat-channels"}, 0,
			[]string{`"challenges":["confirm"]`, `"code":"cooldown"`}, ""},
		{"policy override before the file", []string{"--policy=kuaishou", exitJourney}, 0, []string{`"challenges":["captcha"]`}, ""},
		{"policy override by file", []string{exitJourney, "--policy", custom}, 0, []string{`"code":"cooldown"`}, ""},
		{"malformed journey", []string{malformed}, 2, nil, `steps[3].at: "+1x": bad duration`},
		{"unknown journey policy", []string{unknownPolicy}, 2, nil, `policy: "nope": unknown policy`},
		{"unknown override", []string{exitJourney, "--policy", "nope"}, 2, nil, `unknown policy "nope"`},
		{"missing file", []string{filepath.Join(t.TempDir(), "none.json")}, 2, nil, "open journey"},
		{"no file", nil, 2, nil, "exactly one journey FILE"},
		{"two files", []string{exitJourney, exitJourney}, 2, nil, "exactly one journey FILE"},
		{"bad flag", []string{"--colour", exitJourney}, 2, nil, "flag provided but not defined"},
		{"help", []string{"-h"}, 0, []string{"usage: fanclub simulate"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runFanclub(t, append([]string{"simulate"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("status %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			for _, s := range tc.stdoutHas {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %s:\n%s", s, stdout)
				}
			}
			if !strings.Contains(stderr, tc.stderrHas) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderrHas, stderr)
			}
			if tc.code != 0 && stdout != "" {
				t.Errorf("output on failure:\n%s", stdout)
			}
		})
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fanclub/policyfile"
)

// writePolicyFile writes a policy file into a temporary directory.
func writePolicyFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPolicyCommandStatusAndOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    []string // substrings of stdout
		wantErrOut string   // substring of stderr
	}{
		{"no subcommand", nil, 2, nil, "usage: fanclub policy"},
		{"help", []string{"-h"}, 0, []string{"validate FILE..."}, ""},
		{"unknown subcommand", []string{"frobnicate"}, 2, nil, `unknown subcommand "frobnicate"`},
		{"list", []string{"list"}, 0, []string{"NAME", "wechat-channels  WeChat Channels", "Fair exit", "Asia/Shanghai"}, ""},
		{"list extra", []string{"list", "x"}, 2, nil, "unexpected argument"},
		{"show yaml", []string{"show", "douyin"}, 0, []string{"name: douyin", "challenges:\n    - slider\n    - password"}, ""},
		{"show json flag after", []string{"show", "kuaishou", "--format", "json"}, 0, []string{`"name": "kuaishou"`, `"duration": "3 calendar days"`}, ""},
		{"show json flag before", []string{"show", "--format=json", "fair"}, 0, []string{`"name": "fair"`}, ""},
		{"show unknown", []string{"show", "nope"}, 2, nil, "known policies: wechat-channels, douyin, kuaishou, fair"},
		{"show bad format", []string{"show", "fair", "--format", "xml"}, 2, nil, `unknown format "xml"`},
		{"show no name", []string{"show"}, 2, nil, "name one policy"},
		{"show bad flag", []string{"show", "--colour"}, 2, nil, "flag provided but not defined"},
		{"validate none", []string{"validate"}, 2, nil, "at least one policy file"},
		{"schema", []string{"schema"}, 0, []string{`"$schema": "https://json-schema.org/draft/2020-12/schema"`}, ""},
		{"schema extra", []string{"schema", "now"}, 2, nil, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runFanclub(t, append([]string{"policy"}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if !strings.Contains(errOut, tt.wantErrOut) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErrOut, errOut)
			}
		})
	}
}

func TestPolicyValidateReportsEveryFile(t *testing.T) {
	t.Parallel()
	good := filepath.Join("..", "..", "policyfile", "presets", "fair.yaml")
	bad := filepath.Join("..", "..", "policyfile", "testdata", "bad", "three-mistakes.yaml")
	code, out, _ := runFanclub(t, "policy", "validate", good, bad)
	if code != 1 {
		t.Fatalf("status %d, want 1:\n%s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || lines[0] != good+": ok" {
		t.Fatalf("output:\n%s", out)
	}
	for i, want := range []string{":32:25: engagement.levels[3]", ":55:3: exit.showImpact", ":146:17: revenue.creatorShare"} {
		if !strings.HasPrefix(lines[i+1], bad+want) {
			t.Errorf("line %d = %q, want prefix %q", i+1, lines[i+1], bad+want)
		}
	}
	if code, out, _ := runFanclub(t, "policy", "validate", good); code != 0 || out != good+": ok\n" {
		t.Fatalf("valid file: status %d, output %q", code, out)
	}
}

// TestPolicyShowRoundTrips checks that what 'policy show' prints, in YAML
// and JSON, validates and shows again unchanged.
func TestPolicyShowRoundTrips(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"yaml", "json"} {
		for _, name := range []string{"wechat-channels", "douyin", "kuaishou", "fair"} {
			code, out, errOut := runFanclub(t, "policy", "show", name, "--format", format)
			if code != 0 {
				t.Fatalf("show %s: %d %s", name, code, errOut)
			}
			file := writePolicyFile(t, name+"."+format, out)
			code, again, errOut := runFanclub(t, "policy", "show", file, "--format", format)
			if code != 0 || again != out {
				t.Fatalf("show %s (%s) again: status %d, stderr %s, same output %v", file, format, code, errOut, again == out)
			}
		}
	}
}

func TestPolicyShowInvalidFile(t *testing.T) {
	t.Parallel()
	file := writePolicyFile(t, "broken.yaml", "apiVersion: fanclub/v1\nkind: Policy\nflavour: sweet\n")
	code, _, errOut := runFanclub(t, "policy", "show", file)
	if code != 1 || !strings.Contains(errOut, file+":3:1: flavour: unknown field") {
		t.Fatalf("status %d, stderr:\n%s", code, errOut)
	}
}

func TestPolicySchemaIsTheCommittedSchema(t *testing.T) {
	t.Parallel()
	code, out, _ := runFanclub(t, "policy", "schema")
	if code != 0 || out != string(policyfile.Schema()) || !json.Valid([]byte(out)) {
		t.Fatalf("status %d; schema output differs from policyfile.Schema() or is not JSON", code)
	}
}

// TestPolicyFileErrorsNameTheLine checks that every command taking a
// policy file names a broken file's problems by file:line:col, as
// 'policy validate' does, and exits 2.
func TestPolicyFileErrorsNameTheLine(t *testing.T) {
	t.Parallel()
	file := writePolicyFile(t, "broken.yaml", "apiVersion: fanclub/v1\nkind: Policy\nflavour: sweet\n")
	journey := writePolicyFile(t, "j.json", `{"start":"2026-03-02T09:00:00Z","steps":[{"at":"+0s","fan":"alice","club":"c1","do":"join"}]}`)
	tests := []struct {
		name string
		args []string
	}{
		{"audit", []string{"audit", file}},
		{"compare", []string{"compare", file}},
		{"simulate", []string{"simulate", "--policy", file, journey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, errOut := runFanclub(t, tt.args...)
			if code != 2 || !strings.Contains(errOut, file+":3:1: flavour: unknown field") {
				t.Fatalf("status %d, stderr:\n%s", code, errOut)
			}
		})
	}
}

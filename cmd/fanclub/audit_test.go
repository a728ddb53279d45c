package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fanclub/audit"
)

// writeFairVariant writes the fair preset with one line replaced to a
// temporary policy file and returns its path.
func writeFairVariant(t *testing.T, old, new string) string {
	t.Helper()
	data, err := os.ReadFile("../../policyfile/presets/fair.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("fair.yaml has no %q", old)
	}
	path := filepath.Join(t.TempDir(), "variant.yaml")
	if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAuditCommandStatus checks exit statuses and the key lines of output.
func TestAuditCommandStatus(t *testing.T) {
	t.Parallel()
	tipping := writeFairVariant(t, "noTipping: true", "noTipping: false")
	receipt := writeFairVariant(t, "receipt: true", "receipt: false")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"fair clean", []string{"fair"}, 0, "No findings: Fair exit passes every rule.", ""},
		{"fair clean zh", []string{"fair", "--lang", "zh"}, 0, "无问题:公平退出 通过全部规则。", ""},
		{"douyin high", []string{"douyin"}, 1, "| high | PAID-RENEW-OUTLIVES | 3 |", ""},
		{"flags first", []string{"--lang", "zh", "--format", "md", "kuaishou"}, 1, "| 高 | MINORS-INHERITED | 7 |", ""},
		{"wechat", []string{"wechat-channels"}, 1, "REVENUE-TASK-PENALTY", ""},
		{"several", []string{"fair", "douyin"}, 1, "## Douyin (`douyin`)", ""},
		{"file with a high finding", []string{tipping}, 1, "MINORS-TIPPING", ""},
		{"low finding passes by default", []string{receipt}, 0, "EXIT-RECEIPT", ""},
		{"low finding fails on low", []string{receipt, "--fail-on", "low"}, 1, "EXIT-RECEIPT", ""},
		{"rules", []string{"--rules"}, 0, "| `EXIT-CHALLENGE` | 1 | high |", ""},
		{"no names", nil, 2, "", "name at least one policy"},
		{"unknown policy", []string{"nope"}, 2, "", "unknown policy"},
		{"missing file", []string{"./missing.yaml"}, 2, "", "missing.yaml"},
		{"bad format", []string{"fair", "--format", "xml"}, 2, "", "unknown --format"},
		{"bad lang", []string{"fair", "--lang", "fr"}, 2, "", "unknown --lang"},
		{"bad fail-on", []string{"fair", "--fail-on", "urgent"}, 2, "", "unknown --fail-on"},
		{"unknown flag", []string{"fair", "--colour"}, 2, "", "flag provided but not defined"},
		{"help", []string{"-h"}, 0, "usage: fanclub audit", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runFanclub(t, append([]string{"audit"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out, tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, out)
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, errOut)
			}
		})
	}
}

// TestAuditCommandJSON checks the JSON output parses and names the policies.
func TestAuditCommandJSON(t *testing.T) {
	t.Parallel()
	code, out, errOut := runFanclub(t, "audit", "fair", "kuaishou", "--format", "json")
	if code != 1 {
		t.Fatalf("status %d: %s", code, errOut)
	}
	var doc struct {
		Reports []struct {
			Policy   string            `json:"policy"`
			Findings []json.RawMessage `json:"findings"`
		} `json:"reports"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("decode: %v\n%s", err, out)
	}
	if len(doc.Reports) != 2 || doc.Reports[0].Policy != "fair" || len(doc.Reports[0].Findings) != 0 || len(doc.Reports[1].Findings) == 0 {
		t.Errorf("reports: %+v", doc.Reports)
	}
}

// TestAuditRulesJSON: --rules --format json is the catalogue as JSON, one
// entry per rule, texts in the asked language.
func TestAuditRulesJSON(t *testing.T) {
	t.Parallel()
	code, out, errOut := runFanclub(t, "audit", "--rules", "--format", "json", "--lang", "zh")
	if code != 0 {
		t.Fatalf("status %d: %s", code, errOut)
	}
	var rules []audit.CatalogueEntry
	if err := json.Unmarshal([]byte(out), &rules); err != nil {
		t.Fatalf("decode: %v\n%s", err, out)
	}
	if len(rules) != len(audit.Catalogue()) {
		t.Fatalf("%d rules, want %d", len(rules), len(audit.Catalogue()))
	}
	for i, r := range rules {
		want := audit.Catalogue()[i]
		if r.ID != want.ID || r.Severity != want.Severity || r.Title != want.Title.In("zh") || len(r.Basis) == 0 || r.Fix == "" {
			t.Errorf("rule %d: %+v, want %s in zh", i, r, want.ID)
		}
	}
}

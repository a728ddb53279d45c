package audit_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"fanclub"
	"fanclub/policyfile"
)

// update rewrites golden files and the generated part of docs/audit.md.
var update = flag.Bool("update", false, "rewrite golden files and docs/audit.md")

// presetPolicy loads a shipped preset by name through the policy registry.
func presetPolicy(t *testing.T, name string) *fanclub.Policy {
	t.Helper()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatalf("NewRegistry: %v", err)
	}
	p, err := reg.Policy(name)
	if err != nil {
		t.Fatalf("preset %s: %v", name, err)
	}
	return p
}

// checkGolden compares got with testdata/name, rewriting it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from golden; run go test ./audit -update and review the diff\n--- got ---\n%s", name, got)
	}
}

// readPreset reads a shipped preset's YAML text.
func readPreset(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("..", "policyfile", "presets", name+".yaml"))
}

package policyfile

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fanclub"
)

// renamedFair is the fair preset's file under another name.
func renamedFair(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("presets", "fair.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.Replace(string(data), "\n  name: fair\n", "\n  name: "+name+"\n", 1))
}

// TestLoadDirAllOrNothing: a directory loads whole, or not at all.
func TestLoadDirAllOrNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		files  map[string][]byte
		want   []string // names loaded; nil when the load fails
		failed int
	}{
		{"two good files, one ignored", map[string][]byte{"a.yaml": renamedFair(t, "acme"), "b.YML": renamedFair(t, "beta"), "README": []byte("x")}, []string{"acme", "beta"}, 0},
		{"one bad file", map[string][]byte{"a.yaml": renamedFair(t, "acme"), "b.json": []byte("{")}, nil, 1},
		{"preset name", map[string][]byte{"a.yaml": renamedFair(t, "acme"), "b.yaml": renamedFair(t, "douyin")}, nil, 1},
		{"empty directory", map[string][]byte{}, []string{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for n, data := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := mustRegistry(t)
			got, err := r.LoadDir(dir)
			if tc.want == nil {
				var de *DirError
				if !errors.As(err, &de) || de.Failed != tc.failed {
					t.Fatalf("LoadDir = %v, %v; want a DirError with %d failed files", got, err, tc.failed)
				}
				if names := r.Names(); len(names) != 4 {
					t.Fatalf("registry after a failed load: %v, want the presets only", names)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("LoadDir = %v, %v; want %v", got, err, tc.want)
			}
			for _, n := range tc.want {
				if _, err := r.Policy(n); err != nil || r.Builtin(n) {
					t.Errorf("%s: %v, builtin %v", n, err, r.Builtin(n))
				}
			}
		})
	}
	if _, err := mustRegistry(t).LoadDir(filepath.Join(t.TempDir(), "none")); fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
		t.Fatalf("missing directory: %v", err)
	}
}

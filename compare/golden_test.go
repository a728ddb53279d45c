package compare

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkGolden compares got with testdata/name, rewriting it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("write %s: %v", path, err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s (run go test -update to create it): %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the rendered output (run go test -update after checking the change)\n--- got ---\n%s", path, got)
	}
}

// TestRenderGolden renders the default four presets in every golden
// combination of language and format.
func TestRenderGolden(t *testing.T) {
	t.Parallel()
	ps := presetPolicies(t, defaultPresets...)
	for _, tc := range []struct{ lang, format string }{
		{"zh", "md"}, {"en", "md"}, {"zh", "json"}, {"en", "json"}, {"zh", "html"},
	} {
		t.Run(tc.lang+"."+tc.format, func(t *testing.T) {
			t.Parallel()
			c := buildComparison(t, ps, tc.lang)
			var buf bytes.Buffer
			if err := Render(&buf, c, tc.format); err != nil {
				t.Fatalf("Render: %v", err)
			}
			checkGolden(t, "default."+tc.lang+"."+tc.format+".golden", buf.Bytes())
		})
	}
}

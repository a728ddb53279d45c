package audit_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"fanclub/audit"
)

// TestDocsCatalogue keeps the catalogue in docs/audit.md equal to
// Catalogue(); -update rewrites it.
func TestDocsCatalogue(t *testing.T) {
	t.Parallel()
	const path = "../docs/audit.md"
	const begin, end = "<!-- catalogue:begin -->\n", "<!-- catalogue:end -->"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the catalogue markers", path)
	}
	var gen bytes.Buffer
	gen.WriteString("\n### English\n\n")
	if err := audit.WriteCatalogue(&gen, "en"); err != nil {
		t.Fatal(err)
	}
	gen.WriteString("\n### 中文\n\n")
	if err := audit.WriteCatalogue(&gen, "zh"); err != nil {
		t.Fatal(err)
	}
	gen.WriteString("\n")
	want := doc[:i+len(begin)] + gen.String() + doc[j:]
	if want == doc {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s catalogue is out of date; run go test ./audit -update", path)
}

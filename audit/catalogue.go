package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"fanclub"
)

// catalogueText holds the fixed words of the catalogue table.
var catalogueText = struct {
	header, universal fanclub.Localized
}{
	header:    loc("| Rule | Dim. | Severity | Applies to | Title | Basis | Passes when |", "| 规则 | 维度 | 严重程度 | 适用 | 名称 | 依据 | 通过条件 |"),
	universal: loc("all", "全部"),
}

// WriteCatalogue writes the rule catalogue as a Markdown table in a
// language ("zh" or "en"): ID, dimension, severity, jurisdiction, title,
// basis and what a passing policy looks like.
func WriteCatalogue(w io.Writer, lang string) error {
	if lang != "en" && !isZH(lang) {
		return fanclub.Errorf(fanclub.EINVALID, "unknown language %q; allowed: zh, en", lang)
	}
	var b strings.Builder
	b.WriteString(catalogueText.header.In(lang) + "\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range Catalogue() {
		applies := catalogueText.universal.In(lang)
		if r.Jurisdiction != "" {
			applies = string(r.Jurisdiction)
		}
		fmt.Fprintf(&b, "| `%s` | %d | %s | %s | %s | %s | %s |\n", r.ID, r.Dimension, r.Severity.Label(lang), applies,
			cell(r.Title.In(lang)), cell(strings.Join(basisTexts(r.Basis, lang), "; ")), cell(r.Passes.In(lang)))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("audit: write catalogue: %w", err)
	}
	return nil
}

// CatalogueEntry is one rule of the catalogue as JSON: its stable ID,
// dimension, severity, the jurisdiction it applies to ("" for every
// policy), and its texts in one language.
type CatalogueEntry struct {
	ID           string   `json:"id"`
	Dimension    int      `json:"dimension"`
	Severity     Severity `json:"severity"`
	Jurisdiction string   `json:"jurisdiction"`
	Title        string   `json:"title"`
	Basis        []string `json:"basis"`
	Passes       string   `json:"passes"`
	Fix          string   `json:"fix"`
}

// WriteCatalogueJSON writes the rule catalogue as a JSON array of
// CatalogueEntry, texts in a language ("zh" or "en").
func WriteCatalogueJSON(w io.Writer, lang string) error {
	if lang != "en" && !isZH(lang) {
		return fanclub.Errorf(fanclub.EINVALID, "unknown language %q; allowed: zh, en", lang)
	}
	rules := Catalogue()
	out := make([]CatalogueEntry, 0, len(rules))
	for _, r := range rules {
		out = append(out, CatalogueEntry{ID: r.ID, Dimension: r.Dimension, Severity: r.Severity, Jurisdiction: string(r.Jurisdiction),
			Title: r.Title.In(lang), Basis: basisTexts(r.Basis, lang), Passes: r.Passes.In(lang), Fix: r.Fix.In(lang)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("audit: write catalogue: %w", err)
	}
	return nil
}

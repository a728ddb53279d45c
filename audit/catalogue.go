package audit

import (
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

package compare

import (
	"maps"
	"regexp"
	"slices"
	"testing"
)

// TestCatalogueKeys checks that every language defines the same keys, and
// that each template uses only placeholders the code fills for that key.
func TestCatalogueKeys(t *testing.T) {
	t.Parallel()
	cats := map[string]*catalogue{}
	for _, lang := range Languages {
		c, err := loadCatalogue(lang)
		if err != nil {
			t.Fatalf("load %s: %v", lang, err)
		}
		cats[lang] = c
	}
	zh := slices.Sorted(maps.Keys(cats["zh"].labels))
	for _, lang := range Languages {
		got := slices.Sorted(maps.Keys(cats[lang].labels))
		for _, k := range zh {
			if _, ok := cats[lang].labels[k]; !ok {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
		for _, k := range got {
			if _, ok := cats["zh"].labels[k]; !ok {
				t.Errorf("zh lacks %q (defined in %s)", k, lang)
			}
		}
	}
	placeholder := regexp.MustCompile(`\{[a-z]+\}`)
	for _, k := range zh {
		for _, lang := range Languages {
			for _, ph := range placeholder.FindAllString(cats[lang].labels[k], -1) {
				zhHas := slices.Contains(placeholder.FindAllString(cats["zh"].labels[k], -1), ph)
				enHas := slices.Contains(placeholder.FindAllString(cats["en"].labels[k], -1), ph)
				if !zhHas && !enHas {
					t.Errorf("%s %q: placeholder %s unknown", lang, k, ph)
				}
			}
		}
	}
}

// TestRenderedCellsFilled checks that no rendered cell, in any language,
// is empty or still holds a placeholder or a raw label key.
func TestRenderedCellsFilled(t *testing.T) {
	t.Parallel()
	ps := presetPolicies(t, defaultPresets...)
	placeholder := regexp.MustCompile(`\{[a-z]+\}|^[a-z_]+\.[a-z_.]+$`)
	for _, lang := range Languages {
		c := buildComparison(t, ps, lang)
		for _, tab := range c.Dimensions {
			for _, r := range tab.Rows {
				if len(r.Cells) != len(tab.Columns) {
					t.Errorf("%s dimension %d %s: %d cells for %d columns", lang, tab.Number, r.Policy, len(r.Cells), len(tab.Columns))
				}
				for _, s := range r.Cells {
					if s == "" || placeholder.MatchString(s) {
						t.Errorf("%s dimension %d %s: unfilled cell %q", lang, tab.Number, r.Policy, s)
					}
				}
			}
		}
	}
}

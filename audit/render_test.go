package audit_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"fanclub"
	"fanclub/audit"
)

// TestRenderGolden pins the Markdown and JSON audit of douyin in both
// languages; regenerate with go test ./audit -update.
func TestRenderGolden(t *testing.T) {
	t.Parallel()
	reports := []audit.Report{audit.Audit(presetPolicy(t, "douyin"))}
	for _, format := range []string{"md", "json"} {
		for _, lang := range []string{"en", "zh"} {
			var buf bytes.Buffer
			if err := audit.Render(&buf, reports, format, lang); err != nil {
				t.Fatalf("%s/%s: %v", format, lang, err)
			}
			checkGolden(t, "douyin."+lang+"."+format+".golden", buf.Bytes())
		}
	}
}

// TestRenderJSONShape checks the JSON output decodes with its stable field
// names and agrees with Run.
func TestRenderJSONShape(t *testing.T) {
	t.Parallel()
	r := audit.Audit(presetPolicy(t, "kuaishou"))
	var buf bytes.Buffer
	if err := audit.Render(&buf, []audit.Report{r, audit.Audit(presetPolicy(t, "fair"))}, "json", "en"); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Lang    string `json:"lang"`
		Reports []struct {
			Policy   string `json:"policy"`
			Counts   struct{ High, Medium, Low int }
			Findings []struct {
				RuleID   string `json:"ruleId"`
				Severity string `json:"severity"`
				Field    string `json:"field"`
				Basis    []struct {
					Law  string `json:"law"`
					Text string `json:"text"`
				} `json:"basis"`
			} `json:"findings"`
		} `json:"reports"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Lang != "en" || len(doc.Reports) != 2 || doc.Reports[0].Policy != "kuaishou" {
		t.Fatalf("doc: %+v", doc)
	}
	got := doc.Reports[0]
	if len(got.Findings) != len(r.Findings) || got.Counts.High != r.Count(audit.High) {
		t.Errorf("findings %d (high %d), want %d (high %d)", len(got.Findings), got.Counts.High, len(r.Findings), r.Count(audit.High))
	}
	for i, f := range got.Findings {
		if f.RuleID != r.Findings[i].RuleID || f.Field != r.Findings[i].Field || len(f.Basis) == 0 || f.Basis[0].Text == "" {
			t.Errorf("finding %d: %+v", i, f)
		}
	}
	if fair := doc.Reports[1]; fair.Findings == nil || len(fair.Findings) != 0 {
		t.Errorf("fair findings: %+v (want an empty list)", fair.Findings)
	}
}

// TestRenderNoFindings checks a clean policy gets a clear line in both
// languages.
func TestRenderNoFindings(t *testing.T) {
	t.Parallel()
	reports := []audit.Report{audit.Audit(presetPolicy(t, "fair"))}
	for lang, want := range map[string]string{"en": "No findings: Fair exit passes every rule.", "zh": "无问题:公平退出 通过全部规则。"} {
		var buf bytes.Buffer
		if err := audit.Render(&buf, reports, "md", lang); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%s: missing %q in\n%s", lang, want, buf.String())
		}
	}
}

// TestRenderRejects checks unknown formats and languages are invalid input.
func TestRenderRejects(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ format, lang string }{{"html", "en"}, {"md", "fr"}, {"", ""}} {
		err := audit.Render(&bytes.Buffer{}, nil, tt.format, tt.lang)
		if fanclub.ErrorCode(err) != fanclub.EINVALID {
			t.Errorf("%q/%q: got %v, want invalid", tt.format, tt.lang, err)
		}
	}
}

// TestRenderEscapesCells checks a pipe in policy text cannot break the table.
func TestRenderEscapesCells(t *testing.T) {
	t.Parallel()
	r := audit.Report{Policy: "x", Findings: []audit.Finding{{RuleID: "EXIT-ENTRY", Dimension: 1, Severity: audit.Medium,
		Field: "exit.entry", Found: "a|b", Message: fanclub.Localized{EN: "m"}, Fix: fanclub.Localized{EN: "f"}}}}
	var buf bytes.Buffer
	if err := audit.Render(&buf, []audit.Report{r}, "md", "en"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `a\|b`) {
		t.Errorf("pipe not escaped:\n%s", buf.String())
	}
}

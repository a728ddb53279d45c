package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"fanclub"
)

// Formats accepted by Render.
const (
	FormatMarkdown = "md"
	FormatJSON     = "json"
)

// Render writes reports in a format ("md" or "json") and a language ("zh"
// or "en"). It returns a *fanclub.Error with code invalid for an unknown
// format or language.
func Render(w io.Writer, reports []Report, format, lang string) error {
	if lang != "en" && !isZH(lang) {
		return fanclub.Errorf(fanclub.EINVALID, "unknown language %q; allowed: zh, en", lang)
	}
	switch format {
	case FormatMarkdown:
		return renderMarkdown(w, reports, lang)
	case FormatJSON:
		return renderJSON(w, reports, lang)
	}
	return fanclub.Errorf(fanclub.EINVALID, "unknown format %q; allowed: md, json", format)
}

// jsonDoc is the JSON output; its field names are stable.
type jsonDoc struct {
	Lang    string       `json:"lang"`
	Reports []jsonReport `json:"reports"`
}

type jsonReport struct {
	Policy      string        `json:"policy"`
	DisplayName string        `json:"displayName"`
	Counts      jsonCounts    `json:"counts"`
	Findings    []jsonFinding `json:"findings"`
}

type jsonCounts struct {
	High   int `json:"high"`
	Medium int `json:"medium"`
	Low    int `json:"low"`
}

type jsonFinding struct {
	RuleID    string      `json:"ruleId"`
	Dimension int         `json:"dimension"`
	Severity  Severity    `json:"severity"`
	Field     string      `json:"field"`
	Found     string      `json:"found"`
	Title     string      `json:"title"`
	Message   string      `json:"message"`
	Fix       string      `json:"fix"`
	Basis     []jsonBasis `json:"basis"`
}

type jsonBasis struct {
	Basis
	Text string `json:"text"`
}

func renderJSON(w io.Writer, reports []Report, lang string) error {
	doc := jsonDoc{Lang: lang, Reports: []jsonReport{}}
	for _, r := range reports {
		jr := jsonReport{
			Policy: r.Policy, DisplayName: r.DisplayName.In(lang),
			Counts:   jsonCounts{High: r.Count(High), Medium: r.Count(Medium), Low: r.Count(Low)},
			Findings: []jsonFinding{},
		}
		for _, f := range r.Findings {
			jf := jsonFinding{
				RuleID: f.RuleID, Dimension: f.Dimension, Severity: f.Severity, Field: f.Field, Found: f.Found,
				Title: f.Title.In(lang), Message: f.Message.In(lang), Fix: f.Fix.In(lang), Basis: []jsonBasis{},
			}
			for _, b := range f.Basis {
				jf.Basis = append(jf.Basis, jsonBasis{Basis: b, Text: b.Text(lang)})
			}
			jr.Findings = append(jr.Findings, jf)
		}
		doc.Reports = append(doc.Reports, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("audit: write json: %w", err)
	}
	return nil
}

// mdText holds the fixed words of the Markdown output.
var mdText = struct {
	title, none, summary, header fanclub.Localized
}{
	title:   loc("Exit policy audit", "退出策略审计"),
	none:    fanclub.Localized{EN: "No findings: %s passes every rule.", ZH: "无问题:%s 通过全部规则。"},
	summary: fanclub.Localized{EN: "%d findings: %d high, %d medium, %d low.", ZH: "共 %d 项问题:高 %d 项,中 %d 项,低 %d 项。"},
	header:  loc("| Severity | Rule | Dim. | Field | Found | Message | Fix | Basis |", "| 严重程度 | 规则 | 维度 | 字段 | 现状 | 问题 | 修改建议 | 依据 |"),
}

func renderMarkdown(w io.Writer, reports []Report, lang string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", mdText.title.In(lang))
	for _, r := range reports {
		name := r.DisplayName.In(lang)
		if name == "" {
			name = r.Policy
		}
		fmt.Fprintf(&b, "\n## %s (`%s`)\n\n", name, r.Policy)
		if len(r.Findings) == 0 {
			fmt.Fprintf(&b, mdText.none.In(lang)+"\n", name)
			continue
		}
		fmt.Fprintf(&b, mdText.summary.In(lang)+"\n\n", len(r.Findings), r.Count(High), r.Count(Medium), r.Count(Low))
		b.WriteString(mdText.header.In(lang) + "\n")
		b.WriteString("|---|---|---|---|---|---|---|---|\n")
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "| %s | %s | %d | `%s` | %s | %s | %s | %s |\n",
				f.Severity.Label(lang), f.RuleID, f.Dimension, f.Field, cell(f.Found), cell(f.Message.In(lang)),
				cell(f.Fix.In(lang)), cell(strings.Join(basisTexts(f.Basis, lang), "; ")))
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("audit: write markdown: %w", err)
	}
	return nil
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

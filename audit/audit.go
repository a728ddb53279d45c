// Package audit checks exit policies against the rules that protect people
// who leave a fan club. Each rule of the catalogue names the law it rests
// on, the policy field it reads and what a passing policy looks like; Run
// applies the catalogue to one policy and returns its findings in a stable
// order, and Render prints reports as Markdown or JSON in English or Chinese.
package audit

import (
	"sort"

	"fanclub"
)

// Severity ranks a finding.
type Severity string

// Severities, from most to least serious.
const (
	High   Severity = "high"
	Medium Severity = "medium"
	Low    Severity = "low"
)

// Severities lists every severity, most serious first.
var Severities = []Severity{High, Medium, Low}

// rank orders severities: high first.
func (s Severity) rank() int {
	switch s {
	case High:
		return 0
	case Medium:
		return 1
	case Low:
		return 2
	}
	return 3
}

// Label returns the severity's name in a language ("zh" or "en").
func (s Severity) Label(lang string) string {
	if !isZH(lang) {
		return string(s)
	}
	switch s {
	case High:
		return "高"
	case Medium:
		return "中"
	case Low:
		return "低"
	}
	return string(s)
}

// Rule is one check of the catalogue.
type Rule struct {
	// ID is stable and readable, e.g. "EXIT-CHALLENGE".
	ID string
	// Dimension is the policy dimension the rule reads (1..8).
	Dimension int
	// Severity ranks every finding of the rule.
	Severity Severity
	// Jurisdiction limits the rule to policies audited under one body of
	// law; empty for a universal check that applies to every policy.
	Jurisdiction fanclub.Jurisdiction
	// Basis names the laws the rule rests on.
	Basis []Basis
	// Title says in a few words what the rule looks for.
	Title fanclub.Localized
	// Passes says what a passing policy looks like.
	Passes fanclub.Localized
	// Fix says what to change in a policy the rule flags.
	Fix fanclub.Localized
	// check returns one hit per offending field; none when the policy passes.
	check func(p *fanclub.Policy) []hit
}

// hit is one offending field found by a rule's check.
type hit struct {
	field   string
	found   string
	message fanclub.Localized
}

// AppliesTo reports whether the rule applies to a policy's jurisdiction.
func (r Rule) AppliesTo(j fanclub.Jurisdiction) bool {
	return r.Jurisdiction == "" || r.Jurisdiction == j
}

// Finding is one problem the audit found in a policy.
type Finding struct {
	// RuleID is the ID of the rule that fired.
	RuleID string
	// Dimension is the rule's dimension (1..8).
	Dimension int
	// Severity is the rule's severity.
	Severity Severity
	// Field is the policy field path the finding concerns, e.g.
	// "paid.autoRenew.stopsOnExit".
	Field string
	// Found is what the policy says there.
	Found string
	// Title is the rule's title.
	Title fanclub.Localized
	// Message says what is wrong.
	Message fanclub.Localized
	// Fix says exactly what to change.
	Fix fanclub.Localized
	// Basis names the laws behind the rule.
	Basis []Basis
}

// Catalogue returns every rule, ordered by dimension and then ID. The
// returned slice is fresh; callers may modify it.
func Catalogue() []Rule {
	var rules []Rule
	rules = append(rules, exitRules()...)
	rules = append(rules, progressRules()...)
	rules = append(rules, paidRules()...)
	rules = append(rules, effectRules()...)
	rules = append(rules, dataRules()...)
	rules = append(rules, revenueRules()...)
	rules = append(rules, minorsRules()...)
	rules = append(rules, exportRules()...)
	sort.SliceStable(rules, func(i, j int) bool {
		if rules[i].Dimension != rules[j].Dimension {
			return rules[i].Dimension < rules[j].Dimension
		}
		return rules[i].ID < rules[j].ID
	})
	return rules
}

// Run audits a policy with every rule that applies to its jurisdiction and
// returns the findings ordered by dimension, rule ID and field. A policy
// that passes gets an empty, non-nil slice.
func Run(p *fanclub.Policy) []Finding {
	out := []Finding{}
	for _, r := range Catalogue() {
		if !r.AppliesTo(p.Metadata.Jurisdiction) {
			continue
		}
		for _, h := range r.check(p) {
			out = append(out, Finding{
				RuleID:    r.ID,
				Dimension: r.Dimension,
				Severity:  r.Severity,
				Field:     h.field,
				Found:     h.found,
				Title:     r.Title,
				Message:   h.message,
				Fix:       r.Fix,
				Basis:     basisFor(r.Basis, p.Metadata.Jurisdiction),
			})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Dimension != b.Dimension {
			return a.Dimension < b.Dimension
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Field < b.Field
	})
	return out
}

// Report is the audit of one policy.
type Report struct {
	// Policy is the policy's name (its slug).
	Policy string
	// DisplayName is the policy's name for people.
	DisplayName fanclub.Localized
	// Findings are the policy's findings in Run's order.
	Findings []Finding
}

// Audit runs the catalogue on a policy and wraps the result in a Report.
func Audit(p *fanclub.Policy) Report {
	return Report{Policy: p.Metadata.Name, DisplayName: p.Metadata.DisplayName, Findings: Run(p)}
}

// Count returns how many findings of a severity the report holds.
func (r Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// AnyHigh reports whether any report holds a high-severity finding.
func AnyHigh(reports []Report) bool {
	for _, r := range reports {
		if r.Count(High) > 0 {
			return true
		}
	}
	return false
}

// isZH reports whether a language tag asks for Chinese.
func isZH(lang string) bool { return lang == "zh" || lang == "zh-CN" }

// basisFor returns a copy of bases with those of a jurisdiction first, the
// others after them in their catalogue order.
func basisFor(bases []Basis, j fanclub.Jurisdiction) []Basis {
	out := make([]Basis, 0, len(bases))
	for _, b := range bases {
		if b.Jurisdiction() == j {
			out = append(out, b)
		}
	}
	for _, b := range bases {
		if b.Jurisdiction() != j {
			out = append(out, b)
		}
	}
	return out
}

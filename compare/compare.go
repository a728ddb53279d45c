// Package compare renders exit policies side by side along the eight
// dimensions of fan-club exit: path and confirmation, level and
// contribution, paid membership, account effects, personal data, creator
// revenue, minors and portability. Every cell is derived from a policy's
// structured values through a zh-CN/en label catalogue, so two policies
// with different rules always read differently, and the three platform
// presets read exactly as the source article's tables.
package compare

import (
	"fmt"
	"slices"
	"strings"

	"fanclub"
)

// Comparison is the result of Build: one table per dimension, one row per
// policy, in the order the policies were given.
type Comparison struct {
	// Lang is the language of every text: "zh" or "en".
	Lang string `json:"lang"`
	// Title is the comparison's heading.
	Title string `json:"title"`
	// Note explains the estimated exit time.
	Note string `json:"note"`
	// Policies names the compared policies, in row order.
	Policies []PolicyRef `json:"policies"`
	// Dimensions are the eight tables, in the source's order.
	Dimensions []Table `json:"dimensions"`
	// Model describes the exit-time estimate of dimension 1.
	Model ExitTimeModel `json:"exitTimeModel"`
}

// PolicyRef identifies a compared policy.
type PolicyRef struct {
	Name        string `json:"name"`
	Version     string `json:"version,omitempty"`
	DisplayName string `json:"displayName"`
}

// Table is one dimension: a section title, the column headers (the first
// is the platform) and one row per policy.
type Table struct {
	// Number is the dimension's number, 1 to 8.
	Number int `json:"number"`
	// Key is a stable identifier: exit, progress, paid, effects, data,
	// revenue, minors, portability.
	Key string `json:"key"`
	// Title is the section heading.
	Title string `json:"title"`
	// Columns are the column headers.
	Columns []string `json:"columns"`
	// Rows hold one row per policy.
	Rows []Row `json:"rows"`
}

// Row is one policy's cells in a table, plus the structured values the
// cells were rendered from.
type Row struct {
	// Policy is the policy's name.
	Policy string `json:"policy"`
	// Cells are the rendered texts, one per column.
	Cells []string `json:"cells"`
	// Values are the policy's values behind the cells, keyed by field.
	Values map[string]any `json:"values"`
}

// dimension renders one table's rows.
type dimension struct {
	key     string
	columns []string
	row     func(c *catalogue, p *fanclub.Policy) ([]string, map[string]any)
}

// dimensions lists the eight dimensions in the source's order.
func dimensions() []dimension {
	return []dimension{
		{"exit", []string{"col.exit_path", "col.confirmation", "col.claimed_time", "col.estimated_time"}, exitRow},
		{"progress", []string{"col.level", "col.contribution", "col.rejoin"}, progressRow},
		{"paid", []string{"col.auto_renew", "col.refund", "col.benefits_end"}, paidRow},
		{"effects", []string{"col.effects"}, effectsRow},
		{"data", []string{"col.behaviour_logs", "col.device_info", "col.social"}, dataRow},
		{"revenue", []string{"col.gift_share", "col.tip_return", "col.task_reward"}, revenueRow},
		{"minors", []string{"col.real_name", "col.consumption_audit", "col.guardian"}, minorsRow},
		{"portability", []string{"col.export"}, portabilityRow},
	}
}

// Build compares policies in a language ("zh" or "en"). It returns an
// invalid error for another language, no policies or a nil policy.
func Build(policies []*fanclub.Policy, lang string) (*Comparison, error) {
	if !slices.Contains(Languages, lang) {
		return nil, &fanclub.Error{Code: fanclub.EINVALID,
			Message: fmt.Sprintf("unknown language %q", lang),
			Fields: []fanclub.FieldError{{Path: "lang", Found: lang,
				Allowed: strings.Join(Languages, ", "), Message: "unknown language"}}}
	}
	if len(policies) == 0 {
		return nil, fanclub.Errorf(fanclub.EINVALID, "no policies to compare")
	}
	for i, p := range policies {
		if p == nil {
			return nil, fanclub.Errorf(fanclub.EINVALID, "policy %d is nil", i)
		}
	}
	cat, err := loadCatalogue(lang)
	if err != nil {
		return nil, &fanclub.Error{Code: fanclub.EINTERNAL, Message: err.Error()}
	}
	cmp := &Comparison{Lang: lang, Title: cat.t("title"), Note: cat.t("klm.note"), Model: DefaultModel()}
	for _, p := range policies {
		cmp.Policies = append(cmp.Policies, PolicyRef{Name: p.Metadata.Name,
			Version: p.Metadata.Version, DisplayName: p.Metadata.DisplayName.In(lang)})
	}
	for i, d := range dimensions() {
		t := Table{Number: i + 1, Key: d.key, Title: cat.t(fmt.Sprintf("dim%d.title", i+1))}
		t.Columns = append(t.Columns, cat.t("col.platform"))
		for _, col := range d.columns {
			t.Columns = append(t.Columns, cat.t(col))
		}
		for _, p := range policies {
			cat.policy = p.Metadata.Name
			cells, values := d.row(cat, p)
			row := Row{Policy: p.Metadata.Name, Values: values,
				Cells: []string{p.Metadata.DisplayName.In(lang)}}
			for _, s := range cells {
				row.Cells = append(row.Cells, cat.cell(s))
			}
			t.Rows = append(t.Rows, row)
		}
		cmp.Dimensions = append(cmp.Dimensions, t)
	}
	if len(cat.invalid) > 0 {
		return nil, fanclub.InvalidFields("policy values without a label", cat.invalid)
	}
	if len(cat.missing) > 0 {
		return nil, fanclub.Errorf(fanclub.EINTERNAL, "label catalogue %s lacks %s", lang, strings.Join(cat.missing, ", "))
	}
	return cmp, nil
}

// choices renders per-option texts: a single option as its text, several
// as "choice: a (default) / b", with the default first.
func choices[O any](c *catalogue, opts []O, isDefault func(O) bool, text func(O) string) string {
	switch len(opts) {
	case 0:
		return c.t("dash")
	case 1:
		return text(opts[0])
	}
	var first, rest []string
	for _, o := range opts {
		if isDefault(o) {
			first = append(first, c.t("choice.default", "text", text(o)))
		} else {
			rest = append(rest, text(o))
		}
	}
	return c.t("choice", "options", c.join("choice.sep", append(first, rest...)))
}

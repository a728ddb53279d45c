package compare

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"

	"fanclub"
)

// defaultPresets are the presets the CLI compares by default, in its order.
var defaultPresets = []string{"wechat-channels", "douyin", "kuaishou", "fair"}

// presetPolicy decodes a shipped preset file into a policy.
func presetPolicy(t *testing.T, name string) *fanclub.Policy {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "policyfile", "presets", name+".yaml"))
	if err != nil {
		t.Fatalf("read preset %s: %v", name, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p fanclub.Policy
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("decode preset %s: %v", name, err)
	}
	return &p
}

// presetPolicies decodes the named presets, in order.
func presetPolicies(t *testing.T, names ...string) []*fanclub.Policy {
	t.Helper()
	ps := make([]*fanclub.Policy, len(names))
	for i, n := range names {
		ps[i] = presetPolicy(t, n)
	}
	return ps
}

// buildComparison builds a comparison and fails the test on error.
func buildComparison(t *testing.T, ps []*fanclub.Policy, lang string) *Comparison {
	t.Helper()
	c, err := Build(ps, lang)
	if err != nil {
		t.Fatalf("Build(%s): %v", lang, err)
	}
	return c
}

// cellAt returns the cell of a policy's row in a dimension's column.
func cellAt(t *testing.T, c *Comparison, dim int, policy, column string) string {
	t.Helper()
	tab := c.Dimensions[dim-1]
	col := -1
	for i, h := range tab.Columns {
		if h == column {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("dimension %d has no column %q (columns %q)", dim, column, tab.Columns)
	}
	for _, r := range tab.Rows {
		if r.Policy == policy {
			return r.Cells[col]
		}
	}
	t.Fatalf("dimension %d has no row for %s", dim, policy)
	return ""
}

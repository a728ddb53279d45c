package policyfile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"fanclub"
)

// TestDocsNameEveryField checks that docs/policy.md mentions every field
// of the policy format, so that a new field cannot go undocumented.
func TestDocsNameEveryField(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "docs", "policy.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	var check func(reflect.Type, string)
	check = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || typ == spanType || typ == reflect.TypeFor[fanclub.Localized]() {
			return
		}
		for i := range typ.NumField() {
			name := yamlName(typ.Field(i))
			if name == "" {
				continue
			}
			if !strings.Contains(doc, name) {
				t.Errorf("docs/policy.md does not mention %s", join(path, name))
			}
			check(typ.Field(i).Type, join(path, name))
		}
	}
	check(reflect.TypeFor[fanclub.Policy](), "")
	for _, e := range enums() {
		for _, v := range e.values {
			if !strings.Contains(doc, "`"+v+"`") {
				t.Errorf("docs/policy.md does not list %s value %q", e.typ.Name(), v)
			}
		}
	}
}

// TestParseAcceptsBareZeroSpan checks that an unquoted 0 reads as a zero span.
func TestParseAcceptsBareZeroSpan(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("presets", "fair.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(data), `rejoinCooldown: "0"`, "rejoinCooldown: 0", 1)
	p, err := Parse("fair.yaml", []byte(src))
	if err != nil {
		t.Fatal(FormatErrors("fair.yaml", err))
	}
	if !p.Progress.RejoinCooldown.IsZero() {
		t.Fatalf("rejoinCooldown = %v", p.Progress.RejoinCooldown)
	}
}

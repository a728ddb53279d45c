package policyfile

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/invopop/jsonschema"
	sjs "github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"fanclub"
)

// domainTypeFiles are the domain files declaring the policy types; their
// doc comments become the schema's descriptions.
var domainTypeFiles = []string{"policy.go", "policy_dims.go", "policy_more.go", "span.go"}

// TestSchemaUpToDate regenerates the JSON Schema from the domain types and
// fails when the committed policy.schema.json differs (-update rewrites it).
func TestSchemaUpToDate(t *testing.T) {
	t.Parallel()
	got := generateSchema(t)
	checkGolden(t, "policy.schema.json", string(got))
}

// TestSchemaAcceptsPresets validates every preset against the schema.
func TestSchemaAcceptsPresets(t *testing.T) {
	t.Parallel()
	sch := compiledSchema(t)
	files, err := filepath.Glob(filepath.Join("presets", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no presets: %v", err)
	}
	for _, f := range files {
		if err := sch.Validate(yamlInstance(t, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestSchemaRejectsBadShapes checks that the schema refuses an unknown
// field, an unknown enum value and a malformed span.
func TestSchemaRejectsBadShapes(t *testing.T) {
	t.Parallel()
	sch := compiledSchema(t)
	if err := sch.Validate(yamlInstance(t, filepath.Join("testdata", "bad", "three-mistakes.yaml"))); err == nil {
		t.Error("three-mistakes.yaml: schema accepted an unknown field")
	}
	tests := map[string]string{
		"unknown field": "kind: Policy\nflavour: sweet\n",
		"enum value":    "exit: {entry: basement}\n",
		"span":          "exit: {challengeTTL: 5 minutes}\n",
		"api version":   "apiVersion: fanclub/v9\n",
		"slug":          "metadata: {name: Not A Slug}\n",
		"type":          "exit: {maxAttempts: three}\n",
	}
	for name, doc := range tests {
		if err := sch.Validate(yamlValue(t, []byte(doc))); err == nil {
			t.Errorf("%s: schema accepted %q", name, doc)
		}
	}
	for _, span := range []string{"0", "forever", "72h", "7d", "1d12h", "90s", "3 calendar days", "1 calendar day"} {
		if err := sch.Validate(yamlValue(t, []byte("exit: {challengeTTL: \""+span+"\"}\n"))); err != nil {
			t.Errorf("span %q refused: %v", span, err)
		}
	}
}

// generateSchema reflects the JSON Schema of fanclub.Policy.
func generateSchema(t *testing.T) []byte {
	t.Helper()
	r := &jsonschema.Reflector{
		RequiredFromJSONSchemaTags: true, // a missing field takes its zero value
		Mapper:                     schemaMapper,
		CommentMap:                 domainComments(t),
	}
	s := r.Reflect(&fanclub.Policy{})
	s.ID = SchemaID
	policy := s.Definitions["Policy"]
	if p, ok := policy.Properties.Get("apiVersion"); ok {
		p.Const = fanclub.PolicyAPIVersion
	}
	if p, ok := policy.Properties.Get("kind"); ok {
		p.Const = fanclub.PolicyKind
	}
	if p, ok := s.Definitions["PolicyMetadata"].Properties.Get("name"); ok {
		p.Pattern = "^[a-z0-9-]+$"
	}
	s.Title = "fanclub exit policy"
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// schemaMapper gives spans and the domain enums their schemas.
func schemaMapper(t reflect.Type) *jsonschema.Schema {
	if t == spanType {
		return &jsonschema.Schema{
			Type:        "string",
			Pattern:     SpanPattern,
			Description: "A span: " + fanclub.SpanSyntax + ".",
		}
	}
	if values := enumValues(t); values != nil {
		s := &jsonschema.Schema{Type: "string"}
		for _, v := range values {
			s.Enum = append(s.Enum, v)
		}
		return s
	}
	return nil
}

// domainComments reads the doc comments of the domain's policy types and
// their fields, keyed as the reflector expects ("fanclub.Type.Field").
func domainComments(t *testing.T) map[string]string {
	t.Helper()
	m := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range domainTypeFiles {
		f, err := parser.ParseFile(fset, filepath.Join("..", name), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, spec := range g.Specs {
				ts := spec.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil && len(g.Specs) == 1 {
					doc = g.Doc
				}
				key := "fanclub." + ts.Name.Name
				if text := commentText(doc); text != "" {
					m[key] = text
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, field := range st.Fields.List {
					text := commentText(field.Doc)
					if text == "" {
						text = commentText(field.Comment)
					}
					for _, n := range field.Names {
						if text != "" {
							m[key+"."+n.Name] = text
						}
					}
				}
			}
		}
	}
	return m
}

// commentText flattens a comment group to one line.
func commentText(g *ast.CommentGroup) string {
	if g == nil {
		return ""
	}
	return strings.Join(strings.Fields(g.Text()), " ")
}

// compiledSchema compiles the committed schema.
func compiledSchema(t *testing.T) *sjs.Schema {
	t.Helper()
	doc, err := sjs.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := sjs.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// yamlInstance reads a YAML file as a JSON value for schema validation.
func yamlInstance(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return yamlValue(t, data)
}

// yamlValue converts a YAML document to a JSON value for schema validation.
func yamlValue(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := sjs.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

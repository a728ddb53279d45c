package http

import (
	"bytes"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// openAPISchemas compiles the components of openapi.json once.
var openAPISchemas = sync.OnceValues(func() (*jsonschema.Compiler, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(OpenAPI()))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("https://fanclub.dev/openapi.json", doc); err != nil {
		return nil, err
	}
	return c, nil
})

// compileMu serialises Compile calls: a jsonschema.Compiler is not safe
// for concurrent use (compiled schemas are).
var compileMu sync.Mutex

// compileSchema compiles a schema of openapi.json's components.
func compileSchema(c *jsonschema.Compiler, name string) (*jsonschema.Schema, error) {
	compileMu.Lock()
	defer compileMu.Unlock()
	return c.Compile("https://fanclub.dev/openapi.json#/components/schemas/" + name)
}

// checkSchema validates a JSON body against a schema of openapi.json's
// components, e.g. "Club".
func checkSchema(t *testing.T, name string, body []byte) {
	t.Helper()
	c, err := openAPISchemas()
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	sch, err := compileSchema(c, name)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, body)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("response does not match schema %s: %v\n%s", name, err, body)
	}
}

func TestCheckSchemaRejectsAWrongShape(t *testing.T) {
	t.Parallel()
	c, err := openAPISchemas()
	if err != nil {
		t.Fatal(err)
	}
	sch, err := compileSchema(c, "Club")
	if err != nil {
		t.Fatal(err)
	}
	v, _ := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(`{"id":"one","extra":1}`)))
	if sch.Validate(v) == nil {
		t.Fatal("a club with a string id and an extra member validated")
	}
}

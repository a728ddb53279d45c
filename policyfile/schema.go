package policyfile

import (
	_ "embed"
	"slices"
)

//go:generate go test -run TestSchemaUpToDate -update .

// schemaJSON is the JSON Schema (2020-12) of a policy document, generated
// from the domain types by TestSchemaUpToDate.
//
//go:embed policy.schema.json
var schemaJSON []byte

// SchemaID is the $id of the policy JSON Schema.
const SchemaID = "https://fanclub.example/schemas/policy.schema.json"

// SpanPattern is the regular expression the JSON Schema gives for a span.
const SpanPattern = `^(0|forever|[1-9][0-9]* calendar days?|[0-9]+d([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))*|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$`

// Schema returns the JSON Schema (draft 2020-12) of a policy document. It
// checks the shape of a file, its field names and enum values; rules across
// fields are checked by Parse.
func Schema() []byte { return slices.Clone(schemaJSON) }

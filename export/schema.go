package export

import _ "embed"

// SchemaJSON is the JSON Schema (draft 2020-12) of the JSON format.
//
//go:embed schema.json
var SchemaJSON []byte

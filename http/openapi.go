package http

import (
	_ "embed"
	"encoding/json"
)

// openAPIDoc is the API's OpenAPI 3.1 document, written by hand.
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the API's OpenAPI 3.1 document (JSON).
func OpenAPI() []byte { return append([]byte(nil), openAPIDoc...) }

// openAPIJSON returns the document compacted for serving.
func openAPIJSON() []byte {
	var v any
	if err := json.Unmarshal(openAPIDoc, &v); err != nil {
		return openAPIDoc
	}
	b, err := json.Marshal(v)
	if err != nil {
		return openAPIDoc
	}
	return b
}

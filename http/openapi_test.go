package http

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// openAPIDocument is the part of the OpenAPI document the tests read.
type openAPIDocument struct {
	OpenAPI    string                                 `json:"openapi"`
	Paths      map[string]map[string]openAPIOperation `json:"paths"`
	Components struct {
		Responses map[string]json.RawMessage `json:"responses"`
		Schemas   map[string]json.RawMessage `json:"schemas"`
	} `json:"components"`
}

// openAPIOperation is one operation of the document.
type openAPIOperation struct {
	OperationID string                    `json:"operationId"`
	Permission  string                    `json:"x-permission"`
	Security    *[]map[string][]string    `json:"security"`
	Responses   map[string]map[string]any `json:"responses"`
}

func loadOpenAPI(t *testing.T) openAPIDocument {
	t.Helper()
	var doc openAPIDocument
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// TestOpenAPIMatchesRouteTable checks both directions: every route is
// documented, and every documented operation is a route, with the same
// permission.
func TestOpenAPIMatchesRouteTable(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	routes := map[string]permission{}
	for _, rt := range (&Server{}).routes() {
		routes[rt.method+" "+rt.pattern] = rt.perm
	}
	documented := map[string]string{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented[strings.ToUpper(method)+" "+path] = op.Permission
		}
	}
	for k, perm := range routes {
		got, ok := documented[k]
		if !ok {
			t.Errorf("route %s is not in openapi.json", k)
		} else if got != string(perm) {
			t.Errorf("%s: openapi x-permission %q, route table %q", k, got, perm)
		}
	}
	for k := range documented {
		if _, ok := routes[k]; !ok {
			t.Errorf("openapi.json documents %s, which is not a route", k)
		}
	}
}

// TestOpenAPIOperationsDocumentSecurityAndErrors checks that each
// operation states its security, documents 500 and, when it needs a token,
// 401 and 403, and that every reference resolves.
func TestOpenAPIOperationsDocumentSecurityAndErrors(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	ids := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			name := strings.ToUpper(method) + " " + path
			if op.OperationID == "" || ids[op.OperationID] {
				t.Errorf("%s: missing or repeated operationId %q", name, op.OperationID)
			}
			ids[op.OperationID] = true
			if op.Security == nil {
				t.Errorf("%s: no security", name)
				continue
			}
			public := len(*op.Security) == 0
			if public != (op.Permission == string(permPublic)) {
				t.Errorf("%s: security %v disagrees with permission %q", name, *op.Security, op.Permission)
			}
			want := []string{"500"}
			if !public {
				want = append(want, "401", "403")
			}
			var has2xx bool
			for code, r := range op.Responses {
				if strings.HasPrefix(code, "2") {
					has2xx = true
				}
				if ref, ok := r["$ref"].(string); ok {
					key := strings.TrimPrefix(ref, "#/components/responses/")
					if _, ok := doc.Components.Responses[key]; !ok {
						t.Errorf("%s %s: dangling %s", name, code, ref)
					}
				}
			}
			for _, code := range want {
				if _, ok := op.Responses[code]; !ok {
					t.Errorf("%s: response %s not documented", name, code)
				}
			}
			if !has2xx {
				t.Errorf("%s: no success response", name)
			}
		}
	}
	raw := string(OpenAPI())
	for _, part := range strings.Split(raw, `"$ref": "#/components/schemas/`)[1:] {
		name, _, _ := strings.Cut(part, `"`)
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("dangling schema reference %q", name)
		}
	}
}

// TestOpenAPIErrorResponsesCoverEveryStatus checks that every status the
// error mapping can produce has a shared response in the document.
func TestOpenAPIErrorResponsesCoverEveryStatus(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	for code := range titles {
		key := "E" + strconv.Itoa(StatusOf(code))
		if _, ok := doc.Components.Responses[key]; !ok {
			t.Errorf("code %s maps to %d, which has no components.responses.%s", code, StatusOf(code), key)
		}
	}
	var codes []string
	var problem struct {
		Properties struct {
			Code struct {
				Enum []string `json:"enum"`
			} `json:"code"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(doc.Components.Schemas["Problem"], &problem); err != nil {
		t.Fatal(err)
	}
	for code := range titles {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	got := slices.Sorted(slices.Values(problem.Properties.Code.Enum))
	if !slices.Equal(got, codes) {
		t.Errorf("Problem.code enum = %v, want %v", got, codes)
	}
}

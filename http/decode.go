package http

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"fanclub"
)

// MaxBodyBytes is the largest request body the API reads.
const MaxBodyBytes = 1 << 20

// decodeBody reads the request body strictly into dst (a pointer to a
// struct): exactly one JSON object, at most MaxBodyBytes, no field that dst
// does not declare. Problems come back as EINVALID with field paths.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fanclub.InvalidFields("Request body too large.", []fanclub.FieldError{{
				Path: "", Message: "body too large", Allowed: fmt.Sprintf("at most %d bytes", MaxBodyBytes)}})
		}
		return fanclub.Errorf(fanclub.EINVALID, "Could not read the request body.")
	}
	return decodeJSON(data, dst)
}

// decodeJSON decodes data strictly into dst; see decodeBody.
func decodeJSON(data []byte, dst any) error {
	bad := func(path, msg, found, allowed string) error {
		return fanclub.InvalidFields("Invalid request body.", []fanclub.FieldError{{Path: path, Message: msg, Found: found, Allowed: allowed}})
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return bad("", "empty body", "", "a JSON object")
		}
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return bad("", "malformed JSON", "error at byte "+strconv.FormatInt(syn.Offset, 10), "a JSON object")
		}
		return bad("", "malformed JSON", "", "a JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return bad("", "data after the JSON object", "", "a single JSON object")
	}
	if _, ok := doc.(map[string]any); !ok {
		return bad("", "not a JSON object", jsonKind(doc), "a JSON object")
	}
	if fields := unknownFields(doc, reflect.TypeOf(dst).Elem(), ""); len(fields) > 0 {
		return fanclub.InvalidFields("Invalid request body.", fields)
	}
	if err := json.Unmarshal(data, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return bad(te.Field, "wrong type", te.Value, te.Type.String())
		}
		var de *fanclub.Error
		if errors.As(err, &de) {
			return err
		}
		return bad("", "invalid value", "", "")
	}
	return nil
}

// unmarshalerType is the interface of types that decode themselves.
var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// textUnmarshalerType is the interface of types decoded from a string.
var textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

// unknownFields walks a decoded document against the Go type it will be
// decoded into and reports every object member the type does not declare,
// with its path (e.g. "events[2].actor").
func unknownFields(doc any, t reflect.Type, path string) []fanclub.FieldError {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return nil
	}
	var out []fanclub.FieldError
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := doc.(map[string]any)
		if !ok {
			return nil // a type error, reported by json.Unmarshal
		}
		fields := jsonFields(t)
		for _, k := range sortedKeys(obj) {
			ft, ok := fields[k]
			if !ok {
				out = append(out, fanclub.FieldError{Path: join(path, k), Message: "unknown field", Found: strconv.Quote(k), Allowed: strings.Join(sortedKeys(fields), ", ")})
				continue
			}
			out = append(out, unknownFields(obj[k], ft, join(path, k))...)
		}
	case reflect.Slice, reflect.Array:
		arr, ok := doc.([]any)
		if !ok {
			return nil
		}
		for i, v := range arr {
			out = append(out, unknownFields(v, t.Elem(), path+"["+strconv.Itoa(i)+"]")...)
		}
	case reflect.Map:
		obj, ok := doc.(map[string]any)
		if !ok {
			return nil
		}
		for _, k := range sortedKeys(obj) {
			out = append(out, unknownFields(obj[k], t.Elem(), join(path, k))...)
		}
	}
	return out
}

// jsonFields returns a struct's JSON member names and types, including
// promoted fields of embedded structs.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			continue // its fields are promoted
		}
		if name == "" {
			name = f.Name
		}
		if _, taken := out[name]; !taken {
			out[name] = f.Type
		}
	}
	return out
}

// join appends a member name to a path.
func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	default:
		return "object"
	}
}

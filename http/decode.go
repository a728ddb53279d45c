package http

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"fanclub"
)

// MaxBodyBytes is the largest request body the API reads, except on the
// batch route (MaxBatchBodyBytes).
const MaxBodyBytes = 1 << 20

// MaxBatchBodyBytes is the largest body of POST /v1/events:batch: a batch
// of fanclub.MaxBatchEvents events with every field at its longest, even
// with every id character escaped as \u00XX (about 1 KiB an event).
const MaxBatchBodyBytes = 16 << 20

// decodeBody reads the request body strictly into dst (a pointer to a
// struct): a JSON media type, exactly one JSON object, at most
// MaxBodyBytes, no duplicate member and no member that dst does not
// declare. Problems come back as EINVALID with field paths, 415 for a
// body that is not JSON and 413 for one over the limit.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) error {
	return decodeBodyLimit(w, r, dst, MaxBodyBytes)
}

// decodeOptionalBody is decodeBody for routes whose body may be absent: a
// request without one leaves dst as it is.
func decodeOptionalBody(w http.ResponseWriter, r *http.Request, dst any) error {
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	return decodeBody(w, r, dst)
}

// bodiless is the handler of a route that takes no body: a request may
// send nothing or "{}", and a body with members is refused as decodeBody
// refuses members a body does not declare, before h runs.
func bodiless(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
		var none struct{}
		if err := decodeOptionalBody(w, r, &none); err != nil {
			return err
		}
		return h(w, r, p)
	}
}

// decodeBodyLimit is decodeBody with a size limit of its own.
func decodeBodyLimit(w http.ResponseWriter, r *http.Request, dst any, limit int64) error {
	if err := checkJSONContentType(r); err != nil {
		return err
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &fanclub.Error{Code: CodeTooLarge, Message: fmt.Sprintf("The request body is larger than %d bytes.", limit),
				Fields: []fanclub.FieldError{{Path: "", Message: "body too large", Allowed: fmt.Sprintf("at most %d bytes", limit)}}}
		}
		return fanclub.Errorf(fanclub.EINVALID, "Could not read the request body.")
	}
	return decodeJSON(data, dst)
}

// checkJSONContentType accepts application/json and application/*+json,
// with no charset or charset utf-8, and refuses anything else with
// CodeUnsupportedMediaType, a missing Content-Type included (curl -d
// sends application/x-www-form-urlencoded unless told otherwise).
func checkJSONContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	refuse := func(found string) error {
		return &fanclub.Error{Code: CodeUnsupportedMediaType,
			Message: "Send the body as JSON with Content-Type: application/json.",
			Fields:  []fanclub.FieldError{{Path: "Content-Type", Message: "unsupported media type", Found: found, Allowed: "application/json (charset utf-8 if any)"}}}
	}
	if ct == "" {
		return refuse("no Content-Type header")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return refuse(strconv.Quote(ct))
	}
	if mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		return refuse(strconv.Quote(mt))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return refuse(strconv.Quote(ct))
	}
	return nil
}

// decodeJSON decodes data strictly into dst; see decodeBody. Every
// problem is reported with the path of the member the client sent
// ("items[1].id", "choices.progress") and JSON words for types.
func decodeJSON(data []byte, dst any) error {
	bad := func(path, msg, found, allowed string) error {
		return fanclub.InvalidFields("Invalid request body.", []fanclub.FieldError{{Path: path, Message: msg, Found: found, Allowed: allowed}})
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	doc, err := readValue(dec, "")
	if err != nil {
		var dup *duplicateKey
		if errors.As(err, &dup) {
			return bad(dup.path, "duplicate member", strconv.Quote(dup.name), "each member once")
		}
		if len(bytes.TrimSpace(data)) == 0 {
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
	if fields := checkShape(doc, reflect.TypeOf(dst).Elem(), ""); len(fields) > 0 {
		return fanclub.InvalidFields("Invalid request body.", fields)
	}
	if err := json.Unmarshal(data, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return bad(te.Field, "wrong type", te.Value, jsonTypeName(te.Type))
		}
		var de *fanclub.Error
		if errors.As(err, &de) {
			return err
		}
		return bad("", "invalid value", "", "")
	}
	return nil
}

// duplicateKey is a member that occurs twice in one object.
type duplicateKey struct{ path, name string }

func (d *duplicateKey) Error() string { return "duplicate member " + d.name }

// maxDepth bounds the nesting of a body.
const maxDepth = 64

// readValue reads one JSON value from dec as map[string]any, []any,
// json.Number, string, bool or nil, refusing an object that repeats a
// member (encoding/json would keep the last one silently).
func readValue(dec *json.Decoder, path string) (any, error) {
	return readValueDepth(dec, path, 0)
}

func readValueDepth(dec *json.Decoder, path string, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if depth >= maxDepth {
		return nil, errors.New("nested too deep")
	}
	switch d {
	case '{':
		obj := map[string]any{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			if _, dup := obj[k]; dup {
				return nil, &duplicateKey{path: join(path, k), name: k}
			}
			v, err := readValueDepth(dec, join(path, k), depth+1)
			if err != nil {
				return nil, err
			}
			obj[k] = v
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		return obj, nil
	case '[':
		arr := []any{}
		for i := 0; dec.More(); i++ {
			v, err := readValueDepth(dec, path+"["+strconv.Itoa(i)+"]", depth+1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		return arr, nil
	}
	return nil, errors.New("unexpected delimiter")
}

// unmarshalerType is the interface of types that decode themselves.
var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// textUnmarshalerType is the interface of types decoded from a string.
var textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

// checkShape walks a decoded document against the Go type it will be
// decoded into and reports every object member the type does not declare
// and every value of the wrong JSON type, with its path (e.g.
// "events[2].actor", "choices.progress").
func checkShape(doc any, t reflect.Type, path string) []fanclub.FieldError {
	for t.Kind() == reflect.Pointer {
		if doc == nil {
			return nil
		}
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	wrong := func() []fanclub.FieldError {
		return []fanclub.FieldError{{Path: path, Message: "wrong type", Found: jsonKind(doc), Allowed: jsonTypeName(t)}}
	}
	if doc == nil {
		return nil // null leaves the zero value, as encoding/json does
	}
	if reflect.PointerTo(t).Implements(textUnmarshalerType) {
		if _, ok := doc.(string); !ok {
			return wrong()
		}
		return nil
	}
	var out []fanclub.FieldError
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := doc.(map[string]any)
		if !ok {
			return wrong()
		}
		fields := jsonFields(t)
		for _, k := range sortedKeys(obj) {
			ft, ok := fields[k]
			if !ok {
				out = append(out, fanclub.FieldError{Path: join(path, k), Message: "unknown field", Found: strconv.Quote(k), Allowed: strings.Join(sortedKeys(fields), ", ")})
				continue
			}
			out = append(out, checkShape(obj[k], ft, join(path, k))...)
		}
	case reflect.Slice, reflect.Array:
		arr, ok := doc.([]any)
		if !ok {
			return wrong()
		}
		for i, v := range arr {
			out = append(out, checkShape(v, t.Elem(), path+"["+strconv.Itoa(i)+"]")...)
		}
	case reflect.Map:
		obj, ok := doc.(map[string]any)
		if !ok {
			return wrong()
		}
		for _, k := range sortedKeys(obj) {
			out = append(out, checkShape(obj[k], t.Elem(), join(path, k))...)
		}
	case reflect.String:
		if _, ok := doc.(string); !ok {
			return wrong()
		}
	case reflect.Bool:
		if _, ok := doc.(bool); !ok {
			return wrong()
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := doc.(json.Number)
		if !ok {
			return wrong()
		}
		if _, err := strconv.ParseInt(n.String(), 10, t.Bits()); err != nil {
			return []fanclub.FieldError{{Path: path, Message: "not an integer in range", Found: n.String(), Allowed: jsonTypeName(t)}}
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := doc.(json.Number)
		if !ok {
			return wrong()
		}
		if _, err := strconv.ParseUint(n.String(), 10, t.Bits()); err != nil {
			return []fanclub.FieldError{{Path: path, Message: "not an integer in range", Found: n.String(), Allowed: jsonTypeName(t)}}
		}
	case reflect.Float32, reflect.Float64:
		n, ok := doc.(json.Number)
		if !ok {
			return wrong()
		}
		if f, err := strconv.ParseFloat(n.String(), t.Bits()); err != nil || math.IsInf(f, 0) {
			return []fanclub.FieldError{{Path: path, Message: "out of range", Found: n.String(), Allowed: jsonTypeName(t)}}
		}
	}
	return out
}

// jsonTypeName says, in JSON's words, what a Go type accepts: never a Go
// type name.
func jsonTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return "a string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if t.Bits() == 64 {
			return "an integer (at most 19 digits)"
		}
		lo, hi := intRange(t.Bits())
		return fmt.Sprintf("an integer from %d to %d", lo, hi)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("an integer from 0 to %d", uint64(1)<<t.Bits()-1)
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a JSON value"
}

// intRange is the range of a signed integer of bits bits.
func intRange(bits int) (int64, int64) {
	hi := int64(math.MaxInt64)
	if bits < 64 {
		hi = int64(1)<<(bits-1) - 1
	}
	return -hi - 1, hi
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

package stream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"fanclub"
)

// MaxMessageBytes is the largest message body DecodeBatch reads: the size
// limit of the HTTP batch route (a batch of fanclub.MaxBatchEvents events
// with every field at its longest).
const MaxMessageBytes = 16 << 20

// body is a message body: the JSON of POST /v1/events:batch without
// producer and seq, which the stream supplies.
type body struct {
	Events []fanclub.EventInput `json:"events"`
}

// Members a message body may hold, at the top and in each event.
var (
	topMembers   = []string{"events"}
	eventMembers = []string{"action", "amount", "at", "club_id", "fan_id", "id"}
)

// maxDepth bounds the nesting of a body.
const maxDepth = 64

// DecodeBatch decodes a message body strictly: at most MaxMessageBytes,
// exactly one JSON object, no member twice, no member a batch does not
// declare (producer and seq included: the stream gives the key), each
// value of its JSON type. Problems come back as EINVALID with field paths
// ("events[2].fan_id"). The events themselves are checked by
// Engine.Ingest, as for the HTTP API.
func DecodeBatch(data []byte) (fanclub.Batch, error) {
	bad := func(path, msg, found, allowed string) error {
		return fanclub.InvalidFields("Invalid batch message.", []fanclub.FieldError{{Path: path, Message: msg, Found: found, Allowed: allowed}})
	}
	if len(data) > MaxMessageBytes {
		return fanclub.Batch{}, bad("", "message too large", fmt.Sprintf("%d bytes", len(data)), fmt.Sprintf("at most %d bytes", MaxMessageBytes))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fanclub.Batch{}, bad("", "empty message", "", "a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var fields []fanclub.FieldError
	kind, err := walk(dec, "", 0, &fields)
	if err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return fanclub.Batch{}, bad("", "malformed JSON", "error at byte "+strconv.FormatInt(syn.Offset, 10), "a JSON object")
		}
		return fanclub.Batch{}, bad("", "malformed JSON", "", "a JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fanclub.Batch{}, bad("", "data after the JSON object", "", "a single JSON object")
	}
	if kind != "object" {
		return fanclub.Batch{}, bad("", "not a JSON object", kind, "a JSON object")
	}
	if len(fields) > 0 {
		return fanclub.Batch{}, fanclub.InvalidFields("Invalid batch message.", fields)
	}
	var in body
	if err := json.Unmarshal(data, &in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fanclub.Batch{}, bad(te.Field, "wrong type", te.Value, jsonTypeName(te.Type))
		}
		return fanclub.Batch{}, bad("", "invalid value", strconv.Quote(firstLine(err.Error())), "")
	}
	return fanclub.Batch{Events: in.Events}, nil
}

// walk reads one JSON value from dec and returns its JSON kind, adding
// to fields every member that is repeated or not declared at path. It
// returns an error for malformed JSON or nesting deeper than maxDepth.
func walk(dec *json.Decoder, path string, depth int, fields *[]fanclub.FieldError) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		switch tok.(type) {
		case nil:
			return "null", nil
		case bool:
			return "boolean", nil
		case json.Number:
			if _, err := strconv.ParseInt(tok.(json.Number).String(), 10, 64); err != nil {
				return "number", nil
			}
			return "integer", nil
		}
		return "string", nil
	}
	if depth >= maxDepth {
		return "", errors.New("nested too deep")
	}
	add := func(f fanclub.FieldError) {
		if len(*fields) < 100 {
			*fields = append(*fields, f)
		}
	}
	switch d {
	case '{':
		allowed := membersAt(path)
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return "", err
			}
			k, _ := kt.(string)
			p := join(path, k)
			switch {
			case seen[k]:
				add(fanclub.FieldError{Path: p, Message: "duplicate member", Found: strconv.Quote(k), Allowed: "each member once"})
			case allowed != nil && !slices.Contains(allowed, k):
				msg := "unknown field"
				if path == "" && (k == "producer" || k == "seq") {
					msg = "not allowed in a stream message: the stream gives the batch its producer and seq"
				}
				add(fanclub.FieldError{Path: p, Message: msg, Found: strconv.Quote(k), Allowed: strings.Join(allowed, ", ")})
			}
			seen[k] = true
			kind, err := walk(dec, p, depth+1, fields)
			if err != nil {
				return "", err
			}
			if allowed != nil && kind != "" {
				if f := checkKind(p, k, kind, path == ""); f != nil {
					add(*f)
				}
			}
		}
		if _, err := dec.Token(); err != nil {
			return "", err
		}
		return "object", nil
	case '[':
		for i := 0; dec.More(); i++ {
			if _, err := walk(dec, path+"["+strconv.Itoa(i)+"]", depth+1, fields); err != nil {
				return "", err
			}
		}
		if _, err := dec.Token(); err != nil {
			return "", err
		}
		return "array", nil
	}
	return "", errors.New("unexpected delimiter")
}

// checkKind reports a member of the batch's shape whose value has the
// wrong JSON type (null leaves the zero value, as for the HTTP API).
func checkKind(path, member, kind string, top bool) *fanclub.FieldError {
	want := map[string]string{"events": "array", "id": "string", "action": "string", "at": "string",
		"fan_id": "integer", "club_id": "integer", "amount": "integer"}[member]
	if top && member != "events" || want == "" || kind == want || kind == "null" {
		return nil
	}
	allowed := map[string]string{"array": "an array", "string": "a string", "integer": "an integer (at most 19 digits)"}[want]
	if kind == "integer" {
		kind = "number"
	}
	return &fanclub.FieldError{Path: path, Message: "wrong type", Found: kind, Allowed: allowed}
}

// membersAt returns the members an object at path may hold, nil when the
// object is not part of a batch's shape (its type is checked on decode).
func membersAt(path string) []string {
	if path == "" {
		return topMembers
	}
	if rest, ok := strings.CutPrefix(path, "events["); ok && strings.HasSuffix(rest, "]") && !strings.ContainsAny(rest, ".[") {
		return eventMembers
	}
	return nil
}

// join appends a member name to a path.
func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// jsonTypeName says, in JSON's words, what a Go type accepts.
func jsonTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer (at most 19 digits)"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a JSON value"
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

package policyfile

import (
	"encoding"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"fanclub"
)

// maxDepth bounds how deep a document may nest; no policy field is nested
// nearly this deep.
const maxDepth = 32

var (
	spanType            = reflect.TypeFor[fanclub.Span]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// walker checks a YAML node tree against the shape of a Go type. It records
// the position of every node by field path, reports unknown fields, wrong
// types, duplicate keys and bad spans, and removes the offending nodes so
// that what remains decodes cleanly.
type walker struct {
	errs []fanclub.FieldError
	// nodes maps a field path to the node holding its value.
	nodes map[string]*yaml.Node
	// dropped holds the paths of values replaced by null after an error.
	dropped []string
}

// drop replaces a rejected value by null, keeping its position, so that the
// rest of the document still decodes.
func (w *walker) drop(n *yaml.Node, path string) {
	*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
	w.dropped = append(w.dropped, path)
}

// isDropped reports whether path is, or lies under, a dropped value.
func (w *walker) isDropped(path string) bool {
	for _, d := range w.dropped {
		if path == d || strings.HasPrefix(path, d+".") || strings.HasPrefix(path, d+"[") {
			return true
		}
	}
	return false
}

// fail records a problem at a node.
func (w *walker) fail(n *yaml.Node, path, message, found, allowed string) {
	w.errs = append(w.errs, fanclub.FieldError{
		Path: path, Message: message, Found: found, Allowed: allowed, Line: n.Line, Column: n.Column,
	})
}

// walk checks node n against type t at path. It returns false when the node
// must be dropped from its parent.
func (w *walker) walk(n *yaml.Node, t reflect.Type, path string, depth int) bool {
	w.nodes[path] = n
	if n.Kind == yaml.AliasNode {
		w.fail(n, path, "aliases are not supported", "*"+n.Value, "a plain value")
		return false
	}
	if n.Anchor != "" {
		n.Anchor = ""
	}
	if depth > maxDepth {
		w.fail(n, path, "nested too deeply", "", "")
		return false
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return true
	}
	switch {
	case t == spanType || reflect.PointerTo(t).Implements(textUnmarshalerType):
		return w.leaf(n, t, path)
	case t.Kind() == reflect.Struct:
		return w.mapping(n, t, path, depth)
	case t.Kind() == reflect.Slice:
		return w.sequence(n, t, path, depth)
	default:
		return w.leaf(n, t, path)
	}
}

// mapping checks a struct-shaped node.
func (w *walker) mapping(n *yaml.Node, t reflect.Type, path string, depth int) bool {
	if n.Kind != yaml.MappingNode {
		w.fail(n, path, "wrong type", describe(n), "a mapping of "+strings.Join(fieldNames(t), ", "))
		return false
	}
	fields := fieldTypes(t)
	seen := map[string]*yaml.Node{}
	kept := n.Content[:0:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		fp := join(path, name)
		ft, known := fields[name]
		switch {
		case k.Kind != yaml.ScalarNode:
			w.fail(k, path, "a key must be a plain name", describe(k), strings.Join(fieldNames(t), ", "))
			continue
		case !known:
			w.fail(k, fp, "unknown field", quote(name), strings.Join(fieldNames(t), ", "))
			continue
		case seen[name] != nil:
			w.fail(k, fp, "duplicate key", quote(name), fmt.Sprintf("each key once (first at line %d)", seen[name].Line))
			continue
		}
		seen[name] = k
		if !w.walk(v, ft, fp, depth+1) {
			w.drop(v, fp)
		}
		kept = append(kept, k, v)
	}
	n.Content = kept
	return true
}

// sequence checks a slice-shaped node.
func (w *walker) sequence(n *yaml.Node, t reflect.Type, path string, depth int) bool {
	if n.Kind != yaml.SequenceNode {
		w.fail(n, path, "wrong type", describe(n), "a list")
		return false
	}
	for i, c := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		if !w.walk(c, t.Elem(), p, depth+1) {
			w.drop(c, p)
		}
	}
	return true
}

// leaf checks a scalar by decoding it into a fresh value of its type.
func (w *walker) leaf(n *yaml.Node, t reflect.Type, path string) bool {
	if n.Kind != yaml.ScalarNode {
		w.fail(n, path, "wrong type", describe(n), expected(t))
		return false
	}
	if t == spanType {
		if _, err := fanclub.ParseSpan(n.Value); err != nil {
			w.fail(n, path, "bad span", quote(n.Value), fanclub.SpanSyntax)
			return false
		}
		return true
	}
	if err := n.Decode(reflect.New(t).Interface()); err != nil {
		w.fail(n, path, "wrong type", describe(n), expected(t))
		return false
	}
	return true
}

// fieldTypes maps the YAML names of a struct's fields to their types.
func fieldTypes(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if name := yamlName(f); name != "" {
			m[name] = f.Type
		}
	}
	return m
}

// fieldNames lists the YAML names of a struct's fields in declaration order.
func fieldNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" {
			names = append(names, name)
		}
	}
	return names
}

// yamlName returns a field's YAML key, or "" for a field YAML skips.
func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	switch tag {
	case "-":
		return ""
	case "":
		return strings.ToLower(f.Name)
	}
	return tag
}

// expected describes the values a leaf type accepts.
func expected(t reflect.Type) string {
	if t == spanType {
		return "a span: " + fanclub.SpanSyntax
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number, 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		if allowed := enumValues(t); allowed != nil {
			return strings.Join(allowed, ", ")
		}
		return "a string"
	}
	return t.String()
}

// describe renders what a node holds, for "found".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.ShortTag() {
	case "!!int":
		return n.Value + " (a whole number)"
	case "!!float":
		return n.Value + " (a number)"
	case "!!bool":
		return n.Value + " (a boolean)"
	case "!!null":
		return "null"
	}
	return quote(n.Value)
}

// join appends a key to a path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// enumValues returns the allowed values of a domain enum type, or nil.
func enumValues(t reflect.Type) []string {
	for _, e := range enums() {
		if e.typ == t {
			return slices.Clone(e.values)
		}
	}
	return nil
}

package policyfile

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"fanclub"
)

// ParseFile reads and parses the policy file at path.
func ParseFile(path string) (*fanclub.Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fanclub.Errorf(fanclub.ENOTFOUND, "policy file %s does not exist", path)
		}
		return nil, fanclub.Errorf(fanclub.EINVALID, "read policy file %s: %v", path, err)
	}
	return Parse(path, data)
}

// Parse decodes a policy from YAML or JSON (JSON is read as YAML) and
// validates it. It reports every problem of the file at once: unknown
// fields, duplicate keys, values of the wrong type, bad spans and every
// failed rule of Policy.Validate, each with its field path, line and
// column, sorted by position, in an EINVALID *fanclub.Error whose message
// is "policy file NAME has N errors". filename is used in messages only.
func Parse(filename string, data []byte) (*fanclub.Policy, error) {
	root, errs := parseNode(data)
	if root == nil {
		return nil, fileError(filename, errs)
	}
	w := &walker{nodes: map[string]*yaml.Node{}}
	if !w.walk(root, reflect.TypeFor[fanclub.Policy](), "", 0) {
		return nil, fileError(filename, append(errs, w.errs...))
	}
	errs = append(errs, w.errs...)
	var p fanclub.Policy
	if err := root.Decode(&p); err != nil {
		errs = append(errs, fanclub.FieldError{Message: "cannot decode: " + err.Error(), Line: root.Line, Column: root.Column})
		return nil, fileError(filename, errs)
	}
	for _, f := range p.Validate() {
		if w.isDropped(f.Path) {
			continue
		}
		n := w.locate(f.Path, root)
		f.Line, f.Column = n.Line, n.Column
		errs = append(errs, f)
	}
	if len(errs) > 0 {
		return nil, fileError(filename, errs)
	}
	return &p, nil
}

// yamlLine finds the line number in a YAML syntax error.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseNode reads the single YAML document in data. It returns a nil node
// when the document cannot be read.
func parseNode(data []byte) (*yaml.Node, []fanclub.FieldError) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, []fanclub.FieldError{{Message: "empty document", Allowed: "a policy mapping", Line: 1, Column: 1}}
		}
		return nil, []fanclub.FieldError{syntaxError(err)}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, []fanclub.FieldError{{Message: "not a YAML document", Line: 1, Column: 1}}
	}
	root := doc.Content[0]
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, []fanclub.FieldError{{Message: "more than one document", Allowed: "one policy per file", Line: next.Line, Column: next.Column}}
	case !errors.Is(err, io.EOF):
		return root, []fanclub.FieldError{syntaxError(err)}
	}
	return root, nil
}

// syntaxError turns a YAML parser error into a field error with its line.
func syntaxError(err error) fanclub.FieldError {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return fanclub.FieldError{Message: "syntax error: " + m[2], Line: line}
	}
	return fanclub.FieldError{Message: "syntax error: " + strings.TrimPrefix(msg, "yaml: "), Line: 1}
}

// locate returns the node of a field path, or of its nearest ancestor
// present in the file.
func (w *walker) locate(path string, root *yaml.Node) *yaml.Node {
	for path != "" {
		if n, ok := w.nodes[path]; ok {
			return n
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return root
}

// fileError sorts field errors by position and wraps them in an EINVALID
// domain error.
func fileError(filename string, errs []fanclub.FieldError) *fanclub.Error {
	slices.SortStableFunc(errs, func(a, b fanclub.FieldError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	noun := "errors"
	if len(errs) == 1 {
		noun = "error"
	}
	return fanclub.InvalidFields(fmt.Sprintf("policy file %s has %d %s", filename, len(errs), noun), errs)
}

// FormatErrors renders the error of Parse or ParseFile one problem a line,
// as "file:line:col: path: message (found X; allowed: Y)". An error without
// field details gives one line "file: message".
func FormatErrors(filename string, err error) string {
	if err == nil {
		return ""
	}
	fields := fanclub.ErrorFields(err)
	if len(fields) == 0 {
		var e *fanclub.Error
		if errors.As(err, &e) {
			return filename + ": " + e.Message + "\n"
		}
		return filename + ": " + err.Error() + "\n"
	}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(filename)
		if f.Line > 0 {
			fmt.Fprintf(&b, ":%d", f.Line)
			if f.Column > 0 {
				fmt.Fprintf(&b, ":%d", f.Column)
			}
		}
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(f.String(), ": "))
		b.WriteString("\n")
	}
	return b.String()
}

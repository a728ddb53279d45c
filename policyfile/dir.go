package policyfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"fanclub"
)

// policyExtensions are the file name endings a policy directory is read
// for; other files in it are ignored.
var policyExtensions = []string{".yaml", ".yml", ".json"}

// DirError reports the files of a policy directory that did not load.
// Report holds every problem of every file, one a line, as FormatErrors
// writes them ("file:line:col: path: message").
type DirError struct {
	Dir    string
	Failed int // files with at least one problem
	Report string
}

// Error implements error: a one-line summary; Report has the details.
func (e *DirError) Error() string {
	noun := "files"
	if e.Failed == 1 {
		noun = "file"
	}
	return fmt.Sprintf("policy directory %s: %d %s did not load", e.Dir, e.Failed, noun)
}

// LoadDir parses and validates every policy file in dir (names ending in
// .yaml, .yml or .json, case-insensitive; subdirectories are not read)
// and registers them all, or none: any invalid file, a name taken by a
// built-in preset or by another file of dir gives a *DirError listing
// every problem, and the registry is left as it was. It returns the names
// it registered, sorted.
func (r *Registry) LoadDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fanclub.Errorf(fanclub.ENOTFOUND, "policy directory %s does not exist", dir)
		}
		return nil, fanclub.Errorf(fanclub.EINVALID, "read policy directory %s: %v", dir, err)
	}
	var (
		report strings.Builder
		failed int
		loaded []*fanclub.Policy
		from   = map[string]string{} // policy name -> file
	)
	for _, e := range entries {
		if e.IsDir() || !slices.ContainsFunc(policyExtensions, func(ext string) bool {
			return strings.HasSuffix(strings.ToLower(e.Name()), ext)
		}) {
			continue
		}
		file := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(file)
		if err != nil {
			failed++
			fmt.Fprintf(&report, "%s: %v\n", file, err)
			continue
		}
		p, err := Parse(file, data)
		if err != nil {
			failed++
			report.WriteString(FormatErrors(file, err))
			continue
		}
		name := p.Metadata.Name
		clash := ""
		if _, err := r.Policy(name); err == nil {
			clash = "is already registered"
			if r.Builtin(name) {
				clash = "is a built-in policy"
			}
		} else if other, ok := from[name]; ok {
			clash = "is also the name of " + other
		}
		if clash != "" {
			failed++
			line, col := nameLocation(data)
			report.WriteString(FormatErrors(file, fanclub.InvalidFields("name clash", []fanclub.FieldError{{
				Path: "metadata.name", Found: quote(name), Allowed: "a name no other policy has",
				Message: "policy name " + clash, Line: line, Column: col,
			}})))
			continue
		}
		from[name] = file
		loaded = append(loaded, p)
	}
	if failed > 0 {
		return nil, &DirError{Dir: dir, Failed: failed, Report: report.String()}
	}
	names := make([]string, 0, len(loaded))
	for _, p := range loaded {
		if err := r.Add(p); err != nil {
			return nil, fmt.Errorf("policy file %s: %w", from[p.Metadata.Name], err)
		}
		names = append(names, p.Metadata.Name)
	}
	slices.Sort(names)
	return names, nil
}

// nameLocation finds the line and column of metadata.name in a policy
// file that parsed, or 0, 0.
func nameLocation(data []byte) (line, col int) {
	root, _ := parseNode(data)
	meta := mappingValue(root, "metadata")
	if n := mappingValue(meta, "name"); n != nil {
		return n.Line, n.Column
	}
	return 0, 0
}

// mappingValue returns the value of key in a mapping node, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

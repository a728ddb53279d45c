package policyfile

import (
	"bytes"
	"errors"
	"io"
	"os"

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
// validates it. filename is used in messages only.
func Parse(filename string, data []byte) (*fanclub.Policy, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p fanclub.Policy
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fanclub.Errorf(fanclub.EINVALID, "policy file %s is empty", filename)
		}
		return nil, fanclub.Errorf(fanclub.EINVALID, "policy file %s: %v", filename, err)
	}
	if fields := p.Validate(); len(fields) > 0 {
		return nil, fanclub.InvalidFields("policy file "+filename+" is invalid", fields)
	}
	return &p, nil
}

package export

import "bytes"

// plainKeys checks the member names of every object in raw, a JSON value
// the JSON decoder has read whole (so it is well formed): each must be a
// plain name of lower-case letters, digits and underscores, written
// without escapes, and appear once in its object. Go's JSON decoder would
// otherwise match "LEVEL" or "lev\u0065l" to the field level, and let
// the last of two equal names win, so a signed document could say one
// thing to this decoder and another to a stricter reader. It returns the
// offending name and what is wrong with it, or "" for a value without
// faults.
func (d *decoder) plainKeys(raw []byte) (string, string) {
	keys := d.keys[:0]
	// starts holds, per open object, the index in keys where its names
	// start; -1 for an open array.
	starts := d.starts[:0]
	expectKey := false
	defer func() { d.keys, d.starts = keys[:0], starts[:0] }()
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '{':
			starts = append(starts, len(keys))
			expectKey = true
		case '[':
			starts = append(starts, -1)
			expectKey = false
		case '}', ']':
			if top := starts[len(starts)-1]; top >= 0 {
				keys = keys[:top]
			}
			starts = starts[:len(starts)-1]
			expectKey = false
		case ',':
			expectKey = len(starts) > 0 && starts[len(starts)-1] >= 0
		case '"':
			j := i + 1
			for raw[j] != '"' {
				if raw[j] == '\\' {
					j++
				}
				j++
			}
			if expectKey {
				name := raw[i+1 : j]
				if !plainName(name) {
					return string(name), "a member name that is not a plain lower-case name (letters a-z, digits, _; no escapes)"
				}
				for _, k := range keys[starts[len(starts)-1]:] {
					if bytes.Equal(k, name) {
						return string(name), "a member name that appears twice in one object"
					}
				}
				keys = append(keys, name)
				expectKey = false
			}
			i = j
		}
	}
	return "", ""
}

// plainName reports whether b is a non-empty name of a-z, 0-9 and _.
func plainName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

package simulate

import (
	"bytes"
	"encoding/json"
	"strconv"

	"fanclub"
)

// duplicateMember finds the first object member that a journey repeats
// (encoding/json would keep the last value silently, so one file could be
// read two ways) and reports it by path and line:column. Malformed JSON
// gives nil: decodeStrict reports it.
func duplicateMember(data []byte) *fanclub.FieldError {
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(path string, depth int) (*fanclub.FieldError, bool)
	walk = func(path string, depth int) (*fanclub.FieldError, bool) {
		tok, err := dec.Token()
		if err != nil || depth > 64 {
			return nil, false
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return nil, true
		}
		switch d {
		case '{':
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, false
				}
				k, _ := kt.(string)
				if seen[k] {
					line, col := position(data, dec.InputOffset())
					return &fanclub.FieldError{Path: join(path, k), Found: strconv.Quote(k),
						Message: "duplicate member; allowed: each member once", Line: line, Column: col}, false
				}
				seen[k] = true
				if fe, ok := walk(join(path, k), depth+1); !ok {
					return fe, false
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if fe, ok := walk(path+"["+strconv.Itoa(i)+"]", depth+1); !ok {
					return fe, false
				}
			}
		}
		_, err = dec.Token()
		return nil, err == nil
	}
	fe, _ := walk("", 0)
	return fe
}

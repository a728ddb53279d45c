package export_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"fanclub/export"
)

// hugeRecord serves a document whose first points row holds a reason of
// n bytes, counting what is read.
type hugeRecord struct {
	r    io.Reader
	read int64
}

func (h *hugeRecord) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.read += int64(n)
	return n, err
}

// TestDecodeBoundsARecordBeforeBuffering: a value longer than
// MaxRecordBytes is refused after reading little more than the limit,
// not after buffering the whole value.
func TestDecodeBoundsARecordBeforeBuffering(t *testing.T) {
	t.Parallel()
	s := &export.Signer{Instance: "https://a.example", Key: fixedKey()}
	signed := goodCrafted().signedPart(s.Key.ID)
	const huge = 64 << 20
	points := strings.Index(signed, `"points":[`) + len(`"points":[`)
	at := points + strings.Index(signed[points:], `"reason":"`) + len(`"reason":"`)
	tests := []struct {
		name, path string
		filler     io.Reader
	}{
		{"a long string in a row", "points[0]", io.MultiReader(bytes.NewReader([]byte(signed[:at])), io.LimitReader(repeat('x'), huge))},
		{"a long member name", "", io.MultiReader(bytes.NewReader([]byte(`{"`)), io.LimitReader(repeat('x'), huge))},
		{"spaces before a row", "points", io.MultiReader(bytes.NewReader([]byte(signed[:points])), io.LimitReader(repeat(' '), huge))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &hugeRecord{r: tt.filler}
			_, err := export.Decode(r, trust(s.Key))
			var de *export.DecodeError
			if !errors.As(err, &de) || de.Path != tt.path || !strings.Contains(de.Message, "longer than") {
				t.Fatalf("err = %v, want %q is longer than the record limit", err, tt.path)
			}
			if limit := int64(len(signed) + 2*export.MaxRecordBytes); r.read > limit {
				t.Errorf("read %d bytes before refusing, want at most %d", r.read, limit)
			}
		})
	}
}

// repeat is an endless reader of one byte.
type repeat byte

func (b repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

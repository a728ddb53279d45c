package export_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fanclub"
	"fanclub/export"
)

// fixedSource is an export source holding one fan's records in memory.
type fixedSource struct {
	scope  *fanclub.ExportScope
	events []fanclub.Event
	page   int
}

func (s *fixedSource) ExportScope(_ context.Context, _ int64, f fanclub.ExportFormat) (*fanclub.ExportScope, error) {
	sc := *s.scope
	sc.Format = f
	return &sc, nil
}

// ExportEvents pages through events with the index as cursor.
func (s *fixedSource) ExportEvents(_ context.Context, _, clubID int64, after string) ([]fanclub.Event, string, error) {
	from := 0
	if after != "" {
		fmt.Sscan(after, &from)
	}
	var out []fanclub.Event
	i := from
	for ; i < len(s.events) && len(out) < s.page; i++ {
		if s.events[i].ClubID == clubID {
			out = append(out, s.events[i])
		}
	}
	if i >= len(s.events) {
		return out, "", nil
	}
	return out, fmt.Sprint(i), nil
}

// fixedKey is a signing key made from a fixed seed.
func fixedKey() *fanclub.SigningKey {
	k, _ := fanclub.NewSigningKey(bytes.NewReader(bytes.Repeat([]byte{7}, 32)), time.Unix(0, 0))
	return k
}

// fixedExport is a small signed JSON export made without a store.
func fixedExport(tb testing.TB, events int) ([]byte, *fanclub.SigningKey) {
	tb.Helper()
	at := time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC)
	src := &fixedSource{page: 3, scope: &fanclub.ExportScope{At: at, Fan: &fanclub.Fan{ID: 4, Handle: "mei", CreatedAt: at},
		Clubs:       []*fanclub.Club{{ID: 2, Name: "kai's fans", CreatorID: 1, Policy: "fair"}},
		Memberships: []*fanclub.Membership{{FanID: 4, ClubID: 2, Status: fanclub.StatusActive, Level: 1, JoinedAt: at, LastInteractionAt: at}},
		Points:      []fanclub.PointEntry{{ID: 1, Delta: 30, Reason: "exit conversion", At: at}}}}
	for i := range events {
		src.events = append(src.events, fanclub.Event{ID: fmt.Sprintf("ev-%d", i), FanID: 4, ClubID: 2, Action: fanclub.ActionLike, Amount: 1, At: at.Add(time.Duration(i) * time.Second)})
	}
	key := fixedKey()
	var buf bytes.Buffer
	if _, err := export.Write(context.Background(), &buf, src, 4, fanclub.ExportJSON, &export.Signer{Instance: "https://a.example", Key: key}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes(), key
}

// trust trusts one key.
func trust(k *fanclub.SigningKey) export.KeyFunc {
	return func(id string) (ed25519.PublicKey, bool) { return k.Public(), id == k.ID }
}

func TestDecodeRefusesMalformedAndTamperedExports(t *testing.T) {
	t.Parallel()
	good, key := fixedExport(t, 5)
	if _, err := export.Decode(bytes.NewReader(good), trust(key)); err != nil {
		t.Fatalf("good export: %v", err)
	}
	other, _ := fanclub.NewSigningKey(bytes.NewReader(bytes.Repeat([]byte{9}, 32)), time.Unix(0, 0))
	signed, _, _ := export.SplitSigned(good)
	tests := []struct {
		name  string
		body  []byte
		keys  export.KeyFunc
		path  string
		inMsg string
	}{
		{"changed event", bytes.Replace(good, []byte(`"ev-3"`), []byte(`"ev-9"`), 1), trust(key), "signature", "changed"},
		{"unknown key", good, trust(other), "signature.key_id", "not trusted"},
		{"truncated", good[:bytes.Index(good, []byte(`"ev-2"`))], trust(key), "interactions[2]", "ends early"},
		{"no signature", append(bytes.Clone(signed), '}'), trust(key), "signature", "missing"},
		{"unknown member", bytes.Replace(good, []byte(`{"format"`), []byte(`{"extra":1,"format"`), 1), trust(key), "extra", "not a member"},
		{"unknown field", bytes.Replace(good, []byte(`"amount":1,`), []byte(`"amount":1,"x":2,`), 1), trust(key), "interactions[0]", "unknown field"},
		{"bad action", bytes.Replace(good, []byte(`"action":"like"`), []byte(`"action":"hug"`), 1), trust(key), "interactions[0].action", "not a value the format knows"},
		{"count mismatch", bytes.Replace(good, []byte(`"interactions":5`), []byte(`"interactions":6`), 1), trust(key), "counts.interactions", "holds 5"},
		{"foreign club", bytes.Replace(good, []byte(`"club_id":2,"action"`), []byte(`"club_id":3,"action"`), 1), trust(key), "interactions[0].club_id", "club 3"},
		{"second newline", bytes.Replace(good, []byte(`,"points"`), []byte("\n,\"points\""), 1), trust(key), "signature", "newline"},
		{"trailing data", append(bytes.Clone(good), '{'), trust(key), "", "goes on"},
		{"members out of order", bytes.Replace(good, []byte(`"clubs":`), []byte(`"withheld":[],"clubs":`), 1), trust(key), "withheld", `where "clubs" should be`},
		{"a member twice", bytes.Replace(good, []byte(`"schema":`), []byte(`"version":1,"schema":`), 1), trust(key), "version", "appears twice"},
		{"csv manifest", []byte(`{"format":"fanclub-export-csv"}`), trust(key), "format", "only JSON"},
		{"not json", []byte("PK\x03\x04"), trust(key), "", "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := export.Decode(bytes.NewReader(tt.body), tt.keys)
			var de *export.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a DecodeError", err)
			}
			if de.Path != tt.path || !strings.Contains(de.Message, tt.inMsg) {
				t.Errorf("err = %v, want path %q and a message with %q", err, tt.path, tt.inMsg)
			}
		})
	}
}

func FuzzImportDecode(f *testing.F) {
	good, key := fixedExport(f, 4)
	f.Add(good)
	f.Add(good[:len(good)-40])
	f.Add(bytes.Replace(good, []byte("\n"), nil, 1))
	f.Add([]byte(`{"format":"fanclub-export","version":1}`))
	f.Add([]byte("{}\n,\"signature\":{}}"))
	// Signed, well-formed documents with one value no export can hold
	// (badDocs), and a record over MaxRecordBytes.
	s := &export.Signer{Instance: "https://a.example", Key: key}
	for _, b := range badDocs() {
		f.Add(b.doc().sign(s))
	}
	f.Add(goodCrafted().replace("points", `"reason":"exit conversion"`, `"reason":"`+strings.Repeat("x", export.MaxRecordBytes)+`"`).sign(s))
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, err := export.Decode(bytes.NewReader(body), trust(key))
		if err != nil {
			var de *export.DecodeError
			if !errors.As(err, &de) || de.Offset < 0 {
				t.Fatalf("error %v (%T) is not a DecodeError", err, err)
			}
			return
		}
		// Whatever decodes verified: its signed part is the good one's
		// only if the bytes before the newline are equal.
		signed, _, serr := export.SplitSigned(body)
		goodSigned, _, _ := export.SplitSigned(good)
		if serr == nil && !bytes.Equal(signed, goodSigned) {
			t.Fatalf("a document whose signed part differs verified: %s", doc.SHA256)
		}
	})
}

// TestDocsExampleVerifies decodes the JSON example of docs/export.md with
// the key it was signed with (seed: 32 bytes of 0x01).
func TestDocsExampleVerifies(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "docs", "export.md"))
	if err != nil {
		t.Fatal(err)
	}
	const open = "```json\n{\"format\":\"fanclub-export\""
	i := bytes.Index(doc, []byte(open))
	if i < 0 {
		t.Fatal("docs/export.md has no JSON export example")
	}
	body := doc[i+len("```json\n"):]
	body = body[:bytes.Index(body, []byte("```"))]
	key, _ := fanclub.NewSigningKey(bytes.NewReader(bytes.Repeat([]byte{1}, 32)), time.Unix(0, 0))
	got, err := export.Decode(bytes.NewReader(body), trust(key))
	if err != nil {
		t.Fatalf("the example does not verify: %v", err)
	}
	if got.Counts["receipts"] != 1 || len(got.Memberships) != 1 {
		t.Errorf("example counts %v", got.Counts)
	}
	// The example shows every member the writer writes.
	for _, m := range []string{`"retained":null`, `"kept":0`} {
		if !bytes.Contains(body, []byte(m)) {
			t.Errorf("the example has no %s, which every export writes", m)
		}
	}
}

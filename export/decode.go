package export

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strconv"
	"time"

	"fanclub"
)

// Document is what Decode keeps of a verified JSON export: the header,
// the memberships and the rows per table. The other tables are checked
// row by row and counted, not kept, so that decoding costs bounded memory.
type Document struct {
	Header      Header
	Memberships []Membership
	Counts      map[string]int64
	// SHA256 is the hex digest of the signed part.
	SHA256    string
	Signature Signature
}

// DecodeError says what is wrong with a document and where: the JSON
// path of the offending value and the byte offset the reader had reached.
type DecodeError struct {
	Path    string
	Offset  int64
	Message string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("export: %s (at byte %d): %s", e.Path, e.Offset, e.Message)
}

// KeyFunc returns the public key of a key id, false when it is unknown.
type KeyFunc func(keyID string) (ed25519.PublicKey, bool)

// MaxRecordBytes bounds one record of a document.
const MaxRecordBytes = 64 << 10

// signedReader hashes the bytes it reads up to the first newline and
// remembers where that newline is.
type signedReader struct {
	r   io.Reader
	h   hash.Hash
	off int64
	nl  int64 // offset of the first newline, -1 until seen
}

func (s *signedReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	b := p[:n]
	if s.nl < 0 {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			s.h.Write(b[:i])
			s.nl = s.off + int64(i)
		} else {
			s.h.Write(b)
		}
	}
	s.off += int64(n)
	return n, err
}

// decoder walks a document.
type decoder struct {
	dec   *json.Decoder
	sr    *signedReader
	doc   *Document
	clubs map[int64]bool
	// end is the offset just after the last value read before the
	// signature member.
	end int64
}

func (d *decoder) fail(path, format string, args ...any) error {
	return &DecodeError{Path: path, Offset: d.dec.InputOffset(), Message: fmt.Sprintf(format, args...)}
}

// Decode reads a signed JSON export from r, checks every record and the
// signature against the key keys returns for the document's key id, and
// returns what an import keeps. Any fault is a *DecodeError naming the
// path and byte offset; nothing of a document that fails is returned.
func Decode(r io.Reader, keys KeyFunc) (*Document, error) {
	sr := &signedReader{r: r, h: sha256.New(), nl: -1}
	d := &decoder{dec: json.NewDecoder(sr), sr: sr, doc: &Document{Counts: map[string]int64{}}, clubs: map[int64]bool{}}
	d.dec.DisallowUnknownFields()
	d.dec.UseNumber()
	if err := d.document(); err != nil {
		return nil, err
	}
	doc := d.doc
	doc.SHA256 = hex.EncodeToString(sr.h.Sum(nil))
	if doc.Signature.KeyID != doc.Header.KeyID {
		return nil, d.fail("signature.key_id", "is %q but the document names key %q", doc.Signature.KeyID, doc.Header.KeyID)
	}
	pub, ok := keys(doc.Signature.KeyID)
	if !ok {
		return nil, d.fail("signature.key_id", "key %q is not trusted here: send its public key or add it to the trusted keys", doc.Signature.KeyID)
	}
	if KeyIDOf(pub) != doc.Signature.KeyID {
		return nil, d.fail("signature.key_id", "the given public key's id is %s, not %s", KeyIDOf(pub), doc.Signature.KeyID)
	}
	if err := doc.Signature.Verify(sr.h.Sum(nil), pub); err != nil {
		return nil, d.fail("signature", "%v", err)
	}
	return doc, nil
}

// KeyIDOf is fanclub.KeyID.
func KeyIDOf(pub ed25519.PublicKey) string { return fanclub.KeyID(pub) }

// required lists the top-level members every document has.
var required = []string{"format", "version", "schema", "instance", "key_id", "exported_at", "fan", "clubs", "withheld",
	"memberships", "points", "purchases", "subscriptions", "gifts", "interactions", "receipts", "counts", "signature"}

// document reads the top-level object.
func (d *decoder) document() error {
	if err := d.delim('{', ""); err != nil {
		return err
	}
	seen := map[string]bool{}
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return d.syntax("", err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return d.fail(key, "appears twice")
		}
		seen[key] = true
		if seen["signature"] && key != "signature" {
			return d.fail(key, "follows the signature, which must be the last member")
		}
		if err := d.member(key); err != nil {
			return err
		}
		if key != "signature" {
			d.end = d.dec.InputOffset()
		}
	}
	for _, k := range required {
		if !seen[k] {
			return d.fail(k, "is missing")
		}
	}
	if err := d.delim('}', ""); err != nil {
		return err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return d.fail("", "the document goes on after its closing brace")
	}
	return nil
}

// member reads one top-level member.
func (d *decoder) member(key string) error {
	h := &d.doc.Header
	switch key {
	case "format":
		if err := d.value(key, &h.Format); err != nil {
			return err
		}
		if h.Format != FormatName {
			return d.fail(key, "is %q, not %q (only JSON exports can be imported)", h.Format, FormatName)
		}
	case "version":
		if err := d.value(key, &h.Version); err != nil {
			return err
		}
		if h.Version != Version {
			return d.fail(key, "is %d; this instance reads version %d", h.Version, Version)
		}
	case "schema":
		return d.value(key, &h.Schema)
	case "instance":
		if err := d.value(key, &h.Instance); err != nil {
			return err
		}
		if h.Instance == "" {
			return d.fail(key, "is empty")
		}
	case "key_id":
		return d.value(key, &h.KeyID)
	case "exported_at":
		return d.value(key, &h.ExportedAt)
	case "fan":
		if err := d.value(key, &h.Fan); err != nil {
			return err
		}
		if h.Fan.ID <= 0 {
			return d.fail("fan.id", "is %d, not a positive id", h.Fan.ID)
		}
	case "clubs":
		return d.array(key, func(path string) error {
			var c Club
			if err := d.value(path, &c); err != nil {
				return err
			}
			if c.ID <= 0 {
				return d.fail(path+".id", "is %d, not a positive id", c.ID)
			}
			d.clubs[c.ID] = true
			h.Clubs = append(h.Clubs, c)
			return nil
		})
	case "withheld":
		return d.array(key, func(path string) error {
			var w fanclub.WithheldClub
			if err := d.value(path, &w); err != nil {
				return err
			}
			h.Withheld = append(h.Withheld, w)
			return nil
		})
	case "counts":
		var counts map[string]int64
		if err := d.value(key, &counts); err != nil {
			return err
		}
		for _, t := range Tables {
			if got, ok := counts[t]; (ok || d.doc.Counts[t] > 0) && got != d.doc.Counts[t] {
				return d.fail(key+"."+t, "says %d rows but the document holds %d", got, d.doc.Counts[t])
			}
		}
		for t := range counts {
			if !slices.Contains(Tables, t) {
				return d.fail(key+"."+t, "is not a table of the format")
			}
		}
	case "signature":
		if d.sr.nl < 0 || d.sr.nl != d.end {
			return d.fail(key, "must follow a newline that ends the signed part right after the counts (see docs/export.md)")
		}
		return d.value(key, &d.doc.Signature)
	default:
		if slices.Contains(Tables, key) {
			return d.table(key)
		}
		return d.fail(key, "is not a member of the export format")
	}
	return nil
}

// table reads a table's array, checking each row.
func (d *decoder) table(name string) error {
	d.doc.Counts[name] = 0
	return d.array(name, func(path string) error {
		d.doc.Counts[name]++
		switch name {
		case "memberships":
			var m Membership
			if err := d.value(path, &m); err != nil {
				return err
			}
			if err := d.checkClub(path, m.ClubID); err != nil {
				return err
			}
			if m.Status != fanclub.StatusActive && m.Status != fanclub.StatusLeft {
				return d.fail(path+".status", "is %q, not active or left", m.Status)
			}
			if m.JoinedAt.IsZero() || (m.LeftAt != nil && m.Status == fanclub.StatusLeft && m.LeftAt.Before(m.JoinedAt)) {
				return d.fail(path+".joined_at", "is missing or after left_at")
			}
			d.doc.Memberships = append(d.doc.Memberships, m)
			return nil
		case "interactions":
			var e Interaction
			if err := d.value(path, &e); err != nil {
				return err
			}
			if e.ID == "" || !slices.Contains(fanclub.Actions, e.Action) || e.Amount < 0 || e.At.IsZero() {
				return d.fail(path, "needs an id, a known action, an amount of at least 0 and a time")
			}
			return d.checkClub(path, e.ClubID)
		case "points":
			return decodeRow[Point](d, path, func(p Point) bool { return !p.At.IsZero() })
		case "purchases":
			return decodeRow[Purchase](d, path, func(p Purchase) bool { return p.Amount >= 0 && !p.CreatedAt.IsZero() })
		case "subscriptions":
			return decodeRow[Subscription](d, path, func(s Subscription) bool { return d.clubs[s.ClubID] && s.Price >= 0 })
		case "gifts":
			return decodeRow[Gift](d, path, func(g Gift) bool { return d.clubs[g.ClubID] && g.Coins >= 0 })
		default: // receipts
			return decodeRow[Receipt](d, path, func(r Receipt) bool {
				return r.Count >= 0 && r.Category != "" && r.Action != "" && (r.ClubID == 0 || d.clubs[r.ClubID])
			})
		}
	})
}

// decodeRow reads a row of type T and checks it with ok.
func decodeRow[T any](d *decoder, path string, ok func(T) bool) error {
	var v T
	if err := d.value(path, &v); err != nil {
		return err
	}
	if !ok(v) {
		return d.fail(path, "holds a value out of range or names a club the export does not list")
	}
	return nil
}

// checkClub requires a club id the document's clubs list.
func (d *decoder) checkClub(path string, id int64) error {
	if !d.clubs[id] {
		return d.fail(path+".club_id", "names club %d, which the export's clubs do not list", id)
	}
	return nil
}

// array reads an array, calling row for each element with its path.
func (d *decoder) array(path string, row func(path string) error) error {
	if err := d.delim('[', path); err != nil {
		return err
	}
	for i := 0; d.dec.More(); i++ {
		if err := row(path + "[" + strconv.Itoa(i) + "]"); err != nil {
			return err
		}
	}
	return d.delim(']', path)
}

// delim reads the delimiter want.
func (d *decoder) delim(want json.Delim, path string) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.syntax(path, err)
	}
	if got, ok := tok.(json.Delim); !ok || got != want {
		return d.fail(path, "expected %q, found %v", want, tok)
	}
	return nil
}

// value decodes the next value into v.
func (d *decoder) value(path string, v any) error {
	before := d.dec.InputOffset()
	var raw json.RawMessage
	if err := d.dec.Decode(&raw); err != nil {
		return d.syntax(path, err)
	}
	if d.dec.InputOffset()-before > MaxRecordBytes {
		return d.fail(path, "is longer than %d bytes", MaxRecordBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return d.fail(path, "%v", err)
	}
	if t, ok := v.(*time.Time); ok && t.IsZero() {
		return d.fail(path, "is the zero time")
	}
	return nil
}

// syntax wraps a JSON syntax or read error.
func (d *decoder) syntax(path string, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return d.fail(path, "the document ends early (truncated?)")
	}
	return d.fail(path, "%v", err)
}

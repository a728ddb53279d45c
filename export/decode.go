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
// path of the offending value, the byte offset the reader had reached,
// and, when the fault is a value, what was found and what is allowed.
type DecodeError struct {
	Path    string
	Offset  int64
	Message string
	// Found is the offending value as written (empty when the fault is
	// not one value's, e.g. a truncated document).
	Found string
	// Allowed says what would be accepted there (may be empty).
	Allowed string
	// err is the reader's error that stopped the decoding, if any (e.g.
	// *http.MaxBytesError): Unwrap returns it.
	err error
}

// Unwrap returns the read error that stopped the decoding, if any.
func (e *DecodeError) Unwrap() error { return e.err }

func (e *DecodeError) Error() string {
	msg := fmt.Sprintf("export: %s (at byte %d): %s", e.Path, e.Offset, e.Message)
	switch {
	case e.Found != "" && e.Allowed != "":
		msg += fmt.Sprintf(" (found %s; allowed %s)", e.Found, e.Allowed)
	case e.Allowed != "":
		msg += fmt.Sprintf(" (allowed %s)", e.Allowed)
	}
	return msg
}

// KeyFunc returns the public key of a key id, false when it is unknown.
type KeyFunc func(keyID string) (ed25519.PublicKey, bool)

// MaxRecordBytes bounds one record of a document: each top-level
// member's value but the tables, each row of a table, each member name.
// The decoder reads no further than this past the start of the value it
// is reading, so one huge value costs no more memory than this (about
// twice, with the JSON decoder's buffer).
const MaxRecordBytes = 64 << 10

// errRecordTooLong is what the document's reader returns when a value
// runs past MaxRecordBytes.
var errRecordTooLong = errors.New("a value is longer than the record limit")

// signedReader hashes the bytes it reads up to the first newline,
// remembers where that newline is, and reads nothing at or past limit.
type signedReader struct {
	r     io.Reader
	h     hash.Hash
	off   int64
	nl    int64 // offset of the first newline, -1 until seen
	limit int64 // no byte at or past this offset is read
}

func (s *signedReader) Read(p []byte) (int, error) {
	room := s.limit - s.off
	if room <= 0 {
		return 0, errRecordTooLong
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
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
	dec *json.Decoder
	sr  *signedReader
	doc *Document
	// clubs are the ids the header's clubs list, each true once the
	// memberships table has a row for it; withheld the withheld ids.
	clubs    map[int64]bool
	withheld map[int64]bool
	// latest is the last time a record of the past may carry:
	// exported_at plus fanclub.ImportClockSkew.
	latest time.Time
	// end is the offset just after the last value read before the
	// signature member.
	end int64
	// keys and starts are plainKeys' scratch space.
	keys   [][]byte
	starts []int
}

func (d *decoder) fail(path, format string, args ...any) error {
	return &DecodeError{Path: path, Offset: d.dec.InputOffset(), Message: fmt.Sprintf(format, args...)}
}

// bad is a fault of one value: where, what was found, what is allowed,
// and what is wrong.
func (d *decoder) bad(path, found, allowed, format string, args ...any) error {
	return &DecodeError{Path: path, Offset: d.dec.InputOffset(), Message: fmt.Sprintf(format, args...), Found: found, Allowed: allowed}
}

// Decode reads a signed JSON export from r, checks every record and the
// signature against the key keys returns for the document's key id, and
// returns what an import keeps. Any fault is a *DecodeError naming the
// path and byte offset; nothing of a document that fails is returned.
// The members must come in the order the format writes them (Members).
func Decode(r io.Reader, keys KeyFunc) (*Document, error) {
	sr := &signedReader{r: r, h: sha256.New(), nl: -1}
	d := &decoder{dec: json.NewDecoder(sr), sr: sr, doc: &Document{Counts: map[string]int64{}}, clubs: map[int64]bool{},
		withheld: map[int64]bool{}}
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

// Members lists the top-level members of a JSON export in the order they
// are written, which is the order Decode requires: the header, the tables
// (Tables), the counts, and the signature last.
var Members = []string{"format", "version", "schema", "instance", "key_id", "exported_at", "fan", "clubs", "withheld",
	"memberships", "points", "purchases", "subscriptions", "gifts", "interactions", "receipts", "counts", "signature"}

// document reads the top-level object: every member of Members once, in
// that order.
func (d *decoder) document() error {
	if err := d.delim('{', ""); err != nil {
		return err
	}
	next := 0 // index in Members of the member that comes next
	for d.more() {
		tok, err := d.token()
		if err != nil {
			return d.syntax("", err)
		}
		key, _ := tok.(string)
		i := slices.Index(Members, key)
		switch {
		case i < 0:
			return d.fail(key, "is not a member of the export format")
		case i < next:
			return d.fail(key, "appears twice")
		case i > next:
			return d.bad(key, key, fmt.Sprintf("%q here", Members[next]),
				"comes where %q should be: the members are in the order the format writes them (docs/export.md)", Members[next])
		}
		next = i + 1
		if err := d.member(key); err != nil {
			return err
		}
		if key != "signature" {
			d.end = d.dec.InputOffset()
		}
	}
	if next < len(Members) {
		return d.fail(Members[next], "is missing")
	}
	if err := d.delim('}', ""); err != nil {
		return err
	}
	if _, err := d.token(); err != io.EOF {
		return d.fail("", "the document goes on after its closing brace")
	}
	return nil
}

// member reads one top-level member; the members before it have been
// read.
func (d *decoder) member(key string) error {
	h := &d.doc.Header
	switch key {
	case "format":
		if err := d.value(key, &h.Format); err != nil {
			return err
		}
		if h.Format != FormatName {
			return d.bad(key, h.Format, FormatName, "is %q, not %q (only JSON exports can be imported)", h.Format, FormatName)
		}
	case "version":
		if err := d.value(key, &h.Version); err != nil {
			return err
		}
		if h.Version != Version {
			return d.bad(key, strconv.Itoa(h.Version), strconv.Itoa(Version), "is %d; this instance reads version %d", h.Version, Version)
		}
	case "schema":
		return d.value(key, &h.Schema)
	case "instance":
		if err := d.value(key, &h.Instance); err != nil {
			return err
		}
		if h.Instance == "" {
			return d.bad(key, `""`, "the exporting instance's name", "is empty")
		}
	case "key_id":
		if err := d.value(key, &h.KeyID); err != nil {
			return err
		}
		return d.keyID(key, "", h.KeyID)
	case "exported_at":
		if err := d.value(key, &h.ExportedAt); err != nil {
			return err
		}
		d.latest = h.ExportedAt.Add(fanclub.ImportClockSkew)
		return d.when(key, "", h.ExportedAt)
	case "fan":
		if err := d.value(key, &h.Fan); err != nil {
			return err
		}
		return d.checkFan(key, h.Fan)
	case "clubs":
		return d.array(key, func(path string) error {
			var c Club
			if err := d.value(path, &c); err != nil {
				return err
			}
			if err := d.checkClubRow(path, c); err != nil {
				return err
			}
			d.clubs[c.ID] = false
			h.Clubs = append(h.Clubs, c)
			return nil
		})
	case "withheld":
		return d.array(key, func(path string) error {
			var w fanclub.WithheldClub
			if err := d.value(path, &w); err != nil {
				return err
			}
			if err := d.checkWithheld(path, w); err != nil {
				return err
			}
			d.withheld[w.ClubID] = true
			h.Withheld = append(h.Withheld, w)
			return nil
		})
	case "counts":
		return d.counts(key)
	case "signature":
		if d.sr.nl < 0 || d.sr.nl != d.end {
			return d.fail(key, "must follow a newline that ends the signed part right after the counts (see docs/export.md)")
		}
		if err := d.value(key, &d.doc.Signature); err != nil {
			return err
		}
		return d.checkSignature(key, d.doc.Signature)
	default:
		return d.table(key)
	}
	return nil
}

// counts reads the counts member, which follows the tables: it names
// every table once, with the rows the document holds.
func (d *decoder) counts(key string) error {
	var counts map[string]int64
	if err := d.value(key, &counts); err != nil {
		return err
	}
	for t := range counts {
		if !slices.Contains(Tables, t) {
			return d.bad(key+"."+t, t, "a table of the format", "is not a table of the format")
		}
	}
	for _, t := range Tables {
		got, ok := counts[t]
		if !ok {
			return d.bad(key+"."+t, "", strconv.FormatInt(d.doc.Counts[t], 10)+", the rows the table holds", "is missing")
		}
		if got != d.doc.Counts[t] {
			return d.bad(key+"."+t, strconv.FormatInt(got, 10), strconv.FormatInt(d.doc.Counts[t], 10),
				"says %d rows but the document holds %d", got, d.doc.Counts[t])
		}
	}
	return nil
}

// table reads a table's array, checking each row.
func (d *decoder) table(name string) error {
	d.doc.Counts[name] = 0
	err := d.array(name, func(path string) error {
		d.doc.Counts[name]++
		switch name {
		case "memberships":
			var m Membership
			if err := d.value(path, &m); err != nil {
				return err
			}
			if err := d.checkMembership(path, m); err != nil {
				return err
			}
			d.clubs[m.ClubID] = true
			d.doc.Memberships = append(d.doc.Memberships, m)
			return nil
		case "points":
			return decodeRow(d, path, d.checkPoint)
		case "purchases":
			return decodeRow(d, path, d.checkPurchase)
		case "subscriptions":
			return decodeRow(d, path, d.checkSubscription)
		case "gifts":
			return decodeRow(d, path, d.checkGift)
		case "interactions":
			return decodeRow(d, path, d.checkInteraction)
		default: // receipts
			return decodeRow(d, path, d.checkReceipt)
		}
	})
	if err != nil || name != "memberships" {
		return err
	}
	for i, c := range d.doc.Header.Clubs {
		if !d.clubs[c.ID] {
			return d.bad("clubs["+strconv.Itoa(i)+"].id", strconv.FormatInt(c.ID, 10), "a club the memberships table has a row for",
				"the export lists club %d but holds no membership of it", c.ID)
		}
	}
	return nil
}

// decodeRow reads a row of type T and checks it with check.
func decodeRow[T any](d *decoder, path string, check func(string, T) error) error {
	var v T
	if err := d.value(path, &v); err != nil {
		return err
	}
	return check(path, v)
}

// array reads an array, calling row for each element with its path.
func (d *decoder) array(path string, row func(path string) error) error {
	if err := d.delim('[', path); err != nil {
		return err
	}
	for i := 0; d.more(); i++ {
		if err := row(path + "[" + strconv.Itoa(i) + "]"); err != nil {
			return err
		}
	}
	return d.delim(']', path)
}

// delim reads the delimiter want.
func (d *decoder) delim(want json.Delim, path string) error {
	tok, err := d.token()
	if err != nil {
		return d.syntax(path, err)
	}
	if got, ok := tok.(json.Delim); !ok || got != want {
		return d.fail(path, "expected %q, found %v", want, tok)
	}
	return nil
}

// bound lets the JSON decoder read at most MaxRecordBytes (and the byte
// that ends a number) past where it stands, before it reads a value or a
// token: a longer one fails with errRecordTooLong instead of being
// buffered whole.
func (d *decoder) bound() { d.sr.limit = d.dec.InputOffset() + MaxRecordBytes + 1 }

// token reads the next token, bounded.
func (d *decoder) token() (json.Token, error) {
	d.bound()
	return d.dec.Token()
}

// more reports whether the array or object goes on, bounded.
func (d *decoder) more() bool {
	d.bound()
	return d.dec.More()
}

// value decodes the next value into v: at most MaxRecordBytes, every
// object member name a plain lower-case name once, no unknown fields.
func (d *decoder) value(path string, v any) error {
	d.bound()
	before := d.dec.InputOffset()
	var raw json.RawMessage
	if err := d.dec.Decode(&raw); err != nil {
		return d.syntax(path, err)
	}
	if d.dec.InputOffset()-before > MaxRecordBytes {
		return d.fail(path, "is longer than %d bytes", MaxRecordBytes)
	}
	if name, problem := d.plainKeys(raw); problem != "" {
		return d.bad(path, strconv.Quote(name), "each member name of the format once, as written (lower case)", "%s", problem)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return d.fail(path, "%v", err)
	}
	return nil
}

// syntax wraps a JSON syntax or read error.
func (d *decoder) syntax(path string, err error) error {
	switch {
	case errors.Is(err, errRecordTooLong):
		return d.fail(path, "is longer than %d bytes", MaxRecordBytes)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return d.fail(path, "the document ends early (truncated?)")
	}
	de := d.fail(path, "%v", err).(*DecodeError)
	var syn *json.SyntaxError
	if !errors.As(err, &syn) {
		de.err = err // the reader's: the caller may want it
	}
	return de
}

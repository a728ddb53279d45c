package sqlite

import (
	"encoding/binary"

	"fanclub"
)

// Compact field encodings shared by the event log and batch results.
// A batch's event ids usually share a long prefix with the id before them
// ("ev-7-000123", "ev-7-000124"), so an id is stored front-coded: the
// length of the prefix it shares with the previous id, then the rest. A
// known action is one byte.

// appendFrontCoded appends id front-coded against prev.
func appendFrontCoded(b []byte, prev, id string) []byte {
	n := 0
	for n < len(prev) && n < len(id) && prev[n] == id[n] {
		n++
	}
	b = binary.AppendUvarint(b, uint64(n))
	return appendString(b, id[n:])
}

// frontCoded reads an id front-coded against prev.
func (r *journalReader) frontCoded(prev string) string {
	if r.err != nil {
		return ""
	}
	v, w := binary.Uvarint(r.b)
	if w <= 0 || v > uint64(len(prev)) {
		r.err = errJournal
		return ""
	}
	r.b = r.b[w:]
	n := int(v)
	rest := r.string()
	if r.err != nil {
		return ""
	}
	return prev[:n] + rest
}

// actionCodes are the one-byte codes of the known actions, statusCodes
// those of the membership statuses; codeOther is followed by the name of
// a value not listed.
var (
	actionCodes = []fanclub.Action{fanclub.ActionWatchMinutes, fanclub.ActionLike, fanclub.ActionComment, fanclub.ActionShare, fanclub.ActionGift}
	statusCodes = []fanclub.MembershipStatus{fanclub.StatusActive, fanclub.StatusLeft, fanclub.StatusNone}
)

const codeOther = 0xff

// appendCode appends v's one-byte code among codes, or codeOther and v.
func appendCode[T ~string](b []byte, codes []T, v T) []byte {
	for i, c := range codes {
		if c == v {
			return append(b, byte(i))
		}
	}
	return appendString(append(b, codeOther), string(v))
}

// readCode reads a value written by appendCode with the same codes.
func readCode[T ~string](r *journalReader, codes []T) T {
	if r.err != nil {
		return ""
	}
	if len(r.b) == 0 {
		r.err = errJournal
		return ""
	}
	c := r.b[0]
	r.b = r.b[1:]
	if c == codeOther {
		return T(r.string())
	}
	if int(c) >= len(codes) {
		r.err = errJournal
		return ""
	}
	return codes[c]
}

// appendAction appends an action's code.
func appendAction(b []byte, a fanclub.Action) []byte { return appendCode(b, actionCodes, a) }

// action reads an action.
func (r *journalReader) action() fanclub.Action { return readCode(r, actionCodes) }

// appendStatus appends a membership status's code.
func appendStatus(b []byte, s fanclub.MembershipStatus) []byte {
	return appendCode(b, statusCodes, s)
}

// status reads a membership status.
func (r *journalReader) status() fanclub.MembershipStatus { return readCode(r, statusCodes) }

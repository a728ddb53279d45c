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

// actionCodes are the one-byte codes of the known actions; actionOther
// is followed by the action's name.
var actionCodes = [...]fanclub.Action{fanclub.ActionWatchMinutes, fanclub.ActionLike, fanclub.ActionComment, fanclub.ActionShare, fanclub.ActionGift}

const actionOther = 0xff

// appendAction appends a's code, or actionOther and its name.
func appendAction(b []byte, a fanclub.Action) []byte {
	for i, c := range actionCodes {
		if c == a {
			return append(b, byte(i))
		}
	}
	return appendString(append(b, actionOther), string(a))
}

// action reads an action.
func (r *journalReader) action() fanclub.Action {
	if r.err != nil {
		return ""
	}
	if len(r.b) == 0 {
		r.err = errJournal
		return ""
	}
	c := r.b[0]
	r.b = r.b[1:]
	if c == actionOther {
		return fanclub.Action(r.string())
	}
	if int(c) >= len(actionCodes) {
		r.err = errJournal
		return ""
	}
	return actionCodes[c]
}

// statusCodes are the one-byte codes of the membership statuses;
// actionOther (0xff) is followed by the status's name.
var statusCodes = [...]fanclub.MembershipStatus{fanclub.StatusActive, fanclub.StatusLeft, fanclub.StatusNone}

// appendStatus appends s's code, or 0xff and its name.
func appendStatus(b []byte, s fanclub.MembershipStatus) []byte {
	for i, c := range statusCodes {
		if c == s {
			return append(b, byte(i))
		}
	}
	return appendString(append(b, actionOther), string(s))
}

// status reads a membership status.
func (r *journalReader) status() fanclub.MembershipStatus {
	if r.err != nil {
		return ""
	}
	if len(r.b) == 0 {
		r.err = errJournal
		return ""
	}
	c := r.b[0]
	r.b = r.b[1:]
	if c == actionOther {
		return fanclub.MembershipStatus(r.string())
	}
	if int(c) >= len(statusCodes) {
		r.err = errJournal
		return ""
	}
	return statusCodes[c]
}

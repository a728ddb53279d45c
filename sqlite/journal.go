package sqlite

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"fanclub"
)

// The redo journal: each write transaction that changed memberships or
// daily counters stores one state_journal row, in the same SQLite
// transaction, whose body is the change in a compact binary form:
//
//	version byte (1)
//	uvarint n, then n tombstones: varint fan, varint club
//	uvarint n, then n memberships: varint fan, club; status (one byte,
//	    or 0xff and a string; version 1: a string);
//	    varint level, level_points, joined_at, last_interaction_at,
//	    left_at, exits; string retained (JSON, empty for none);
//	    varint rejoin_after, version
//	uvarint n, then n counters: varint fan, club; day front-coded
//	    against the previous counter's (sqlite/compact.go); action (one
//	    byte, or 0xff and a string); varint points (the new absolute
//	    value). Version 1 bodies wrote day and action as strings.
//	uvarint n, then n events: string id; varint fan, club; string action;
//	    varint amount, at (always 0 events now that the behaviour log is
//	    event_log; bodies written before it may list some, which replay
//	    ignores: migration 0003 moved them into event_log)
//	version 3 only: the ledger section (ledgerjournal.go)
//
// Strings are a uvarint length and the bytes; times are Unix nanoseconds
// (0 for the zero time).
const journalVersion = 3

// encodeChange encodes c as a journal body.
func encodeChange(c *change) ([]byte, error) {
	b := make([]byte, 0, 64+80*len(c.members)+40*len(c.counters))
	b = append(b, journalVersion)
	b = binary.AppendUvarint(b, uint64(len(c.tombs)))
	for _, k := range c.tombs {
		b = binary.AppendVarint(b, k.FanID)
		b = binary.AppendVarint(b, k.ClubID)
	}
	b = binary.AppendUvarint(b, uint64(len(c.members)))
	for _, m := range c.members {
		b = binary.AppendVarint(b, m.FanID)
		b = binary.AppendVarint(b, m.ClubID)
		b = appendStatus(b, m.Status)
		for _, v := range [...]int64{int64(m.Level), m.LevelPoints, ts(m.JoinedAt), ts(m.LastInteractionAt), ts(m.LeftAt), int64(m.Exits)} {
			b = binary.AppendVarint(b, v)
		}
		var retained []byte
		if m.Retained != nil {
			var err error
			if retained, err = json.Marshal(m.Retained); err != nil {
				return nil, fmt.Errorf("journal: retained: %w", err)
			}
		}
		b = appendString(b, string(retained))
		b = binary.AppendVarint(b, ts(m.RejoinAfter))
		b = binary.AppendVarint(b, m.Version)
	}
	b = binary.AppendUvarint(b, uint64(len(c.counters)))
	day := ""
	for k, v := range c.counters {
		b = binary.AppendVarint(b, k.FanID)
		b = binary.AppendVarint(b, k.ClubID)
		b = appendFrontCoded(b, day, k.Day)
		b = appendAction(b, k.Action)
		b = binary.AppendVarint(b, v)
		day = k.Day
	}
	// Events live in event_log; journals written before it listed them.
	b = binary.AppendUvarint(b, 0)
	return appendLedger(b, c.led), nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// errJournal reports a journal body that does not decode.
var errJournal = errors.New("journal: malformed body")

// journalReader reads the fields of a journal body.
type journalReader struct {
	b   []byte
	err error
}

// varint reads a signed varint in its shortest form.
func (r *journalReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	var tmp [binary.MaxVarintLen64]byte
	if n <= 0 || binary.PutVarint(tmp[:], v) != n {
		r.err = errJournal
		return 0
	}
	r.b = r.b[n:]
	return v
}

// uvarint reads an unsigned varint in its shortest form: a value has one
// encoding, so a body that decodes re-encodes to the same bytes.
func (r *journalReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	var tmp [binary.MaxVarintLen64]byte
	if n <= 0 || binary.PutUvarint(tmp[:], v) != n {
		r.err = errJournal
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads the length of what follows: a number of bytes or of items
// that take at least one byte each, so never more than the bytes left.
func (r *journalReader) count() int {
	v := r.uvarint()
	if r.err == nil && v > uint64(len(r.b)) {
		r.err = errJournal
		return 0
	}
	return int(v)
}

func (r *journalReader) string() string {
	n := r.count()
	if r.err != nil {
		return ""
	}
	if n > len(r.b) {
		r.err = errJournal
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// decodeChange decodes a journal body.
func decodeChange(body []byte) (*change, error) {
	if len(body) == 0 || body[0] < 1 || body[0] > journalVersion {
		return nil, errJournal
	}
	v1 := body[0] == 1
	r := &journalReader{b: body[1:]}
	c := &change{members: map[fanclub.MemberKey]*fanclub.Membership{}, counters: map[fanclub.CounterKey]int64{}}
	for n := r.count(); n > 0 && r.err == nil; n-- {
		c.tombs = append(c.tombs, fanclub.MemberKey{FanID: r.varint(), ClubID: r.varint()})
	}
	for n := r.count(); n > 0 && r.err == nil; n-- {
		m := &fanclub.Membership{FanID: r.varint(), ClubID: r.varint()}
		if v1 {
			m.Status = fanclub.MembershipStatus(r.string())
		} else {
			m.Status = r.status()
		}
		m.Level = int(r.varint())
		m.LevelPoints = r.varint()
		m.JoinedAt, m.LastInteractionAt, m.LeftAt = fromTS(r.varint()), fromTS(r.varint()), fromTS(r.varint())
		m.Exits = int(r.varint())
		if s := r.string(); s != "" {
			m.Retained = new(fanclub.Retained)
			if err := json.Unmarshal([]byte(s), m.Retained); err != nil {
				return nil, fmt.Errorf("journal: retained: %w", err)
			}
		}
		m.RejoinAfter = fromTS(r.varint())
		m.Version = r.varint()
		c.members[fanclub.MemberKey{FanID: m.FanID, ClubID: m.ClubID}] = m
	}
	day := ""
	for n := r.count(); n > 0 && r.err == nil; n-- {
		k := fanclub.CounterKey{FanID: r.varint(), ClubID: r.varint()}
		if v1 {
			k.Day, k.Action = r.string(), fanclub.Action(r.string())
		} else {
			k.Day = r.frontCoded(day)
			k.Action = r.action()
		}
		day = k.Day
		c.counters[k] = r.varint()
	}
	for n := r.count(); n > 0 && r.err == nil; n-- {
		_, _, _, _ = r.string(), r.varint(), r.varint(), r.string()
		_, _ = r.varint(), r.varint()
	}
	if body[0] >= 3 {
		c.led = r.readLedger()
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, errJournal
	}
	return c, nil
}

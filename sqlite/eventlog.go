package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"fanclub"
)

// The behaviour log is the table event_log: one row per write transaction
// that stored events, holding all of them in its body. Per-event B-tree
// rows (an events table keyed by id and an index by member) cost two
// random inserts per event, which capped ingest far below the events a
// single sequential blob per batch can carry.
//
// Body formats (column format):
//
//	0: JSON, [[id, fan_id, club_id, action, amount, at], ...] (rows moved
//	   from the former events table by migration 0003)
//	1: uvarint n, then n events: id front-coded against the previous
//	   one (uvarint shared prefix length, string rest); varint fan,
//	   club; action (one byte, or 0xff and a string); varint amount;
//	   varint time (Unix nanoseconds) minus the previous event's
//
// Strings are a uvarint length and the bytes (sqlite/compact.go).
const (
	logFormatJSON   = 0
	logFormatBinary = 1
)

// encodeEvents encodes events as a format-1 body.
func encodeEvents(evs []fanclub.Event) []byte {
	b := make([]byte, 0, 16+20*len(evs))
	b = binary.AppendUvarint(b, uint64(len(evs)))
	prev, at := "", int64(0)
	for i := range evs {
		e := &evs[i]
		b = appendFrontCoded(b, prev, e.ID)
		b = binary.AppendVarint(b, e.FanID)
		b = binary.AppendVarint(b, e.ClubID)
		b = appendAction(b, e.Action)
		b = binary.AppendVarint(b, e.Amount)
		b = binary.AppendVarint(b, ts(e.At)-at)
		prev, at = e.ID, ts(e.At)
	}
	return b
}

// decodeEvents decodes a body of the given format.
func decodeEvents(format int, body []byte) ([]fanclub.Event, error) {
	switch format {
	case logFormatBinary:
		r := &journalReader{b: body}
		n := r.count()
		evs := make([]fanclub.Event, 0, n)
		prev, at := "", int64(0)
		for ; n > 0 && r.err == nil; n-- {
			e := fanclub.Event{ID: r.frontCoded(prev), FanID: r.varint(), ClubID: r.varint(), Action: r.action()}
			e.Amount = r.varint()
			at += r.varint()
			e.At = fromTS(at)
			prev = e.ID
			evs = append(evs, e)
		}
		if r.err == nil && len(r.b) != 0 {
			r.err = errJournal
		}
		if r.err != nil {
			return nil, fmt.Errorf("event log: %w", r.err)
		}
		return evs, nil
	case logFormatJSON:
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var rows [][6]any
		if err := dec.Decode(&rows); err != nil {
			return nil, fmt.Errorf("event log: %w", err)
		}
		evs := make([]fanclub.Event, 0, len(rows))
		for _, row := range rows {
			var e fanclub.Event
			var action string
			var ok [6]bool
			e.ID, ok[0] = row[0].(string)
			action, ok[3] = row[3].(string)
			var at int64
			for i, dst := range [...]*int64{1: &e.FanID, 2: &e.ClubID, 4: &e.Amount, 5: &at} {
				if dst == nil {
					continue
				}
				if n, isNum := row[i].(json.Number); isNum {
					v, err := n.Int64()
					*dst, ok[i] = v, err == nil
				}
			}
			if ok != [6]bool{true, true, true, true, true, true} {
				return nil, fmt.Errorf("event log: malformed event %v", row)
			}
			e.Action, e.At = fanclub.Action(action), fromTS(at)
			evs = append(evs, e)
		}
		return evs, nil
	}
	return nil, fmt.Errorf("event log: unknown format %d", format)
}

// readLogRows decodes the given event_log rows visible to the transaction;
// rows committed after its snapshot are skipped.
func (t *Tx) readLogRows(ctx context.Context, ids []int64) (map[int64][]fanclub.Event, error) {
	out := make(map[int64][]fanclub.Event, len(ids))
	for _, id := range ids {
		if _, done := out[id]; done {
			continue
		}
		var (
			format int
			body   []byte
		)
		err := t.queryRow(ctx, qLogRow, id).Scan(&format, &body)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return nil, wrap("event log", err)
		}
		evs, err := decodeEvents(format, body)
		if err != nil {
			return nil, internal(fmt.Sprintf("event log row %d", id), err)
		}
		out[id] = evs
	}
	return out, nil
}

// appendLog stores the events the transaction inserted as one event_log
// row and returns its id (0 when there are none).
func (t *Tx) appendLog(ctx context.Context) (int64, error) {
	if len(t.ch.events) == 0 {
		return 0, nil
	}
	res, err := t.execOne(ctx, qAppendLog, logFormatBinary, encodeEvents(t.ch.events))
	if err != nil {
		return 0, wrap("event log", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, wrap("event log", err)
	}
	return id, nil
}

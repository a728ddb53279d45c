package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"sync"

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

// eventLog is the in-memory index of event_log: which rows may hold an
// event id (by a 64-bit hash of it, so that a stored id costs a map
// entry, not a copy of the id) and which rows hold a member's events.
// A hash names candidate rows only; InsertEvents confirms a match against
// the stored ids, so a hash collision never drops an event.
//
// The index is rebuilt from the table on Open and extended by every
// commit that stores events, and by the rows other handles appended
// (catchUp, under the write lock). mu guards it for readers.
type eventLog struct {
	mu sync.RWMutex
	// adding counts the index updates of committed rows still running
	// (add runs beside the next transaction); readers of the index wait
	// for them (settle).
	adding sync.WaitGroup
	// hash is the index key of an event id (maphash with a per-process
	// seed; tests may replace it to force collisions).
	hash func(id string) uint64
	// ids maps an id hash to the row holding it; more holds the further
	// rows of a hash several rows share.
	ids  map[uint64]int64
	more map[uint64][]int64
	// member maps a member to the newest link of its chain in links: the
	// rows holding its events, newest first. Both hold no pointers, so
	// the garbage collector does not scan them.
	member map[fanclub.MemberKey]int
	links  []logLink
	// last is the largest row indexed.
	last int64
}

func newEventLog() *eventLog {
	seed := maphash.MakeSeed()
	return &eventLog{
		hash: func(id string) uint64 { return maphash.String(seed, id) },
		ids:  map[uint64]int64{}, more: map[uint64][]int64{}, member: map[fanclub.MemberKey]int{},
		links: []logLink{{}}, // link 0 ends every chain
	}
}

// candidates appends to dst the rows that may hold an id with hash h.
func (l *eventLog) candidates(dst []int64, h uint64) []int64 {
	r, ok := l.ids[h]
	if !ok {
		return dst
	}
	return append(append(dst, r), l.more[h]...)
}

// addLocked indexes the events of row; the caller holds mu.
func (l *eventLog) addLocked(row int64, evs []fanclub.Event) {
	for i := range evs {
		e := &evs[i]
		h := l.hash(e.ID)
		if r, ok := l.ids[h]; !ok {
			l.ids[h] = row
		} else if r != row && !slices.Contains(l.more[h], row) {
			l.more[h] = append(l.more[h], row)
		}
		k := fanclub.MemberKey{FanID: e.FanID, ClubID: e.ClubID}
		head := l.member[k]
		if head == 0 || l.links[head].row != row {
			l.links = append(l.links, logLink{row: row, next: head})
			l.member[k] = len(l.links) - 1
		}
	}
	l.last = max(l.last, row)
}

// logLink is one row of a member's chain and the link to the member's
// previous row (0: none).
type logLink struct {
	row  int64
	next int
}

// add indexes, in the background, the events a committed transaction
// stored in row; settle waits for it. Ingest's next batch thus does its
// own work on one core while the index grows on the other.
func (l *eventLog) add(row int64, evs []fanclub.Event) {
	l.adding.Add(1)
	go func() {
		defer l.adding.Done()
		l.mu.Lock()
		defer l.mu.Unlock()
		l.addLocked(row, evs)
	}()
}

// settle waits until every committed row is indexed.
func (l *eventLog) settle() { l.adding.Wait() }

// rowsOf returns a copy of the rows holding k's events.
func (l *eventLog) rowsOf(k fanclub.MemberKey) []int64 {
	l.settle()
	l.mu.RLock()
	defer l.mu.RUnlock()
	var rows []int64
	for i := l.member[k]; i != 0; i = l.links[i].next {
		rows = append(rows, l.links[i].row)
	}
	slices.Reverse(rows)
	return rows
}

// queryer runs a query in a transaction or on a connection.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// catchUp indexes the rows after the last one indexed, in q's snapshot:
// on Open every row, later the rows another handle appended.
func (l *eventLog) catchUp(ctx context.Context, q queryer) error {
	l.settle()
	l.mu.Lock()
	defer l.mu.Unlock()
	rows, err := q.QueryContext(ctx, `SELECT id, format, body FROM event_log WHERE id > ? ORDER BY id`, l.last)
	if err != nil {
		return internal("event log", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id     int64
			format int
			body   []byte
		)
		if err := rows.Scan(&id, &format, &body); err != nil {
			return internal("event log", err)
		}
		evs, err := decodeEvents(format, body)
		if err != nil {
			return internal(fmt.Sprintf("event log row %d", id), err)
		}
		l.addLocked(id, evs)
	}
	if err := rows.Err(); err != nil {
		return internal("event log", err)
	}
	return nil
}

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

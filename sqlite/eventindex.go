package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"sync"
	"time"
	"unsafe"

	"fanclub"
)

// eventLog is the in-memory index of event_log: which rows may hold an
// event id (by a 64-bit hash of it, so that a stored id costs a map
// entry, not a copy of the id) and which rows hold a member's events.
// A hash names candidate rows only; InsertEvents confirms a match against
// the stored ids, so a hash collision never drops an event.
//
// Event ids are deduplicated over a bounded window (Options.DedupeWindow):
// the id index holds the hashes of the events whose time falls in the
// window-long span before now's or later (spans are time / window), one
// map per span. When now enters a new span, the maps of the spans before
// the previous one go whole: an id is remembered for at least the window
// after its event's time and forgotten within twice the window, and the
// index holds about one to two windows of ids however long the log is.
// The member index holds every row that holds a member's events.
//
// The index is rebuilt from the table on Open and extended by every
// commit that stores events, and by the rows other handles appended
// (catchUp, under the write lock). mu guards it for readers.
type eventLog struct {
	mu sync.RWMutex
	// adding counts the index updates of committed rows still running
	// (add runs beside the next transaction); readers of the index wait
	// for them (settle). A WaitGroup would not do: add may start while a
	// reader still waits, which sync.WaitGroup forbids.
	adding inFlight
	// hash is the index key of an event id (maphash with a per-process
	// seed; tests may replace it to force collisions). It must not keep
	// the string it is given (catchUp passes a view of a reused buffer).
	hash func(id string) uint64
	// now is the store's clock; window the dedupe window in nanoseconds.
	now    func() time.Time
	window int64
	// spans holds the id index of each span from first on (firstAt is
	// where first begins); recent is the span spanOf found last, which
	// begins at recentFrom.
	spans      map[int64]*idSpan
	first      int64
	firstAt    int64
	recent     *idSpan
	recentFrom int64
	// member maps a member to the rows holding its events.
	member map[memberKey]memberRows
	// last is the largest row indexed.
	last int64
}

// idSpan is the id index of one span: ids maps an id hash to the row
// holding it; more holds the further rows of a hash several rows share.
type idSpan struct {
	ids  map[uint64]int64
	more map[uint64][]int64
}

// newEventLog returns an empty index whose ids are kept for window,
// reading the time from now.
func newEventLog(now func() time.Time, window time.Duration) *eventLog {
	seed := maphash.MakeSeed()
	return &eventLog{
		hash: func(id string) uint64 { return maphash.String(seed, id) },
		now:  now, window: max(int64(window), 1),
		spans: map[int64]*idSpan{}, member: map[memberKey]memberRows{},
		first: math.MinInt64 / int64(max(window, 1)), firstAt: math.MinInt64,
	}
}

// span is the span of time at (Unix nanoseconds).
func (l *eventLog) span(at int64) int64 {
	s := at / l.window
	if at%l.window < 0 {
		s--
	}
	return s
}

// candidates appends to dst the rows that may hold an id with hash h.
func (l *eventLog) candidates(dst []int64, h uint64) []int64 {
	for _, sp := range l.spans {
		if r, ok := sp.ids[h]; ok {
			dst = append(append(dst, r), sp.more[h]...)
		}
	}
	return dst
}

// expireLocked lets go of the spans before the one before now's; the
// caller holds mu.
func (l *eventLog) expireLocked() {
	first := l.span(ts(l.now())) - 1
	if first <= l.first {
		return
	}
	l.first, l.firstAt = first, first*l.window
	l.recent = nil
	for s := range l.spans {
		if s < first {
			delete(l.spans, s)
		}
	}
}

// indexLocked indexes one event of row, whose id hashes to h; the caller
// holds mu. An event before the first span kept is only recorded under its
// member: its id is outside the window.
func (l *eventLog) indexLocked(row int64, h uint64, at int64, k fanclub.MemberKey) {
	if at >= l.firstAt {
		sp := l.spanOf(at)
		if r, ok := sp.ids[h]; !ok {
			sp.ids[h] = row
		} else if r != row && !slices.Contains(sp.more[h], row) {
			sp.more[h] = append(sp.more[h], row)
		}
	}
	if m := l.member[k]; m.last != row {
		m.add(row)
		l.member[k] = m
	}
	l.last = max(l.last, row)
}

// spanOf returns the id index of at's span, creating it as needed; the
// caller holds mu. Consecutive events mostly share a span: the last one
// found is remembered.
func (l *eventLog) spanOf(at int64) *idSpan {
	if l.recent != nil && at >= l.recentFrom && at < l.recentFrom+l.window {
		return l.recent
	}
	s := l.span(at)
	sp := l.spans[s]
	if sp == nil {
		sp = &idSpan{ids: map[uint64]int64{}, more: map[uint64][]int64{}}
		l.spans[s] = sp
	}
	l.recent, l.recentFrom = sp, s*l.window
	return sp
}

// memberKey is a member's key in the index.
type memberKey = fanclub.MemberKey

// add indexes, in the background, the events a committed transaction
// stored in row; settle waits for it. Ingest's next batch thus does its
// own work on one core while the index grows on the other.
func (l *eventLog) add(row int64, evs []fanclub.Event) {
	l.adding.Add(1)
	go func() {
		defer l.adding.Done()
		l.mu.Lock()
		defer l.mu.Unlock()
		l.expireLocked()
		for i := range evs {
			e := &evs[i]
			l.indexLocked(row, l.hash(e.ID), ts(e.At), fanclub.MemberKey{FanID: e.FanID, ClubID: e.ClubID})
		}
	}()
}

// settle waits until every committed row is indexed.
func (l *eventLog) settle() { l.adding.Wait() }

// inFlight counts running tasks: Add and Done may come at any time, from
// any goroutine, also while others Wait for the count to reach zero.
type inFlight struct {
	mu   sync.Mutex
	zero *sync.Cond // signalled when n returns to zero
	n    int
}

// Add counts one more running task.
func (f *inFlight) Add(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.zero == nil {
		f.zero = sync.NewCond(&f.mu)
	}
	f.n += n
	if f.n == 0 {
		f.zero.Broadcast()
	}
}

// Done counts one task less.
func (f *inFlight) Done() { f.Add(-1) }

// Wait returns once no task is running.
func (f *inFlight) Wait() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.n > 0 {
		f.zero.Wait()
	}
}

// rowsOf returns a copy of the rows holding k's events.
func (l *eventLog) rowsOf(k fanclub.MemberKey) []int64 {
	l.settle()
	l.mu.RLock()
	defer l.mu.RUnlock()
	m := l.member[k]
	return m.rows(nil)
}

// queryer runs a query in a transaction or on a connection.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// catchUp indexes the rows after the last one indexed, in q's snapshot:
// on Open every row, later the rows another handle appended. It scans the
// bodies in place (scanEvents): an id is hashed from a reused buffer, and
// only the events inside the window cost an entry in the id index.
func (l *eventLog) catchUp(ctx context.Context, q queryer) error {
	l.settle()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expireLocked()
	rows, err := q.QueryContext(ctx, `SELECT id, format, body FROM event_log WHERE id > ? ORDER BY id`, l.last)
	if err != nil {
		return internal("event log", err)
	}
	defer rows.Close()
	var (
		id     int64
		format int
		body   sql.RawBytes
		buf    []byte
	)
	index := func(idb []byte, fan, club, at int64) {
		h := l.hash(unsafe.String(unsafe.SliceData(idb), len(idb)))
		l.indexLocked(id, h, at, fanclub.MemberKey{FanID: fan, ClubID: club})
	}
	for rows.Next() {
		if err := rows.Scan(&id, &format, &body); err != nil {
			return internal("event log", err)
		}
		if buf, err = scanEvents(format, body, buf, index); err != nil {
			return internal(fmt.Sprintf("event log row %d", id), err)
		}
	}
	if err := rows.Err(); err != nil {
		return internal("event log", err)
	}
	return nil
}

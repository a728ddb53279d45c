package sqlite

import (
	"maps"
	"slices"
	"sync"

	"fanclub"
)

// overlay is the write-behind state of a DB: the latest committed rows of
// memberships and daily counters that write transactions changed since the
// last checkpoint (dirty entries), plus rows the writer read from the
// tables (clean entries, a cache). It always holds the latest committed
// value of every key it has, so readers consult it before the tables.
// Clubs, which never change once created, are cached as well.
//
// Only the holder of the DB's writer lock changes the overlay; mu guards
// it against concurrent readers.
type overlay struct {
	mu       sync.RWMutex
	members  map[fanclub.MemberKey]*memberEntry
	counters map[ckey]counterEntry
	// names interns the strings of the counters' keys.
	names names
	clubs map[int64]*fanclub.Club
	// counts is the latest committed active member count of every club
	// (see counts.go); countsDirty the clubs whose count changed since
	// the last checkpoint.
	counts      map[int64]int64
	countsDirty map[int64]struct{}
	// dirty counts the dirty entries; journal the journal rows written
	// since the last checkpoint.
	dirty   int
	journal int
	// seen is the largest journal id whose change the overlay includes.
	seen int64
	// horizon, when set, is a day (YYYY-MM-DD) from which on the overlay
	// holds every daily counter that is not zero: a counter of such a day
	// it lacks is 0 without asking the table. Open loads those counters
	// (warm); a reload from the journal, after another handle wrote,
	// clears it.
	horizon string
	// effectFans, when effectsKnown, holds every fan with a row in
	// effects (rows are never deleted): ingest asks the table only for
	// the effects of those fans.
	effectFans   map[int64]struct{}
	effectsKnown bool
	// ledger is the write-behind state of ledger accounts, transfers
	// and gifts (ledgerstate.go).
	ledger *ledgerState

	// A read transaction's table snapshot may predate a checkpoint that
	// ended while it was open, so what a checkpoint lets go of — cached
	// rows beyond the cache size — is kept until every read transaction
	// that began before it has ended. gmu guards epoch (checkpoints
	// completed), open (open read transactions by the epoch they began
	// in) and shrink (the epoch after which surplus clean rows may go, 0
	// for none).
	gmu    sync.Mutex
	epoch  uint64
	open   map[uint64]int
	shrink uint64
	// shrinkAccounts is the epoch after which the clean ledger accounts
	// may go, 0 for none.
	shrinkAccounts uint64
	// nextHorizon is the horizon a pending shrink raises horizon to.
	nextHorizon string
}

// memberEntry is one membership row of the overlay.
type memberEntry struct {
	m     fanclub.Membership
	dirty bool
}

// counterEntry is one daily counter of the overlay.
type counterEntry struct {
	v     int64
	dirty bool
}

func newOverlay() *overlay {
	return &overlay{
		members:     map[fanclub.MemberKey]*memberEntry{},
		counters:    map[ckey]counterEntry{},
		clubs:       map[int64]*fanclub.Club{},
		counts:      map[int64]int64{},
		countsDirty: map[int64]struct{}{},
		effectFans:  map[int64]struct{}{},
		open:        map[uint64]int{},
		ledger:      newLedgerState(),
	}
}

// reserve gives the member and counter maps room for members and
// counters entries, so that ingest does not pay for their growth.
func (o *overlay) reserve(members, counters int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if members > len(o.members) {
		m := make(map[fanclub.MemberKey]*memberEntry, members)
		maps.Copy(m, o.members)
		o.members = m
	}
	if counters > len(o.counters) {
		c := make(map[ckey]counterEntry, counters)
		maps.Copy(c, o.counters)
		o.counters = c
	}
}

// member returns a copy of the overlay's row for k.
func (o *overlay) member(k fanclub.MemberKey) (*fanclub.Membership, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	e, ok := o.members[k]
	if !ok {
		return nil, false
	}
	return copyMembership(&e.m), true
}

// membersInto puts copies of the overlay's rows among keys into out and
// returns the keys it lacks. It takes the lock once, allocates the copies
// together and, for many keys, looks them up on two goroutines: each
// lookup is a random access into a large map, and two cores wait for
// memory side by side.
func (o *overlay) membersInto(keys []fanclub.MemberKey, out map[fanclub.MemberKey]*fanclub.Membership, hints map[fanclub.MemberKey]*memberEntry) []fanclub.MemberKey {
	o.mu.RLock()
	defer o.mu.RUnlock()
	slab := make([]fanclub.Membership, len(keys))
	entries := make([]*memberEntry, len(keys))
	split(len(keys), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			e, ok := o.members[keys[i]]
			if !ok {
				continue
			}
			entries[i] = e
			copyMembershipTo(&slab[i], &e.m)
		}
	})
	var missing []fanclub.MemberKey
	for i, k := range keys {
		if entries[i] == nil {
			missing = append(missing, k)
			continue
		}
		out[k] = &slab[i]
		if hints != nil {
			hints[k] = entries[i]
		}
	}
	return missing
}

// countersInto looks keys up in one pass under the lock (on two
// goroutines for many keys): vals[i] is the overlay's value of keys[i],
// or 0 when the overlay lacks it but holds every counter of its day (from
// the horizon on); known[i] is false when the table decides.
func (o *overlay) countersInto(keys []fanclub.CounterKey, vals []int64, known []bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	packed := make([]ckey, len(keys))
	interned := make([]bool, len(keys))
	p := packer{n: &o.names}
	for i, k := range keys {
		packed[i], interned[i] = p.pack(k)
	}
	split(len(keys), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if interned[i] {
				if e, ok := o.counters[packed[i]]; ok {
					vals[i], known[i] = e.v, true
					continue
				}
			}
			known[i] = o.horizon != "" && keys[i].Day >= o.horizon
		}
	})
}

// splitMin is the size from which split works on two goroutines.
const splitMin = 256

// split runs fn over [0, n): for n of splitMin or more as two halves on
// two goroutines, else at once. fn must only read shared state.
func split(n int, fn func(lo, hi int)) {
	if n < splitMin {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { fn(n/2, n) })
	fn(0, n/2)
	wg.Wait()
}

// hasMember reports whether the overlay holds k.
func (o *overlay) hasMember(k fanclub.MemberKey) bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	_, ok := o.members[k]
	return ok
}

// withEffects returns, in a new slice, the fans among ids that may have
// effects: all of them unless the overlay knows every fan with effects.
func (o *overlay) withEffects(ids []int64) []int64 {
	o.mu.RLock()
	defer o.mu.RUnlock()
	if !o.effectsKnown {
		return slices.Clone(ids)
	}
	out := ids[:0:0]
	for _, id := range ids {
		if _, ok := o.effectFans[id]; ok {
			out = append(out, id)
		}
	}
	return out
}

// addEffectFans records fans that now have effects.
func (o *overlay) addEffectFans(ids []int64) {
	if len(ids) == 0 {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, id := range ids {
		o.effectFans[id] = struct{}{}
	}
}

// club returns the cached club with id.
func (o *overlay) club(id int64) (*fanclub.Club, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	c, ok := o.clubs[id]
	if !ok {
		return nil, false
	}
	cp := *c
	return &cp, true
}

// copyMembership returns a copy of m that shares nothing with it.
func copyMembership(m *fanclub.Membership) *fanclub.Membership {
	var cp fanclub.Membership
	copyMembershipTo(&cp, m)
	return &cp
}

// copyMembershipTo sets *dst to a copy of *src that shares nothing with it.
func copyMembershipTo(dst, src *fanclub.Membership) {
	*dst = *src
	if src.Retained != nil {
		r := *src.Retained
		dst.Retained = &r
	}
}

// change is what one write transaction did to the write-behind state:
// tombstones (DeleteHistory) apply first, then the new rows.
type change struct {
	tombs    []fanclub.MemberKey
	members  map[fanclub.MemberKey]*fanclub.Membership
	counters map[fanclub.CounterKey]int64
	// events are the events stored, for event_log (not journaled).
	events []fanclub.Event
	// hints are the overlay entries of members the transaction read
	// from the overlay: no shrink runs while a write transaction is open,
	// so merging its rows into them needs no second lookup.
	hints map[fanclub.MemberKey]*memberEntry
	// led is what the transaction did to the ledger and the gifts (nil
	// for nothing).
	led *ledgerChange
}

// applyLocked merges a committed change into the overlay as dirty
// entries; the caller holds mu.
func (o *overlay) applyLocked(c *change) {
	o.ledger.applyLocked(c.led)
	for _, k := range c.tombs {
		for ck, e := range o.counters {
			if ck.fan == k.FanID && ck.club == k.ClubID {
				if e.dirty {
					o.dirty--
				}
				delete(o.counters, ck)
			}
		}
	}
	// Members and counters are separate maps: a large change merges them
	// on two goroutines (ingest's batches keep one core busy otherwise).
	if len(c.members) >= parallelApply && len(c.counters) >= parallelApply {
		var wg sync.WaitGroup
		var dm int
		wg.Go(func() { dm = o.applyMembers(c) })
		dc := o.applyCounters(c)
		wg.Wait()
		o.dirty += dm + dc
		return
	}
	o.dirty += o.applyMembers(c) + o.applyCounters(c)
}

// parallelApply is the size from which applyLocked splits its work.
const parallelApply = 256

// applyMembers merges c's memberships and returns how many entries became
// dirty; the caller holds mu.
func (o *overlay) applyMembers(c *change) (dirtied int) {
	for k, m := range c.members {
		e, ok := c.hints[k]
		if !ok {
			if e, ok = o.members[k]; !ok {
				e = &memberEntry{}
				o.members[k] = e
			}
		}
		if !e.dirty {
			dirtied++
		}
		copyMembershipTo(&e.m, m)
		e.dirty = true
	}
	return dirtied
}

// applyCounters merges c's counters and returns how many entries became
// dirty; the caller holds mu.
func (o *overlay) applyCounters(c *change) (dirtied int) {
	p := packer{n: &o.names}
	for k, v := range c.counters {
		ck := p.packNew(k)
		if e := o.counters[ck]; !e.dirty {
			dirtied++
		}
		o.counters[ck] = counterEntry{v: v, dirty: true}
	}
	return dirtied
}

// cache adds rows the writer read from the tables, unless the overlay
// already holds a newer value.
func (o *overlay) cache(members map[fanclub.MemberKey]*fanclub.Membership, counters map[fanclub.CounterKey]int64, clubs map[int64]*fanclub.Club) {
	if len(members) == 0 && len(counters) == 0 && len(clubs) == 0 {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for k, m := range members {
		if _, ok := o.members[k]; !ok {
			e := &memberEntry{}
			copyMembershipTo(&e.m, m)
			o.members[k] = e
		}
	}
	p := packer{n: &o.names}
	for k, v := range counters {
		ck := p.packNew(k)
		if _, ok := o.counters[ck]; !ok {
			o.counters[ck] = counterEntry{v: v}
		}
	}
	for id, c := range clubs {
		cp := *c
		o.clubs[id] = &cp
	}
}

// dirtyRows returns the dirty entries. Only the writer changes entries,
// so the caller (a checkpoint, holding the writer lock) may use the rows
// without copying them.
func (o *overlay) dirtyRows() ([]*fanclub.Membership, []counterRow) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	ms := make([]*fanclub.Membership, 0, min(o.dirty, len(o.members)))
	for _, e := range o.members {
		if e.dirty {
			ms = append(ms, &e.m)
		}
	}
	cs := make([]counterRow, 0, min(o.dirty, len(o.counters)))
	for k, e := range o.counters {
		if e.dirty {
			cs = append(cs, counterRow{o.names.unpack(k), e.v})
		}
	}
	return ms, cs
}

// counterRow is a counter and its value.
type counterRow struct {
	k fanclub.CounterKey
	v int64
}

// flushed marks every entry clean after a checkpoint wrote them and
// starts the next epoch. The clean entries beyond max are let go once the
// read transactions older than the checkpoint have ended (see collect);
// the counters from the horizon on stay, and the horizon rises to
// horizon (a day before which no counter matters to new events any more).
func (o *overlay) flushed(max int, horizon string) {
	o.mu.Lock()
	for _, e := range o.members {
		e.dirty = false
	}
	for k, e := range o.counters {
		if e.dirty {
			o.counters[k] = counterEntry{v: e.v}
		}
	}
	o.dirty, o.journal = 0, 0
	clear(o.countsDirty)
	o.gmu.Lock()
	o.epoch++
	o.ledger.flushedLocked(o.epoch)
	if len(o.ledger.accounts) > max {
		o.shrinkAccounts = o.epoch
	}
	if len(o.members)+len(o.counters) > max {
		o.shrink, o.nextHorizon = o.epoch, horizon
	}
	o.gmu.Unlock()
	o.mu.Unlock()
	o.collect()
}

// beginRead registers a read transaction; call it before the
// transaction's snapshot is taken, and endRead with the result when it
// ends.
func (o *overlay) beginRead() uint64 {
	o.gmu.Lock()
	defer o.gmu.Unlock()
	o.open[o.epoch]++
	return o.epoch
}

// endRead ends a read transaction begun in epoch e.
func (o *overlay) endRead(e uint64) {
	o.gmu.Lock()
	if o.open[e]--; o.open[e] <= 0 {
		delete(o.open, e)
	}
	o.gmu.Unlock()
}

// collect lets go of what no open read transaction needs: a read
// transaction begun in epoch e saw the checkpoints up to e in its
// snapshot. Only the holder of the writer lock calls it (a checkpoint, a
// write transaction beginning), so entries never vanish under a write
// transaction.
func (o *overlay) collect() {
	o.gmu.Lock()
	oldest := o.epoch
	for e := range o.open {
		oldest = min(oldest, e)
	}
	shrink := o.shrink != 0 && oldest >= o.shrink
	horizon := o.nextHorizon
	if shrink {
		o.shrink = 0
	}
	accounts := o.shrinkAccounts != 0 && oldest >= o.shrinkAccounts
	if accounts {
		o.shrinkAccounts = 0
	}
	o.gmu.Unlock()
	o.mu.RLock()
	ledger := o.ledger.collectable(oldest)
	o.mu.RUnlock()
	if !shrink && !accounts && !ledger {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ledger.collectLocked(oldest)
	if accounts {
		o.ledger.shrinkLocked()
	}
	if !shrink {
		return
	}
	if o.horizon != "" && horizon > o.horizon {
		o.horizon = horizon
	}
	for k, e := range o.members {
		if !e.dirty {
			delete(o.members, k)
		}
	}
	for k, e := range o.counters {
		if !e.dirty && (o.horizon == "" || o.names.str(k.day) < o.horizon) {
			delete(o.counters, k)
		}
	}
}

package sqlite

import (
	"cmp"
	"slices"
	"strconv"

	"fanclub"
	"fanclub/ledger"
)

// ledgerState is the write-behind part of the overlay for money: ledger
// accounts, ledger transfers and gifts. A write transaction does not
// touch their tables; its changes go into the journal row it commits (a
// ledger section, see ledgerjournal.go) and, once committed, here. A
// checkpoint writes them into ledger_accounts, ledger_transfers and
// gifts. A gift batch therefore writes one journal row instead of a
// dozen rows with random keys in tables with three or four indexes each.
//
// Every account here holds its latest committed balances (dirty: not yet
// in ledger_accounts; clean: as the table has them). Transfers and gifts
// are kept from their commit until the read transactions that may not
// see the checkpoint that stored them have ended (flushed is that
// checkpoint's epoch, 0 while the row is only in the journal): readers
// merge them with the rows their snapshot holds, deduplicated by seq or
// id. The overlay's mu guards all of it; only the writer changes it.
type ledgerState struct {
	accounts map[ledger.AccountID]*accountEntry
	// transfers and order hold the same entries, by key and by seq.
	transfers map[string]*transferEntry
	order     []*transferEntry
	// resolved holds the state changes of pending transfers the table
	// stores (a post or void of an older pending transfer).
	resolved map[string]*resolvedEntry
	// gifts and giftOrder hold the same entries, by key and by id.
	gifts     map[string]*giftEntry
	giftOrder []*giftEntry
	// nextSeq and nextGift are the next transfer seq and gift id; 0 is
	// unknown (read from the tables by the next write that needs one).
	nextSeq, nextGift int64
	// seenSeq and seenGift are the largest transfer seq and gift id this
	// state accounts for: in the tables when it last read them (Open, a
	// rebuild) or kept here. A rebuild keeps the stored rows beyond them
	// for older readers (see keepStored); 0 is unknown.
	seenSeq, seenGift int64
	// complete is set while accounts holds every account the table has
	// (Open loaded them all): an account it lacks does not exist.
	complete bool
	// pending counts the rows a checkpoint has yet to write;
	// resolvedFlushed whether resolved holds stored entries.
	pending         int
	resolvedFlushed bool
}

type accountEntry struct {
	a     ledger.Account
	dirty bool
}

type transferEntry struct {
	t       ledger.Transfer
	flushed uint64
}

type resolvedEntry struct {
	state   string
	flushed uint64
}

type giftEntry struct {
	g       fanclub.Gift
	flushed uint64
}

func newLedgerState() *ledgerState {
	return &ledgerState{
		accounts:  map[ledger.AccountID]*accountEntry{},
		transfers: map[string]*transferEntry{},
		resolved:  map[string]*resolvedEntry{},
		gifts:     map[string]*giftEntry{},
	}
}

// ledgerChange is what one write transaction did to the ledger and the
// gifts: journaled with its change, applied to the ledgerState at commit.
type ledgerChange struct {
	// accounts are the balances the transaction wrote.
	accounts map[ledger.AccountID]ledger.Account
	// created are the new transfers, by seq, and byKey their index.
	created []ledger.Transfer
	byKey   map[string]int
	// resolved are the new states of pending transfers, by key.
	resolved map[string]string
	// gifts are the new gifts, by id, and giftByKey their index.
	gifts     []fanclub.Gift
	giftByKey map[string]int
	// anon gives the fans whose gifts were anonymised their pseudonym.
	anon []anonymised
}

// anonymised is one fan whose gifts now carry a pseudonym.
type anonymised struct{ fan, pseudonym int64 }

// empty reports whether c changes nothing.
func (c *ledgerChange) empty() bool {
	return c == nil || len(c.accounts) == 0 && len(c.created) == 0 && len(c.resolved) == 0 && len(c.gifts) == 0 && len(c.anon) == 0
}

// applyLocked merges a committed change; the caller holds the overlay's mu.
func (l *ledgerState) applyLocked(c *ledgerChange) {
	if c.empty() {
		return
	}
	for id, a := range c.accounts {
		e, ok := l.accounts[id]
		if !ok {
			e = &accountEntry{}
			l.accounts[id] = e
		}
		if !e.dirty {
			l.pending++
		}
		e.a, e.dirty = a, true
	}
	for _, tr := range c.created {
		e := &transferEntry{t: tr}
		l.transfers[tr.Key] = e
		l.order = append(l.order, e)
		l.pending++
		l.nextSeq = max(l.nextSeq, tr.Seq+1)
		l.seenSeq = max(l.seenSeq, tr.Seq)
	}
	for key, state := range c.resolved {
		e, ok := l.transfers[key]
		if ok {
			// Readers copy entries under the lock: changing one in place
			// is safe.
			e.t.State = state
		}
		if !ok || e.flushed != 0 {
			// The table holds the row: the checkpoint updates it.
			l.resolved[key] = &resolvedEntry{state: state}
			l.pending++
		}
	}
	for _, g := range c.gifts {
		e := &giftEntry{g: g}
		l.gifts[g.Key] = e
		l.giftOrder = append(l.giftOrder, e)
		l.pending++
		l.nextGift = max(l.nextGift, g.ID+1)
		l.seenGift = max(l.seenGift, g.ID)
	}
	for _, a := range c.anon {
		for _, e := range l.giftOrder {
			if e.g.FanID == a.fan {
				if l.gifts[e.g.Key] == e {
					delete(l.gifts, e.g.Key)
				}
				anonymiseGift(&e.g, a.pseudonym)
				l.gifts[e.g.Key] = e
			}
		}
	}
}

// dirty returns what a checkpoint writes: the dirty accounts (by id), the
// transfers and gifts only the journal holds (by seq, by id) and the
// state changes of stored transfers (by key). Only the writer changes
// entries, so the caller (holding the writer lock) may read them unlocked
// after this.
func (l *ledgerState) dirty() (accounts []ledger.Account, transfers []ledger.Transfer, resolved []ledger.Transfer, gifts []fanclub.Gift) {
	for _, e := range l.accounts {
		if e.dirty {
			accounts = append(accounts, e.a)
		}
	}
	slices.SortFunc(accounts, func(a, b ledger.Account) int { return cmp.Compare(a.ID, b.ID) })
	for _, e := range l.order {
		if e.flushed == 0 {
			transfers = append(transfers, e.t)
		}
	}
	for key, e := range l.resolved {
		if e.flushed == 0 {
			resolved = append(resolved, ledger.Transfer{Key: key, State: e.state})
		}
	}
	slices.SortFunc(resolved, func(a, b ledger.Transfer) int { return cmp.Compare(a.Key, b.Key) })
	for _, e := range l.giftOrder {
		if e.flushed == 0 {
			gifts = append(gifts, e.g)
		}
	}
	return accounts, transfers, resolved, gifts
}

// flushedLocked records that the checkpoint of epoch stored every dirty
// row; the caller holds the overlay's mu.
func (l *ledgerState) flushedLocked(epoch uint64) {
	for _, e := range l.accounts {
		e.dirty = false
	}
	for i := len(l.order) - 1; i >= 0 && l.order[i].flushed == 0; i-- {
		l.order[i].flushed = epoch
	}
	for _, e := range l.resolved {
		if e.flushed == 0 {
			e.flushed = epoch
			l.resolvedFlushed = true
		}
	}
	for i := len(l.giftOrder) - 1; i >= 0 && l.giftOrder[i].flushed == 0; i-- {
		l.giftOrder[i].flushed = epoch
	}
	l.pending = 0
}

// collectLocked lets go of the stored rows every open read transaction's
// snapshot holds: those a checkpoint of an epoch up to oldest stored. A
// checkpoint stores every row kept so far, so the stored rows are a
// prefix of order and of giftOrder, in checkpoint order. The caller holds
// the overlay's mu.
func (l *ledgerState) collectLocked(oldest uint64) {
	gone := func(flushed uint64) bool { return flushed != 0 && flushed <= oldest }
	n := 0
	for n < len(l.order) && gone(l.order[n].flushed) {
		if e := l.order[n]; l.transfers[e.t.Key] == e {
			delete(l.transfers, e.t.Key)
		}
		n++
	}
	if n > 0 {
		l.order = slices.Delete(l.order, 0, n)
	}
	n = 0
	for n < len(l.giftOrder) && gone(l.giftOrder[n].flushed) {
		if e := l.giftOrder[n]; l.gifts[e.g.Key] == e {
			delete(l.gifts, e.g.Key)
		}
		n++
	}
	if n > 0 {
		l.giftOrder = slices.Delete(l.giftOrder, 0, n)
	}
	if l.resolvedFlushed {
		l.resolvedFlushed = false
		for key, e := range l.resolved {
			if gone(e.flushed) {
				delete(l.resolved, key)
			} else if e.flushed != 0 {
				l.resolvedFlushed = true
			}
		}
	}
}

// shrinkLocked lets go of the clean accounts; the caller holds the
// overlay's mu and calls it only when no read transaction older than the
// checkpoint that asked for it is open (a clean account may then be read
// from the table again).
func (l *ledgerState) shrinkLocked() {
	l.complete = false
	for id, e := range l.accounts {
		if !e.dirty {
			delete(l.accounts, id)
		}
	}
}

// collectable reports whether collectLocked(oldest) would let go of
// anything; the caller holds the overlay's mu (read or write).
func (l *ledgerState) collectable(oldest uint64) bool {
	gone := func(flushed uint64) bool { return flushed != 0 && flushed <= oldest }
	return len(l.order) > 0 && gone(l.order[0].flushed) || len(l.giftOrder) > 0 && gone(l.giftOrder[0].flushed) || l.resolvedFlushed
}

// keepStored adds, in l (just rebuilt), rows another handle's checkpoint
// stored that this state never held (tables' rows beyond the old state's
// seenSeq and seenGift), as stored by the checkpoint of epoch: a read
// transaction whose snapshot predates them would otherwise see later
// rows without them. Then l accounts for the tables up to maxSeq and
// maxGift. The caller holds the overlay's mu.
func (l *ledgerState) keepStored(trs []ledger.Transfer, gifts []fanclub.Gift, maxSeq, maxGift int64, epoch uint64) {
	for _, tr := range trs {
		if _, ok := l.transfers[tr.Key]; !ok {
			e := &transferEntry{t: tr, flushed: epoch}
			l.transfers[tr.Key] = e
			l.order = append(l.order, e)
		}
	}
	slices.SortStableFunc(l.order, func(a, b *transferEntry) int { return cmp.Compare(a.t.Seq, b.t.Seq) })
	for _, g := range gifts {
		if _, ok := l.gifts[g.Key]; !ok {
			e := &giftEntry{g: g, flushed: epoch}
			l.gifts[g.Key] = e
			l.giftOrder = append(l.giftOrder, e)
		}
	}
	slices.SortStableFunc(l.giftOrder, func(a, b *giftEntry) int { return cmp.Compare(a.g.ID, b.g.ID) })
	l.seenSeq, l.seenGift = max(l.seenSeq, maxSeq), max(l.seenGift, maxGift)
}

// carryOver keeps, in l (just rebuilt from the journal), the transfers,
// gifts and states of old that l lacks: rows another handle's checkpoint
// stored, or that a checkpoint of this one stored, which read
// transactions older than epoch may not see in their snapshot. They count
// as stored by the checkpoint of epoch. The caller holds the overlay's mu.
func (l *ledgerState) carryOver(old *ledgerState, epoch uint64) {
	stored := func(f uint64) uint64 {
		if f == 0 {
			return epoch
		}
		return f
	}
	var order []*transferEntry
	for _, oe := range old.order {
		if _, ok := l.transfers[oe.t.Key]; ok {
			continue
		}
		e := &transferEntry{t: oe.t, flushed: stored(oe.flushed)}
		if r, ok := l.resolved[e.t.Key]; ok {
			e.t.State = r.state
		}
		l.transfers[e.t.Key] = e
		order = append(order, e)
	}
	l.order = append(order, l.order...)
	slices.SortStableFunc(l.order, func(a, b *transferEntry) int { return cmp.Compare(a.t.Seq, b.t.Seq) })
	var gifts []*giftEntry
	for _, oe := range old.giftOrder {
		if _, ok := l.gifts[oe.g.Key]; ok {
			continue
		}
		e := &giftEntry{g: oe.g, flushed: stored(oe.flushed)}
		l.gifts[e.g.Key] = e
		gifts = append(gifts, e)
	}
	l.giftOrder = append(gifts, l.giftOrder...)
	slices.SortStableFunc(l.giftOrder, func(a, b *giftEntry) int { return cmp.Compare(a.g.ID, b.g.ID) })
	for k, r := range old.resolved {
		if _, ok := l.resolved[k]; !ok {
			l.resolved[k] = &resolvedEntry{state: r.state, flushed: stored(r.flushed)}
			l.resolvedFlushed = true
		}
	}
}

// transfersAfter returns copies of the kept transfers with seq > after
// that touch account ("" for any), by seq.
func (l *ledgerState) transfersAfter(account ledger.AccountID, after int64) []ledger.Transfer {
	i, _ := slices.BinarySearchFunc(l.order, after+1, func(x *transferEntry, s int64) int { return cmp.Compare(x.t.Seq, s) })
	var out []ledger.Transfer
	for _, e := range l.order[i:] {
		if account == "" || e.t.Debit == account || e.t.Credit == account {
			out = append(out, e.t)
		}
	}
	return out
}

// giftsWhere returns copies of the kept gifts keep accepts, by id.
func (l *ledgerState) giftsWhere(keep func(*fanclub.Gift) bool) []fanclub.Gift {
	var out []fanclub.Gift
	for _, e := range l.giftOrder {
		if keep(&e.g) {
			out = append(out, e.g)
		}
	}
	return out
}

// accountsInto puts the overlay's accounts among ids into out and
// returns the ids it lacks.
func (o *overlay) accountsInto(ids []ledger.AccountID, out map[ledger.AccountID]ledger.Account) []ledger.AccountID {
	if len(ids) == 0 {
		return nil
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	var rest []ledger.AccountID
	for _, id := range ids {
		if e, ok := o.ledger.accounts[id]; ok {
			out[id] = e.a
		} else if !o.ledger.complete {
			rest = append(rest, id)
		}
	}
	return rest
}

// cacheAccounts adds accounts the writer read from the table, unless the
// overlay holds them already.
func (o *overlay) cacheAccounts(read map[ledger.AccountID]ledger.Account) {
	if len(read) == 0 {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for id, a := range read {
		if _, ok := o.ledger.accounts[id]; !ok {
			o.ledger.accounts[id] = &accountEntry{a: a}
		}
	}
}

// transfersInto puts the overlay's transfers among keys into out and
// returns the keys it lacks.
func (o *overlay) transfersInto(keys []string, out map[string]ledger.Transfer) []string {
	if len(keys) == 0 {
		return nil
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	var rest []string
	for _, k := range keys {
		if e, ok := o.ledger.transfers[k]; ok {
			out[k] = e.t
		} else {
			rest = append(rest, k)
		}
	}
	return rest
}

// resolveStates gives the transfers of m among keys the states the
// overlay has for them (a post or void the table does not have yet).
func (o *overlay) resolveStates(m map[string]ledger.Transfer, keys []string) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	for _, k := range keys {
		o.ledger.fixState(m, k)
	}
}

// fixState gives m[k], when present, the state the overlay has for it;
// the caller holds the overlay's mu.
func (l *ledgerState) fixState(m map[string]ledger.Transfer, k string) {
	tr, ok := m[k]
	if !ok {
		return
	}
	if e, ok := l.transfers[k]; ok {
		tr = e.t
	} else if r, ok := l.resolved[k]; ok {
		tr.State = r.state
	} else {
		return
	}
	m[k] = tr
}

// transfersOver lays the overlay over transfers a read transaction found
// in its table snapshot (m, by key, for keys): under one lock, the
// overlay's transfers among keys replace or join them and the states it
// has apply, so that what m holds is as of one moment.
func (o *overlay) transfersOver(m map[string]ledger.Transfer, keys []string) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	for _, k := range keys {
		if e, ok := o.ledger.transfers[k]; ok {
			m[k] = e.t
			continue
		}
		o.ledger.fixState(m, k)
	}
}

// transfersView returns copies of the overlay's transfers with seq >
// after that touch account ("" for any), by seq, and gives the transfers
// of stored (a read of the table) the states the overlay has for them,
// under one lock: a post and the state it changed are seen together.
func (o *overlay) transfersView(account ledger.AccountID, after int64, stored []ledger.Transfer) []ledger.Transfer {
	o.mu.RLock()
	defer o.mu.RUnlock()
	l := o.ledger
	for i := range stored {
		if e, ok := l.transfers[stored[i].Key]; ok {
			stored[i] = e.t
		} else if r, ok := l.resolved[stored[i].Key]; ok {
			stored[i].State = r.state
		}
	}
	return l.transfersAfter(account, after)
}

// giftsInto puts the overlay's gifts among keys into out and returns the
// keys it lacks.
func (o *overlay) giftsInto(keys []string, out map[string]*fanclub.Gift) []string {
	if len(keys) == 0 {
		return nil
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	var rest []string
	for _, k := range keys {
		if e, ok := o.ledger.gifts[k]; ok {
			g := e.g
			out[k] = &g
		} else {
			rest = append(rest, k)
		}
	}
	return rest
}

// giftsWhere returns copies of the overlay's gifts keep accepts, by id.
func (o *overlay) giftsWhere(keep func(*fanclub.Gift) bool) []fanclub.Gift {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.ledger.giftsWhere(keep)
}

// unflushedGifts counts the overlay's gifts of fan that only the journal
// holds.
func (o *overlay) unflushedGifts(fan int64) int64 {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var n int64
	for _, e := range o.ledger.giftOrder {
		if e.flushed == 0 && e.g.FanID == fan {
			n++
		}
	}
	return n
}

// nextNumbers returns the overlay's next transfer seq and gift id (0 for
// unknown).
func (o *overlay) nextNumbers() (seq, gift int64) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.ledger.nextSeq, o.ledger.nextGift
}

// mergeBy merges lists of rows into one, by the number num gives each,
// in ascending order; a row whose number an earlier list had replaces it
// (later lists are newer).
func mergeBy[T any](lists [3][]T, num func(T) int64) []T {
	idx := map[int64]int{}
	var out []T
	for _, list := range lists {
		for _, v := range list {
			if i, ok := idx[num(v)]; ok {
				out[i] = v
				continue
			}
			idx[num(v)] = len(out)
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b T) int { return cmp.Compare(num(a), num(b)) })
	return out
}

// anonymiseGift gives g the pseudonym and a key that names only its id,
// as the table's anonymisation does.
func anonymiseGift(g *fanclub.Gift, pseudonym int64) {
	g.FanID, g.Key = pseudonym, "anonymised/"+strconv.FormatInt(g.ID, 10)
}

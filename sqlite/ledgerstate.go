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
// are kept (keptrows.go) from their commit until the read transactions
// that may not see the checkpoint that stored them have ended: readers
// merge them with the rows their snapshot holds, deduplicated by seq or
// id. The overlay's mu guards all of it; only the writer changes it.
type ledgerState struct {
	accounts  map[ledger.AccountID]*accountEntry
	transfers keptRows[ledger.Transfer]
	gifts     keptRows[fanclub.Gift]
	// resolved holds the state changes of pending transfers the table
	// stores (a post or void of an older pending transfer).
	resolved map[string]*resolvedEntry
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

type resolvedEntry struct {
	state   string
	flushed uint64
}

func newLedgerState() *ledgerState {
	return &ledgerState{
		accounts: map[ledger.AccountID]*accountEntry{},
		transfers: newKeptRows(func(t *ledger.Transfer) string { return t.Key },
			func(t *ledger.Transfer) int64 { return t.Seq }),
		gifts:    newKeptRows(func(g *fanclub.Gift) string { return g.Key }, func(g *fanclub.Gift) int64 { return g.ID }),
		resolved: map[string]*resolvedEntry{},
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
		l.transfers.add(tr, 0)
		l.nextSeq = max(l.nextSeq, tr.Seq+1)
		l.seenSeq = max(l.seenSeq, tr.Seq)
	}
	l.pending += len(c.created)
	for key, state := range c.resolved {
		e, ok := l.transfers.get(key)
		if ok {
			// Readers copy entries under the lock: changing one in place
			// is safe.
			e.v.State = state
		}
		if !ok || e.flushed != 0 {
			// The table holds the row: the checkpoint updates it.
			l.resolved[key] = &resolvedEntry{state: state}
			l.pending++
		}
	}
	for _, g := range c.gifts {
		l.gifts.add(g, 0)
		l.nextGift = max(l.nextGift, g.ID+1)
		l.seenGift = max(l.seenGift, g.ID)
	}
	l.pending += len(c.gifts)
	for _, a := range c.anon {
		for _, e := range l.gifts.order {
			if e.v.FanID == a.fan {
				old := e.v.Key
				anonymiseGift(&e.v, a.pseudonym)
				l.gifts.rekey(e, old)
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
	for key, e := range l.resolved {
		if e.flushed == 0 {
			resolved = append(resolved, ledger.Transfer{Key: key, State: e.state})
		}
	}
	slices.SortFunc(resolved, func(a, b ledger.Transfer) int { return cmp.Compare(a.Key, b.Key) })
	return accounts, l.transfers.unflushed(), resolved, l.gifts.unflushed()
}

// flushedLocked records that the checkpoint of epoch stored every dirty
// row; the caller holds the overlay's mu.
func (l *ledgerState) flushedLocked(epoch uint64) {
	for _, e := range l.accounts {
		e.dirty = false
	}
	l.transfers.markFlushed(epoch)
	l.gifts.markFlushed(epoch)
	for _, e := range l.resolved {
		if e.flushed == 0 {
			e.flushed = epoch
			l.resolvedFlushed = true
		}
	}
	l.pending = 0
}

// collectLocked lets go of the stored rows every open read transaction's
// snapshot holds: those a checkpoint of an epoch up to oldest stored. The
// caller holds the overlay's mu.
func (l *ledgerState) collectLocked(oldest uint64) {
	l.transfers.collect(oldest)
	l.gifts.collect(oldest)
	if !l.resolvedFlushed {
		return
	}
	l.resolvedFlushed = false
	for key, e := range l.resolved {
		if gone(e.flushed, oldest) {
			delete(l.resolved, key)
		} else if e.flushed != 0 {
			l.resolvedFlushed = true
		}
	}
}

// collectable reports whether collectLocked(oldest) would let go of
// anything; the caller holds the overlay's mu (read or write).
func (l *ledgerState) collectable(oldest uint64) bool {
	return l.transfers.collectable(oldest) || l.gifts.collectable(oldest) || l.resolvedFlushed
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

// carryOver keeps, in l (just rebuilt from the journal), the transfers,
// gifts and states of old that l lacks: rows another handle's checkpoint
// stored, or that a checkpoint of this one stored, which read
// transactions older than epoch may not see in their snapshot. They count
// as stored by the checkpoint of epoch. The caller holds the overlay's mu.
func (l *ledgerState) carryOver(old *ledgerState, epoch uint64) {
	l.transfers.carryOver(&old.transfers, epoch, func(t *ledger.Transfer) {
		if r, ok := l.resolved[t.Key]; ok {
			t.State = r.state
		}
	})
	l.gifts.carryOver(&old.gifts, epoch, func(*fanclub.Gift) {})
	for k, r := range old.resolved {
		if _, ok := l.resolved[k]; !ok {
			l.resolved[k] = &resolvedEntry{state: r.state, flushed: cmp.Or(r.flushed, epoch)}
			l.resolvedFlushed = true
		}
	}
}

// keepStored adds, in l (just rebuilt), rows another handle's checkpoint
// stored that this state never held (tables' rows beyond the old state's
// seenSeq and seenGift), as stored by the checkpoint of epoch: a read
// transaction whose snapshot predates them would otherwise see later
// rows without them. Then l accounts for the tables up to maxSeq and
// maxGift. The caller holds the overlay's mu.
func (l *ledgerState) keepStored(trs []ledger.Transfer, gifts []fanclub.Gift, maxSeq, maxGift int64, epoch uint64) {
	l.transfers.keepStored(trs, epoch)
	l.gifts.keepStored(gifts, epoch)
	l.seenSeq, l.seenGift = max(l.seenSeq, maxSeq), max(l.seenGift, maxGift)
}

// transfersAfter returns copies of the kept transfers with seq > after
// that touch account ("" for any), by seq.
func (l *ledgerState) transfersAfter(account ledger.AccountID, after int64) []ledger.Transfer {
	order := l.transfers.order
	i, _ := slices.BinarySearchFunc(order, after+1, func(x *kept[ledger.Transfer], s int64) int { return cmp.Compare(x.v.Seq, s) })
	var out []ledger.Transfer
	for _, e := range order[i:] {
		if account == "" || e.v.Debit == account || e.v.Credit == account {
			out = append(out, e.v)
		}
	}
	return out
}

// anonymiseGift gives g the pseudonym and a key that names only its id,
// as the table's anonymisation does.
func anonymiseGift(g *fanclub.Gift, pseudonym int64) {
	g.FanID, g.Key = pseudonym, "anonymised/"+strconv.FormatInt(g.ID, 10)
}

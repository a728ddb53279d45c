package sqlite

import (
	"fanclub"
	"fanclub/ledger"
)

// The overlay's readers of the ledger's write-behind state (ledgerState):
// each takes the overlay's read lock once and copies what it returns.

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
	return o.ledger.transfers.into(keys, func(k string, t ledger.Transfer) { out[k] = t })
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
	if e, ok := l.transfers.get(k); ok {
		tr = e.v
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
		if e, ok := o.ledger.transfers.byKey[k]; ok {
			m[k] = e.v
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
		if e, ok := l.transfers.get(stored[i].Key); ok {
			stored[i] = e.v
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
	return o.ledger.gifts.into(keys, func(k string, g fanclub.Gift) { out[k] = &g })
}

// giftsWhere returns copies of the overlay's gifts keep accepts, by id.
func (o *overlay) giftsWhere(keep func(*fanclub.Gift) bool) []fanclub.Gift {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.ledger.gifts.where(keep)
}

// unflushedGifts counts the overlay's gifts of fan that only the journal
// holds.
func (o *overlay) unflushedGifts(fan int64) int64 {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var n int64
	for _, e := range o.ledger.gifts.order {
		if e.flushed == 0 && e.v.FanID == fan {
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

package ledger

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Store is what Post needs from a transaction. The fanclub stores
// implement it in a write transaction (fanclub.LedgerTx); Book implements
// it in memory.
type Store interface {
	// LockAccounts returns the current state of accounts, creating the
	// missing ones with zero balances and the given asset and flags. In
	// a write transaction on PostgreSQL the rows stay locked (FOR
	// UPDATE, taken in ID order) until the transaction ends.
	LockAccounts(ctx context.Context, accounts []Account) (map[AccountID]Account, error)
	// FindTransfers returns the stored transfers among keys; missing keys
	// are absent from the map.
	FindTransfers(ctx context.Context, keys []string) (map[string]Transfer, error)
	// SaveTransfers inserts created (in order, assigning each its Seq in
	// the slice), updates the State of resolved pending transfers and
	// writes accounts' balances.
	SaveTransfers(ctx context.Context, created, resolved []Transfer, accounts []Account) error
}

// maxKey bounds the length of keys, in bytes.
const maxKey = 200

// Post posts transfers in order, all or none: a later transfer sees the
// effects of the earlier ones, and when one fails Post returns its error
// and calls nothing that writes (a store error from SaveTransfers leaves
// the caller's transaction to roll back). It returns the stored
// transfers: the new ones with their Seq and At (at, in UTC), and for a
// key already stored with the same content the stored transfer
// (changing nothing); the same key with other content is EKeyConflict.
// The Seq, State and At a caller passes are ignored.
//
// Errors are *Error (see the E… codes) or the store's errors, wrapped.
func Post(ctx context.Context, s Store, at time.Time, transfers ...Transfer) ([]Transfer, error) {
	if len(transfers) == 0 {
		return []Transfer{}, nil
	}
	at = at.UTC()
	var keys []string
	for i := range transfers {
		if err := validate(i, &transfers[i]); err != nil {
			return nil, err
		}
		keys = append(keys, transfers[i].Key)
		if transfers[i].PendingKey != "" {
			keys = append(keys, transfers[i].PendingKey)
		}
	}
	slices.Sort(keys)
	known, err := s.FindTransfers(ctx, slices.Compact(keys))
	if err != nil {
		return nil, fmt.Errorf("ledger: find transfers: %w", err)
	}
	p := &posting{at: at, known: known, batch: map[string]int{}, resolved: map[string]bool{}}
	if p.accounts, err = lockAccounts(ctx, s, known, transfers); err != nil {
		return nil, err
	}
	results := make([]Transfer, len(transfers))
	fromBatch := make([]int, len(transfers))
	for i := range transfers {
		if fromBatch[i], err = p.post(i, &transfers[i], &results[i]); err != nil {
			return nil, err
		}
	}
	if len(p.created) == 0 {
		return results, nil
	}
	var resolved []Transfer
	for k := range p.resolved {
		resolved = append(resolved, p.known[k])
	}
	slices.SortFunc(resolved, func(a, b Transfer) int { return cmpString(a.Key, b.Key) })
	var changed []Account
	for _, id := range sortedIDs(p.changed) {
		changed = append(changed, p.accounts[id])
	}
	if err := s.SaveTransfers(ctx, p.created, resolved, changed); err != nil {
		return nil, fmt.Errorf("ledger: save transfers: %w", err)
	}
	for i, j := range fromBatch {
		if j >= 0 {
			results[i] = p.created[j]
		}
	}
	return results, nil
}

// posting is the working state of one Post.
type posting struct {
	at time.Time
	// known are the stored transfers read, updated as pending ones are resolved.
	known map[string]Transfer
	// accounts are the locked accounts, updated transfer by transfer.
	accounts map[AccountID]Account
	changed  map[AccountID]bool
	created  []Transfer
	// batch maps the keys of created to their index.
	batch map[string]int
	// resolved are the keys of stored pending transfers resolved.
	resolved map[string]bool
}

// lockAccounts locks every account the transfers touch, in ID order.
func lockAccounts(ctx context.Context, s Store, known map[string]Transfer, ts []Transfer) (map[AccountID]Account, error) {
	need := map[AccountID]bool{}
	for i := range ts {
		t := &ts[i]
		if _, ok := known[t.Key]; ok {
			continue
		}
		for _, id := range []AccountID{t.Debit, t.Credit} {
			if id != "" {
				need[id] = true
			}
		}
		if pt, ok := known[t.PendingKey]; ok && t.resolves() {
			need[pt.Debit], need[pt.Credit] = true, true
		}
	}
	var want []Account
	for _, id := range sortedIDs(need) {
		a, err := ParseAccountID(id)
		if err != nil {
			return nil, err
		}
		want = append(want, a)
	}
	if len(want) == 0 {
		return map[AccountID]Account{}, nil
	}
	got, err := s.LockAccounts(ctx, want)
	if err != nil {
		return nil, fmt.Errorf("ledger: lock accounts: %w", err)
	}
	for _, a := range want {
		g, ok := got[a.ID]
		if !ok || g.Asset != a.Asset || g.Flags != a.Flags {
			return nil, fmt.Errorf("ledger: the store returned account %s as %+v, want asset %s flags %d", a.ID, g, a.Asset, a.Flags)
		}
	}
	return got, nil
}

// post applies transfer i (t) and sets *out to its result; it returns the
// index in p.created of the result, -1 for a replay of a stored transfer.
func (p *posting) post(i int, t *Transfer, out *Transfer) (int, error) {
	where := fmt.Sprintf("transfer %d (key %q)", i, t.Key)
	if j, ok := p.batch[t.Key]; ok {
		if !sameContent(t, &p.created[j]) {
			return 0, errorf(EKeyConflict, "%s: the key was used earlier in this batch for another transfer", where)
		}
		return j, nil
	}
	if st, ok := p.known[t.Key]; ok {
		if !sameContent(t, &st) {
			return 0, errorf(EKeyConflict, "%s: the key is used by stored transfer %d (%s %d %s from %s to %s)",
				where, st.Seq, st.Code, st.Amount, st.Asset, st.Debit, st.Credit)
		}
		*out = st
		return -1, nil
	}
	nt := *t
	nt.Seq, nt.State, nt.At = 0, "", p.at
	var pend *Transfer
	var stored bool
	if t.resolves() {
		var err error
		if pend, stored, err = p.pending(where, t); err != nil {
			return 0, err
		}
		nt.Debit, nt.Credit, nt.Asset = pend.Debit, pend.Credit, pend.Asset
		if t.Flags == VoidPending || t.Amount == 0 {
			nt.Amount = pend.Amount
		}
	} else if t.Flags == Pending {
		nt.State = StatePending
	}
	dr, cr := p.accounts[nt.Debit], p.accounts[nt.Credit]
	for _, a := range []Account{dr, cr} {
		if a.Asset != nt.Asset {
			return 0, errorf(EInvalid, "%s: asset %s, but account %s holds %s", where, nt.Asset, a.ID, a.Asset)
		}
	}
	var ok [6]bool
	switch nt.Flags {
	case 0:
		dr.DebitsPosted, ok[0] = add(dr.DebitsPosted, nt.Amount)
		cr.CreditsPosted, ok[1] = add(cr.CreditsPosted, nt.Amount)
		ok[2], ok[3], ok[4], ok[5] = true, true, true, true
	case Pending:
		dr.DebitsPending, ok[0] = add(dr.DebitsPending, nt.Amount)
		cr.CreditsPending, ok[1] = add(cr.CreditsPending, nt.Amount)
		ok[2], ok[3], ok[4], ok[5] = true, true, true, true
	default:
		dr.DebitsPending, ok[0] = sub(dr.DebitsPending, pend.Amount)
		cr.CreditsPending, ok[1] = sub(cr.CreditsPending, pend.Amount)
		ok[4], ok[5] = true, true
		if nt.Flags == PostPending {
			dr.DebitsPosted, ok[2] = add(dr.DebitsPosted, nt.Amount)
			cr.CreditsPosted, ok[3] = add(cr.CreditsPosted, nt.Amount)
		} else {
			ok[2], ok[3] = true, true
		}
	}
	for _, o := range ok {
		if !o {
			return 0, errorf(EOverflow, "%s: %s of %d %s from %s to %s overflows an int64 balance",
				where, t.kind(), nt.Amount, nt.Asset, nt.Debit, nt.Credit)
		}
	}
	for _, a := range []*Account{&dr, &cr} {
		if err := checkFlags(where, a, &nt); err != nil {
			return 0, err
		}
	}
	p.accounts[dr.ID], p.accounts[cr.ID] = dr, cr
	if p.changed == nil {
		p.changed = map[AccountID]bool{}
	}
	p.changed[dr.ID], p.changed[cr.ID] = true, true
	if pend != nil {
		pend.State = StatePosted
		if nt.Flags == VoidPending {
			pend.State = StateVoided
		}
		if stored {
			p.known[pend.Key] = *pend
			p.resolved[pend.Key] = true
		}
	}
	p.created = append(p.created, nt)
	p.batch[nt.Key] = len(p.created) - 1
	*out = nt
	return len(p.created) - 1, nil
}

// pending returns the unresolved pending transfer a post or void names,
// after checking the post or void against it, and whether it is a stored
// one (else one created earlier in the batch, which the pointer points
// to).
func (p *posting) pending(where string, t *Transfer) (pend *Transfer, stored bool, err error) {
	if j, ok := p.batch[t.PendingKey]; ok {
		pend = &p.created[j]
	} else if st, ok := p.known[t.PendingKey]; ok {
		pend, stored = &st, true
	}
	if pend == nil || pend.Flags != Pending {
		return nil, false, errorf(EPendingNotFound, "%s: %s names %q, which is not a pending transfer", where, t.kind(), t.PendingKey)
	}
	if pend.State != StatePending {
		return nil, false, errorf(EPendingResolved, "%s: pending transfer %q was already %s", where, t.PendingKey, pend.State)
	}
	if t.Debit != "" && t.Debit != pend.Debit || t.Credit != "" && t.Credit != pend.Credit || t.Asset != "" && t.Asset != pend.Asset {
		return nil, false, errorf(EInvalid, "%s: %s from %s to %s in %s, but pending transfer %q is from %s to %s in %s",
			where, t.kind(), t.Debit, t.Credit, t.Asset, t.PendingKey, pend.Debit, pend.Credit, pend.Asset)
	}
	if t.Flags == PostPending && t.Amount > pend.Amount {
		return nil, false, errorf(EInvalid, "%s: posts %d, more than pending transfer %q reserved (%d)", where, t.Amount, t.PendingKey, pend.Amount)
	}
	if t.Flags == VoidPending && t.Amount != 0 && t.Amount != pend.Amount {
		return nil, false, errorf(EInvalid, "%s: voids %d, but pending transfer %q reserved %d (give 0 or all of it)", where, t.Amount, t.PendingKey, pend.Amount)
	}
	return pend, stored, nil
}

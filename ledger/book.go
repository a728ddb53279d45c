package ledger

import (
	"context"
	"slices"
	"sync"
)

// Book is an in-memory ledger store: tests use it, and so can a
// simulation. Its zero value is empty and ready. It is safe for
// concurrent use, but Post on a Book is atomic only when one Post runs at
// a time; posts that fail store nothing (Post calls SaveTransfers only
// once everything checked out, and LockAccounts of a Book does not keep
// the zero accounts it returns).
type Book struct {
	mu        sync.Mutex
	accounts  map[AccountID]Account
	transfers []Transfer
	byKey     map[string]int
}

var _ Store = (*Book)(nil)

// LockAccounts returns the accounts' state; a missing one is returned
// with zero balances (it is stored by the first transfer that touches it).
func (b *Book) LockAccounts(_ context.Context, accounts []Account) (map[AccountID]Account, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[AccountID]Account, len(accounts))
	for _, a := range accounts {
		if got, ok := b.accounts[a.ID]; ok {
			out[a.ID] = got
		} else {
			out[a.ID] = Account{ID: a.ID, Asset: a.Asset, Flags: a.Flags}
		}
	}
	return out, nil
}

// FindTransfers returns the stored transfers among keys.
func (b *Book) FindTransfers(_ context.Context, keys []string) (map[string]Transfer, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]Transfer{}
	for _, k := range keys {
		if i, ok := b.byKey[k]; ok {
			out[k] = b.transfers[i]
		}
	}
	return out, nil
}

// SaveTransfers appends created (numbering them 1, 2, … in order),
// updates the state of resolved ones and stores accounts.
func (b *Book) SaveTransfers(_ context.Context, created, resolved []Transfer, accounts []Account) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byKey == nil {
		b.byKey, b.accounts = map[string]int{}, map[AccountID]Account{}
	}
	for _, t := range created {
		if _, ok := b.byKey[t.Key]; ok {
			return errorf(EKeyConflict, "transfer key %q is already stored", t.Key)
		}
	}
	for i := range created {
		created[i].Seq = int64(len(b.transfers) + 1)
		b.byKey[created[i].Key] = len(b.transfers)
		b.transfers = append(b.transfers, created[i])
	}
	for _, t := range resolved {
		if i, ok := b.byKey[t.Key]; ok {
			b.transfers[i].State = t.State
		}
	}
	for _, a := range accounts {
		b.accounts[a.ID] = a
	}
	return nil
}

// ListTransfers lists, oldest first, up to limit transfers with Seq
// after afterSeq that debit or credit account ("" lists all).
func (b *Book) ListTransfers(_ context.Context, account AccountID, afterSeq int64, limit int) ([]Transfer, error) {
	if limit < 1 {
		return nil, errorf(EInvalid, "list limit %d, want at least 1", limit)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := []Transfer{}
	start := int(max(0, min(afterSeq, int64(len(b.transfers)))))
	for _, t := range b.transfers[start:] {
		if len(out) >= limit {
			break
		}
		if account == "" || t.Debit == account || t.Credit == account {
			out = append(out, t)
		}
	}
	return out, nil
}

// LedgerAccounts returns the stored accounts among ids.
func (b *Book) LedgerAccounts(_ context.Context, ids []AccountID) (map[AccountID]Account, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[AccountID]Account{}
	for _, id := range ids {
		if a, ok := b.accounts[id]; ok {
			out[id] = a
		}
	}
	return out, nil
}

// Accounts returns every stored account, in ID order.
func (b *Book) Accounts() []Account {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Account, 0, len(b.accounts))
	for _, a := range b.accounts {
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y Account) int { return cmpString(string(x.ID), string(y.ID)) })
	return out
}

// Transfers returns every stored transfer, oldest first.
func (b *Book) Transfers() []Transfer {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.transfers)
}

// Clone returns a copy of the book that changes independently: a
// transaction's scratch state that can be kept or dropped.
func (b *Book) Clone() *Book {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := &Book{accounts: map[AccountID]Account{}, byKey: map[string]int{}, transfers: slices.Clone(b.transfers)}
	for id, a := range b.accounts {
		c.accounts[id] = a
	}
	for k, i := range b.byKey {
		c.byKey[k] = i
	}
	return c
}

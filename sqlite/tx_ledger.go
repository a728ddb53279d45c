package sqlite

import (
	"cmp"
	"context"

	"fanclub"
	"fanclub/ledger"
)

var _ fanclub.LedgerTx = (*Tx)(nil)

// ledgerChunk bounds the keys or ids one IN list holds.
const ledgerChunk = 200

const (
	ledgerAccountCols  = `id, asset, flags, debits_pending, debits_posted, credits_pending, credits_posted`
	ledgerTransferCols = `seq, key, debit_account, credit_account, asset, amount, flags, pending_key, state, code, ref, at`
)

// qLedgerAccounts selects the accounts among n ids.
func qLedgerAccounts(n int) string {
	return `SELECT ` + ledgerAccountCols + ` FROM ledger_accounts WHERE id IN (` + placeholders(n) + `)`
}

// qLedgerTransfers selects the transfers among n keys.
func qLedgerTransfers(n int) string {
	return `SELECT ` + ledgerTransferCols + ` FROM ledger_transfers WHERE key IN (` + placeholders(n) + `)`
}

// inSizes are the lengths of the IN lists lookups of many keys send: a
// list is padded to the next one (repeating its last key), so that each
// lookup runs a statement prepared on every connection instead of one
// parsed anew.
var inSizes = []int{1, 2, 3, 4, 8, 16, 32, 64, 128, ledgerChunk}

// ledgerReadQueries are the ledger and gift lookups prepared on every
// connection.
func ledgerReadQueries() []string {
	var qs []string
	for _, n := range inSizes {
		qs = append(qs, qLedgerAccounts(n), qLedgerTransfers(n), qGiftsByKeys(n))
	}
	return qs
}

// ledgerWrite refuses a ledger write in a read-only transaction.
func (t *Tx) ledgerWrite(op string) error {
	if !t.write {
		return fanclub.Errorf(fanclub.EINTERNAL, "ledger: %s in a read-only transaction.", op)
	}
	return nil
}

// scanLedgerAccount reads a row of ledgerAccountCols.
func scanLedgerAccount(s scanner) (ledger.Account, error) {
	var a ledger.Account
	var id, asset string
	var flags int64
	err := s.Scan(&id, &asset, &flags, &a.DebitsPending, &a.DebitsPosted, &a.CreditsPending, &a.CreditsPosted)
	a.ID, a.Asset, a.Flags = ledger.AccountID(id), ledger.Asset(asset), ledger.AccountFlags(flags)
	return a, err
}

// scanLedgerTransfer reads a row of ledgerTransferCols.
func scanLedgerTransfer(s scanner) (ledger.Transfer, error) {
	var tr ledger.Transfer
	var dr, cr, asset string
	var flags, at int64
	err := s.Scan(&tr.Seq, &tr.Key, &dr, &cr, &asset, &tr.Amount, &flags, &tr.PendingKey, &tr.State, &tr.Code, &tr.Ref, &at)
	tr.Debit, tr.Credit, tr.Asset = ledger.AccountID(dr), ledger.AccountID(cr), ledger.Asset(asset)
	tr.Flags, tr.At = ledger.TransferFlags(flags), fromTS(at)
	return tr, err
}

// LockAccounts returns the accounts' state, the missing ones with zero
// balances. SQLite runs one write transaction at a time, so the rows need
// no lock of their own; an account is stored once a transfer changes it.
func (t *Tx) LockAccounts(ctx context.Context, accounts []ledger.Account) (map[ledger.AccountID]ledger.Account, error) {
	if err := t.ledgerWrite("lock accounts"); err != nil {
		return nil, err
	}
	ids := make([]ledger.AccountID, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	got, err := t.LedgerAccounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, a := range accounts {
		if _, ok := got[a.ID]; !ok {
			got[a.ID] = ledger.Account{ID: a.ID, Asset: a.Asset, Flags: a.Flags}
		}
	}
	return got, nil
}

// LedgerAccounts returns the stored accounts among ids: those this
// transaction wrote, then the overlay's, then the table's.
func (t *Tx) LedgerAccounts(ctx context.Context, ids []ledger.AccountID) (map[ledger.AccountID]ledger.Account, error) {
	out := make(map[ledger.AccountID]ledger.Account, len(ids))
	var rest []ledger.AccountID
	if c := t.ch.led; c != nil {
		for _, id := range ids {
			if a, ok := c.accounts[id]; ok {
				out[id] = a
			} else if a, ok := t.readA[id]; ok {
				out[id] = a
			} else {
				rest = append(rest, id)
			}
		}
	} else {
		rest = ids
	}
	rest = t.db.ov.accountsInto(rest, out)
	if len(rest) == 0 {
		return out, nil
	}
	err := queryIn(ctx, t, "ledger account", rest, qLedgerAccounts, scanLedgerAccount, func(a ledger.Account) {
		out[a.ID] = a
		if t.write {
			if t.readA == nil {
				t.readA = map[ledger.AccountID]ledger.Account{}
			}
			t.readA[a.ID] = a
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindTransfers returns the stored transfers among keys: this
// transaction's, then the overlay's, then the table's (with the states
// the overlay has for them). A read transaction reads the table first
// and lays the overlay over it under one lock, so a commit between the
// two cannot show a post's effect without the post.
func (t *Tx) FindTransfers(ctx context.Context, keys []string) (map[string]ledger.Transfer, error) {
	out := make(map[string]ledger.Transfer, len(keys))
	var rest []string
	c := t.ch.led
	for _, k := range keys {
		if c != nil {
			if i, ok := c.byKey[k]; ok {
				out[k] = c.created[i]
				continue
			}
		}
		rest = append(rest, k)
	}
	if len(rest) > 0 {
		// No other commit runs while a write transaction is open, so it
		// asks the table only for what the overlay lacks.
		query := rest
		if t.write {
			query = t.db.ov.transfersInto(rest, out)
		}
		if len(query) > 0 {
			err := queryIn(ctx, t, "ledger transfer", query, qLedgerTransfers, scanLedgerTransfer, func(tr ledger.Transfer) { out[tr.Key] = tr })
			if err != nil {
				return nil, err
			}
		}
		if t.write {
			t.db.ov.resolveStates(out, query)
		} else {
			t.db.ov.transfersOver(out, rest)
		}
	}
	if c != nil {
		for k, state := range c.resolved {
			if tr, ok := out[k]; ok {
				tr.State = state
				out[k] = tr
			}
		}
	}
	return out, nil
}

// queryIn runs the lookup q(n) (one ? per key) over keys, ledgerChunk at
// a time, and passes each row scan reads to each; what names the rows
// in errors.
func queryIn[K ~string | ~int64, T any](ctx context.Context, t *Tx, what string, keys []K, q func(n int) string,
	scan func(scanner) (T, error), each func(T)) error {
	var args []any
	for start := 0; start < len(keys); start += ledgerChunk {
		chunk := keys[start:min(start+ledgerChunk, len(keys))]
		n := inSizes[0]
		for _, size := range inSizes {
			if n = size; size >= len(chunk) {
				break
			}
		}
		args = args[:0]
		for i := range n {
			args = append(args, chunk[min(i, len(chunk)-1)])
		}
		got, err := queryAll(ctx, t, what, scan, q(n), args...)
		if err != nil {
			return err
		}
		for _, v := range got {
			each(v)
		}
	}
	return nil
}

// SaveTransfers numbers created and keeps them, the new states of
// resolved and the balances of accounts in the transaction's ledger
// change: its journal row stores them at commit, a checkpoint writes them
// into the tables.
func (t *Tx) SaveTransfers(ctx context.Context, created, resolved []ledger.Transfer, accounts []ledger.Account) error {
	if err := t.ledgerWrite("save transfers"); err != nil {
		return err
	}
	c := t.led()
	for i := range created {
		if _, dup := c.byKey[created[i].Key]; dup {
			return fanclub.Errorf(fanclub.ECONFLICT, "ledger transfer %q already exists.", created[i].Key)
		}
	}
	if err := t.loadNumbers(ctx); err != nil {
		return err
	}
	for i := range created {
		created[i].Seq = t.nextSeq
		t.nextSeq++
		c.byKey[created[i].Key] = len(c.created)
		c.created = append(c.created, created[i])
	}
	for _, tr := range resolved {
		if i, ok := c.byKey[tr.Key]; ok {
			c.created[i].State = tr.State
			continue
		}
		c.resolved[tr.Key] = tr.State
	}
	for _, a := range accounts {
		c.accounts[a.ID] = a
	}
	return nil
}

// led returns the transaction's ledger change, made on first use.
func (t *Tx) led() *ledgerChange {
	if t.ch.led == nil {
		t.ch.led = &ledgerChange{accounts: map[ledger.AccountID]ledger.Account{}, byKey: map[string]int{},
			resolved: map[string]string{}, giftByKey: map[string]int{}}
	}
	return t.ch.led
}

// execExactlyOne runs a statement that must change one row.
func (t *Tx) execExactlyOne(ctx context.Context, what, q string, args ...any) error {
	res, err := t.execOne(ctx, q, args...)
	if err != nil {
		return wrap(what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return wrap(what, err)
	} else if n != 1 {
		return fanclub.Errorf(fanclub.EINTERNAL, "%s: %d rows changed, want 1.", what, n)
	}
	return nil
}

// ListTransfers lists, oldest first, up to limit transfers after afterSeq
// that debit or credit account ("" lists all): the table's, the
// overlay's and this transaction's, merged by seq.
func (t *Tx) ListTransfers(ctx context.Context, account ledger.AccountID, afterSeq int64, limit int) ([]ledger.Transfer, error) {
	if limit < 1 {
		return nil, fanclub.Errorf(fanclub.EINVALID, "ledger: list limit %d, want at least 1.", limit)
	}
	var stored []ledger.Transfer
	var err error
	if account == "" {
		stored, err = queryAll(ctx, t, "ledger transfer", scanLedgerTransfer,
			`SELECT `+ledgerTransferCols+` FROM ledger_transfers WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
	} else {
		stored, err = queryAll(ctx, t, "ledger transfer", scanLedgerTransfer, `SELECT `+ledgerTransferCols+` FROM ledger_transfers
 WHERE seq > ? AND (debit_account = ? OR credit_account = ?) ORDER BY seq LIMIT ?`, afterSeq, string(account), string(account), limit)
	}
	if err != nil {
		return nil, err
	}
	kept := t.db.ov.transfersView(account, afterSeq, stored)
	var own []ledger.Transfer
	if c := t.ch.led; c != nil {
		for _, tr := range c.created {
			if tr.Seq > afterSeq && (account == "" || tr.Debit == account || tr.Credit == account) {
				own = append(own, tr)
			}
		}
	}
	merged := mergeBy([3][]ledger.Transfer{stored, kept, own}, func(tr ledger.Transfer) int64 { return tr.Seq })
	if c := t.ch.led; c != nil && len(c.resolved) > 0 {
		for i := range merged {
			if state, ok := c.resolved[merged[i].Key]; ok {
				merged[i].State = state
			}
		}
	}
	return merged[:min(limit, len(merged))], nil
}

// loadNumbers sets the transaction's next transfer seq and gift id where
// it has none yet: the overlay's (above every row it keeps) or, where the
// overlay has none, one past the tables' largest.
func (t *Tx) loadNumbers(ctx context.Context) error {
	if t.nextSeq != 0 && t.nextGift != 0 {
		return nil
	}
	seq, gift := t.db.ov.nextNumbers()
	t.nextSeq, t.nextGift = cmp.Or(t.nextSeq, seq), cmp.Or(t.nextGift, gift)
	if t.nextSeq != 0 && t.nextGift != 0 {
		return nil
	}
	maxSeq, maxGift, err := tableMaxima(ctx, t.tx)
	if err != nil {
		return err
	}
	t.nextSeq, t.nextGift = cmp.Or(t.nextSeq, maxSeq+1), cmp.Or(t.nextGift, maxGift+1)
	return nil
}

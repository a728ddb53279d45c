package sqlite

import (
	"context"
	"maps"

	"fanclub"
	"fanclub/ledger"
)

var _ fanclub.LedgerTx = (*Tx)(nil)

// ledgerChunk bounds the keys or ids one IN list holds.
const ledgerChunk = 200

const (
	ledgerAccountCols  = `id, asset, flags, debits_pending, debits_posted, credits_pending, credits_posted`
	ledgerTransferCols = `seq, key, debit_account, credit_account, asset, amount, flags, pending_key, state, code, ref, at`

	qEnsureLedgerAccount  = `INSERT INTO ledger_accounts(id, asset, flags) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING`
	qInsertLedgerTransfer = `INSERT INTO ledger_transfers(key, debit_account, credit_account, asset, amount, flags, pending_key, state, code, ref, at)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qResolveLedgerTransfer = `UPDATE ledger_transfers SET state = ? WHERE key = ?`
	qUpdateLedgerAccount   = `UPDATE ledger_accounts SET debits_pending = ?, debits_posted = ?,
 credits_pending = ?, credits_posted = ? WHERE id = ?`
)

// qLedgerAccounts selects the accounts among n ids.
func qLedgerAccounts(n int) string {
	return `SELECT ` + ledgerAccountCols + ` FROM ledger_accounts WHERE id IN (` + placeholders(n) + `)`
}

// qLedgerTransfers selects the transfers among n keys.
func qLedgerTransfers(n int) string {
	return `SELECT ` + ledgerTransferCols + ` FROM ledger_transfers WHERE key IN (` + placeholders(n) + `)`
}

// hotLedgerLists is the longest id or key list whose lookup is prepared:
// a gift or a purchase names four accounts and two transfers.
const hotLedgerLists = 4

// ledgerReadQueries are the ledger lookups prepared on every connection.
func ledgerReadQueries() []string {
	var qs []string
	for n := 1; n <= hotLedgerLists; n++ {
		qs = append(qs, qLedgerAccounts(n), qLedgerTransfers(n))
	}
	return qs
}

// ledgerWriteQueries are the ledger statements prepared on the writer.
func ledgerWriteQueries() []string {
	return append(ledgerReadQueries(), qEnsureLedgerAccount, qInsertLedgerTransfer, qResolveLedgerTransfer, qUpdateLedgerAccount)
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

// inList returns "?, ?, …" for n values.

// LockAccounts creates the missing accounts with zero balances and
// returns the accounts' state. SQLite runs one write transaction at a
// time, so the rows need no lock of their own.
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
	// Only the accounts not stored yet are inserted (most are).
	var missing []ledger.AccountID
	for _, a := range accounts {
		if _, ok := got[a.ID]; ok {
			continue
		}
		if _, err := t.execOne(ctx, qEnsureLedgerAccount,
			string(a.ID), string(a.Asset), int64(a.Flags)); err != nil {
			return nil, wrap("ledger account", err)
		}
		missing = append(missing, a.ID)
	}
	if len(missing) > 0 {
		created, err := t.LedgerAccounts(ctx, missing)
		if err != nil {
			return nil, err
		}
		maps.Copy(got, created)
	}
	return got, nil
}

// LedgerAccounts returns the stored accounts among ids.
func (t *Tx) LedgerAccounts(ctx context.Context, ids []ledger.AccountID) (map[ledger.AccountID]ledger.Account, error) {
	out := make(map[ledger.AccountID]ledger.Account, len(ids))
	err := queryIn(ctx, t, "ledger account", ids, qLedgerAccounts, scanLedgerAccount, func(a ledger.Account) { out[a.ID] = a })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindTransfers returns the stored transfers among keys.
func (t *Tx) FindTransfers(ctx context.Context, keys []string) (map[string]ledger.Transfer, error) {
	out := make(map[string]ledger.Transfer, len(keys))
	err := queryIn(ctx, t, "ledger transfer", keys, qLedgerTransfers, scanLedgerTransfer, func(tr ledger.Transfer) { out[tr.Key] = tr })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// queryIn runs the lookup q(n) (one ? per key) over keys, ledgerChunk at
// a time, and passes each row scan reads to each; what names the rows
// in errors.
func queryIn[K ~string | ~int64, T any](ctx context.Context, t *Tx, what string, keys []K, q func(n int) string,
	scan func(scanner) (T, error), each func(T)) error {
	for start := 0; start < len(keys); start += ledgerChunk {
		chunk := keys[start:min(start+ledgerChunk, len(keys))]
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = k
		}
		got, err := queryAll(ctx, t, what, scan, q(len(chunk)), args...)
		if err != nil {
			return err
		}
		for _, v := range got {
			each(v)
		}
	}
	return nil
}

// SaveTransfers inserts created, assigning their Seq, updates the state
// of resolved pending transfers and writes accounts' balances.
func (t *Tx) SaveTransfers(ctx context.Context, created, resolved []ledger.Transfer, accounts []ledger.Account) error {
	if err := t.ledgerWrite("save transfers"); err != nil {
		return err
	}
	for i := range created {
		tr := &created[i]
		res, err := t.execOne(ctx, qInsertLedgerTransfer, tr.Key, string(tr.Debit), string(tr.Credit), string(tr.Asset), tr.Amount,
			int64(tr.Flags), tr.PendingKey, tr.State, tr.Code, tr.Ref, ts(tr.At))
		if err != nil {
			return wrap("ledger transfer", err)
		}
		if tr.Seq, err = res.LastInsertId(); err != nil {
			return wrap("ledger transfer", err)
		}
	}
	for _, tr := range resolved {
		if err := t.execExactlyOne(ctx, "ledger transfer", qResolveLedgerTransfer, tr.State, tr.Key); err != nil {
			return err
		}
	}
	for _, a := range accounts {
		if err := t.execExactlyOne(ctx, "ledger account", qUpdateLedgerAccount, a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted, string(a.ID)); err != nil {
			return err
		}
	}
	return nil
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
// that debit or credit account ("" lists all).
func (t *Tx) ListTransfers(ctx context.Context, account ledger.AccountID, afterSeq int64, limit int) ([]ledger.Transfer, error) {
	if limit < 1 {
		return nil, fanclub.Errorf(fanclub.EINVALID, "ledger: list limit %d, want at least 1.", limit)
	}
	if account == "" {
		return queryAll(ctx, t, "ledger transfer", scanLedgerTransfer,
			`SELECT `+ledgerTransferCols+` FROM ledger_transfers WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
	}
	return queryAll(ctx, t, "ledger transfer", scanLedgerTransfer, `SELECT `+ledgerTransferCols+` FROM ledger_transfers
 WHERE seq > ? AND (debit_account = ? OR credit_account = ?) ORDER BY seq LIMIT ?`, afterSeq, string(account), string(account), limit)
}

package sqlite

import (
	"context"

	"fanclub"
	"fanclub/internal/rowcodec"
	"fanclub/ledger"
)

// saveLedgerRows writes what the ledger's write-behind state holds for the
// tables (see ledgerState.dirty): the accounts' balances, then the
// transfers and the resolved states, then the gifts. The caller is a
// checkpoint, holding the writer lock.
func (t *Tx) saveLedgerRows(ctx context.Context, accounts []ledger.Account, transfers, resolved []ledger.Transfer, gifts []fanclub.Gift) error {
	err := insertRows(ctx, t, "ledger account", `INSERT INTO ledger_accounts(`+ledgerAccountCols+`) VALUES `,
		` ON CONFLICT(id) DO UPDATE SET debits_pending = excluded.debits_pending, debits_posted = excluded.debits_posted,
 credits_pending = excluded.credits_pending, credits_posted = excluded.credits_posted`, 7, accounts,
		func(a ledger.Account, args []any) []any {
			return append(args, string(a.ID), string(a.Asset), int64(a.Flags), a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted)
		})
	if err != nil {
		return err
	}
	err = insertRows(ctx, t, "ledger transfer", `INSERT INTO ledger_transfers(`+ledgerTransferCols+`) VALUES `, "", 12, transfers,
		func(tr ledger.Transfer, args []any) []any {
			return append(args, tr.Seq, tr.Key, string(tr.Debit), string(tr.Credit), string(tr.Asset), tr.Amount,
				int64(tr.Flags), tr.PendingKey, tr.State, tr.Code, tr.Ref, ts(tr.At))
		})
	if err != nil {
		return err
	}
	for _, tr := range resolved {
		if err := t.execExactlyOne(ctx, "ledger transfer", `UPDATE ledger_transfers SET state = ? WHERE key = ?`, tr.State, tr.Key); err != nil {
			return err
		}
	}
	return insertRows(ctx, t, "gift", `INSERT INTO gifts(`+rowcodec.GiftCols+`) VALUES `, "", 12, gifts,
		func(g fanclub.Gift, args []any) []any {
			return append(append(args, g.ID), rowcodec.GiftArgs(&g)...)
		})
}

// insertRows inserts rows one prepared single-row INSERT each: head, one
// "(?, …)" of cols values, tail; args appends a row's values. One row a
// statement needs no statement journal, which a multi-row INSERT into
// indexed tables fills with a copy of every page it changes.
func insertRows[T any](ctx context.Context, t *Tx, what, head, tail string, cols int, rows []T, args func(T, []any) []any) error {
	if len(rows) == 0 {
		return nil
	}
	stmt, err := t.tx.PrepareContext(ctx, head+"("+placeholders(cols)+")"+tail)
	if err != nil {
		return wrap(what, err)
	}
	defer stmt.Close()
	vals := make([]any, 0, cols)
	for _, r := range rows {
		if _, err := stmt.ExecContext(ctx, args(r, vals[:0])...); err != nil {
			return wrap(what, err)
		}
	}
	return nil
}

// ledgerDirty returns what the next checkpoint writes (see
// ledgerState.dirty).
func (o *overlay) ledgerDirty() (accounts []ledger.Account, transfers, resolved []ledger.Transfer, gifts []fanclub.Gift) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.ledger.dirty()
}

package sqlite

import (
	"context"
	"database/sql"

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
	// A row stored already (by another handle whose checkpoint this one
	// had not seen) is the same row: storing it again changes nothing.
	err = insertRows(ctx, t, "ledger transfer", `INSERT INTO ledger_transfers(`+ledgerTransferCols+`) VALUES `,
		` ON CONFLICT(seq) DO UPDATE SET state = excluded.state`, 12, transfers,
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
	return insertRows(ctx, t, "gift", `INSERT INTO gifts(`+rowcodec.GiftCols+`) VALUES `,
		` ON CONFLICT(id) DO UPDATE SET fan_id = excluded.fan_id, key = excluded.key`, 12, gifts,
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

// storedSince reads, in stx, the transfers and gifts the tables hold
// beyond l's seenSeq and seenGift (none while those are unknown) and the
// tables' largest seq and id. The caller holds the writer lock, so l does
// not change meanwhile.
func storedSince(ctx context.Context, stx *sql.Tx, l *ledgerState) (trs []ledger.Transfer, gifts []fanclub.Gift, maxSeq, maxGift int64, err error) {
	if l.seenSeq > 0 {
		if trs, err = collectRows(ctx, stx, `SELECT `+ledgerTransferCols+` FROM ledger_transfers WHERE seq > ? ORDER BY seq`, l.seenSeq, scanLedgerTransfer); err != nil {
			return nil, nil, 0, 0, internal("ledger reload", err)
		}
	}
	if l.seenGift > 0 {
		scan := func(s scanner) (fanclub.Gift, error) {
			g, err := rowcodec.ScanGift(s)
			if err != nil {
				return fanclub.Gift{}, err
			}
			return *g, nil
		}
		if gifts, err = collectRows(ctx, stx, `SELECT `+rowcodec.GiftCols+` FROM gifts WHERE id > ? ORDER BY id`, l.seenGift, scan); err != nil {
			return nil, nil, 0, 0, internal("ledger reload", err)
		}
	}
	if maxSeq, maxGift, err = tableMaxima(ctx, stx); err != nil {
		return nil, nil, 0, 0, err
	}
	return trs, gifts, maxSeq, maxGift, nil
}

// tableMaxima returns the largest transfer seq and gift id the tables
// hold (0 for none).
func tableMaxima(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (maxSeq, maxGift int64, err error) {
	err = q.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(seq), 0) FROM ledger_transfers), (SELECT COALESCE(MAX(id), 0) FROM gifts)`).Scan(&maxSeq, &maxGift)
	if err != nil {
		return 0, 0, internal("ledger maxima", err)
	}
	return maxSeq, maxGift, nil
}

// collectRows runs q with arg (in a transaction, or on a connection pool
// outside one) and scans every row.
func collectRows[T any](ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, q string, arg any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

package postgres

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"fanclub"
	"fanclub/ledger"
)

var _ fanclub.LedgerTx = (*Tx)(nil)

const (
	ledgerAccountCols  = `id, asset, flags, debits_pending, debits_posted, credits_pending, credits_posted`
	ledgerTransferCols = `seq, key, debit_account, credit_account, asset, amount, flags, pending_key, state, code, ref, at`

	qLockLedgerAccounts   = `SELECT ` + ledgerAccountCols + ` FROM ledger_accounts WHERE id = ANY($1) ORDER BY id FOR UPDATE`
	qCreateLedgerAccounts = `INSERT INTO ledger_accounts(id, asset, flags)
 SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ORDER BY 1 ON CONFLICT (id) DO NOTHING`
	// qInsertLedgerTransfers inserts rows in their order, so seq
	// follows it.
	qInsertLedgerTransfers = `INSERT INTO ledger_transfers(key, debit_account, credit_account, asset, amount, flags, pending_key, state, code, ref, at)
 SELECT key, dr, cr, asset, amount, flags, pk, state, code, ref, at FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],
 $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[])
 WITH ORDINALITY AS v(key, dr, cr, asset, amount, flags, pk, state, code, ref, at, n) ORDER BY n RETURNING key, seq`
	qResolveLedgerTransfers = `UPDATE ledger_transfers t SET state = v.state
 FROM unnest($1::text[], $2::text[]) AS v(key, state) WHERE t.key = v.key`
	qUpdateLedgerAccounts = `UPDATE ledger_accounts a SET debits_pending = v.dp, debits_posted = v.dpo, credits_pending = v.cp, credits_posted = v.cpo
 FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS v(id, dp, dpo, cp, cpo) WHERE a.id = v.id`
)

// ledgerWrite refuses a ledger write in a read-only transaction.
func (t *Tx) ledgerWrite(op string) error {
	if !t.write {
		return fanclub.Errorf(fanclub.EINTERNAL, "ledger: %s in a read-only transaction.", op)
	}
	return nil
}

// scanLedgerAccount reads a row of ledgerAccountCols.
func scanLedgerAccount(r pgx.Rows) (ledger.Account, error) {
	var a ledger.Account
	var id, asset string
	var flags int64
	err := r.Scan(&id, &asset, &flags, &a.DebitsPending, &a.DebitsPosted, &a.CreditsPending, &a.CreditsPosted)
	a.ID, a.Asset, a.Flags = ledger.AccountID(id), ledger.Asset(asset), ledger.AccountFlags(flags)
	return a, err
}

// scanLedgerTransfer reads a row of ledgerTransferCols.
func scanLedgerTransfer(r pgx.Rows) (ledger.Transfer, error) {
	var tr ledger.Transfer
	var dr, cr, asset string
	var flags, at int64
	err := r.Scan(&tr.Seq, &tr.Key, &dr, &cr, &asset, &tr.Amount, &flags, &tr.PendingKey, &tr.State, &tr.Code, &tr.Ref, &at)
	tr.Debit, tr.Credit, tr.Asset = ledger.AccountID(dr), ledger.AccountID(cr), ledger.Asset(asset)
	tr.Flags, tr.At = ledger.TransferFlags(flags), fromTS(at)
	return tr, err
}

// LockAccounts locks the accounts' rows (FOR UPDATE, in id order) until
// the transaction ends, creating the missing ones with zero balances, and
// returns their state.
func (t *Tx) LockAccounts(ctx context.Context, accounts []ledger.Account) (map[ledger.AccountID]ledger.Account, error) {
	if err := t.ledgerWrite("lock accounts"); err != nil {
		return nil, err
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = string(a.ID)
	}
	slices.Sort(ids)
	out, err := t.lockLedgerAccounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	var missing, assets []string
	var flags []int64
	for _, a := range accounts {
		if _, ok := out[a.ID]; !ok {
			missing, assets, flags = append(missing, string(a.ID)), append(assets, string(a.Asset)), append(flags, int64(a.Flags))
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	if _, err := t.exec(ctx, "ledger account", qCreateLedgerAccounts, missing, assets, flags); err != nil {
		return nil, err
	}
	created, err := t.lockLedgerAccounts(ctx, missing)
	if err != nil {
		return nil, err
	}
	for id, a := range created {
		out[id] = a
	}
	return out, nil
}

// lockLedgerAccounts locks and returns the stored accounts among ids.
func (t *Tx) lockLedgerAccounts(ctx context.Context, ids []string) (map[ledger.AccountID]ledger.Account, error) {
	got, err := collect(t, ctx, "ledger account", qLockLedgerAccounts, []any{ids}, scanLedgerAccount)
	if err != nil {
		return nil, err
	}
	out := make(map[ledger.AccountID]ledger.Account, len(ids))
	for _, a := range got {
		out[a.ID] = a
	}
	return out, nil
}

// LedgerAccounts returns the stored accounts among ids, without locking them.
func (t *Tx) LedgerAccounts(ctx context.Context, ids []ledger.AccountID) (map[ledger.AccountID]ledger.Account, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = string(id)
	}
	got, err := collect(t, ctx, "ledger account", `SELECT `+ledgerAccountCols+` FROM ledger_accounts WHERE id = ANY($1)`, []any{keys}, scanLedgerAccount)
	if err != nil {
		return nil, err
	}
	out := make(map[ledger.AccountID]ledger.Account, len(got))
	for _, a := range got {
		out[a.ID] = a
	}
	return out, nil
}

// FindTransfers returns the stored transfers among keys.
func (t *Tx) FindTransfers(ctx context.Context, keys []string) (map[string]ledger.Transfer, error) {
	got, err := collect(t, ctx, "ledger transfer", `SELECT `+ledgerTransferCols+` FROM ledger_transfers WHERE key = ANY($1)`,
		[]any{keys}, scanLedgerTransfer)
	if err != nil {
		return nil, err
	}
	out := make(map[string]ledger.Transfer, len(got))
	for _, tr := range got {
		out[tr.Key] = tr
	}
	return out, nil
}

// SaveTransfers inserts created, assigning their Seq, updates the state
// of resolved pending transfers and writes accounts' balances.
func (t *Tx) SaveTransfers(ctx context.Context, created, resolved []ledger.Transfer, accounts []ledger.Account) error {
	if err := t.ledgerWrite("save transfers"); err != nil {
		return err
	}
	if err := t.insertLedgerTransfers(ctx, created); err != nil {
		return err
	}
	if len(resolved) > 0 {
		keys, states := make([]string, len(resolved)), make([]string, len(resolved))
		for i, tr := range resolved {
			keys[i], states[i] = tr.Key, tr.State
		}
		if err := t.execRows(ctx, "ledger transfer", len(resolved), qResolveLedgerTransfers, keys, states); err != nil {
			return err
		}
	}
	if len(accounts) > 0 {
		ids := make([]string, len(accounts))
		var dp, dpo, cp, cpo []int64
		for i, a := range accounts {
			ids[i] = string(a.ID)
			dp, dpo = append(dp, a.DebitsPending), append(dpo, a.DebitsPosted)
			cp, cpo = append(cp, a.CreditsPending), append(cpo, a.CreditsPosted)
		}
		if err := t.execRows(ctx, "ledger account", len(accounts), qUpdateLedgerAccounts, ids, dp, dpo, cp, cpo); err != nil {
			return err
		}
	}
	return nil
}

// insertLedgerTransfers inserts transfers in one statement, in order, and
// sets their Seq.
func (t *Tx) insertLedgerTransfers(ctx context.Context, created []ledger.Transfer) error {
	if len(created) == 0 {
		return nil
	}
	n := len(created)
	keys, drs, crs, assets := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	pks, states, codes, refs := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	amounts, flags, ats := make([]int64, n), make([]int64, n), make([]int64, n)
	for i, tr := range created {
		keys[i], drs[i], crs[i], assets[i] = tr.Key, string(tr.Debit), string(tr.Credit), string(tr.Asset)
		pks[i], states[i], codes[i], refs[i] = tr.PendingKey, tr.State, tr.Code, tr.Ref
		amounts[i], flags[i], ats[i] = tr.Amount, int64(tr.Flags), ts(tr.At)
	}
	type row struct {
		key string
		seq int64
	}
	rows, err := collect(t, ctx, "ledger transfer", qInsertLedgerTransfers,
		[]any{keys, drs, crs, assets, amounts, flags, pks, states, codes, refs, ats},
		func(r pgx.Rows) (row, error) {
			var x row
			return x, r.Scan(&x.key, &x.seq)
		})
	if err != nil {
		return err
	}
	seqs := make(map[string]int64, len(rows))
	for _, r := range rows {
		seqs[r.key] = r.seq
	}
	for i := range created {
		seq, ok := seqs[created[i].Key]
		if !ok {
			return fanclub.Errorf(fanclub.EINTERNAL, "ledger transfer: %q not inserted.", created[i].Key)
		}
		created[i].Seq = seq
	}
	return nil
}

// execRows runs a statement that must change n rows.
func (t *Tx) execRows(ctx context.Context, op string, n int, q string, args ...any) error {
	tag, err := t.exec(ctx, op, q, args...)
	if err != nil {
		return err
	}
	if got := tag.RowsAffected(); got != int64(n) {
		return fanclub.Errorf(fanclub.EINTERNAL, "%s: %d rows changed, want %d.", op, got, n)
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
		return collect(t, ctx, "ledger transfer", `SELECT `+ledgerTransferCols+` FROM ledger_transfers WHERE seq > $1 ORDER BY seq LIMIT $2`,
			[]any{afterSeq, limit}, scanLedgerTransfer)
	}
	return collect(t, ctx, "ledger transfer", `SELECT `+ledgerTransferCols+` FROM ledger_transfers
 WHERE seq > $1 AND (debit_account = $2 OR credit_account = $2) ORDER BY seq LIMIT $3`,
		[]any{afterSeq, string(account), limit}, scanLedgerTransfer)
}

package fanclub

import (
	"context"

	"fanclub/ledger"
)

// LedgerTx stores the double-entry ledger (package ledger): ledger.Post
// runs on it inside a write transaction, whose accounts it locks until the
// transaction ends. In a read-only transaction the ledger.Store methods
// fail with EINTERNAL and change nothing; the readers below work in both.
type LedgerTx interface {
	ledger.Store
	// ListTransfers lists, oldest first (by Seq), up to limit transfers
	// with Seq greater than afterSeq that debit or credit account; an
	// empty account lists every transfer.
	ListTransfers(ctx context.Context, account ledger.AccountID, afterSeq int64, limit int) ([]ledger.Transfer, error)
	// LedgerAccounts returns the stored accounts among ids; an account no
	// transfer has touched may be absent (its balances are zero).
	LedgerAccounts(ctx context.Context, ids []ledger.AccountID) (map[ledger.AccountID]ledger.Account, error)
}

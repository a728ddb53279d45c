package fanclub

import "context"

// LockingStore is an optional extension of Store for stores whose
// serializable write transactions fail under concurrent writers more often
// than they should (PostgreSQL's predicate locks): a write transaction
// that keeps its read-modify-writes correct with row locks instead of a
// serializable snapshot. The engine runs the ingest path (Ingest,
// Interact) and batches of gifts (SendGift: the ingest path, then the
// gift rows and ledger posts) in one when the store offers it, and in an
// ordinary write transaction otherwise. Nothing else may run in one: its rules hold for
// the calls those paths make, in the order they make them.
//
// In a locking transaction each call sees what was committed before it
// (not one snapshot for the whole transaction), and:
//
//   - FindBatch takes an exclusive lock on (producer, seq), held until the
//     transaction ends, before it reads: a second transaction for the same
//     batch waits, then finds the first one's stored result.
//   - FindMemberships locks the memberships it returns until the
//     transaction ends (in key order). A transaction that writes a
//     membership, or the daily counters of its fan and club, holds that
//     lock or fails with a retryable error, so counters read after it
//     stay exact until commit (caps hold across processes).
//   - InsertEvents waits for a concurrent transaction inserting the same
//     id and then reports the id as a duplicate if that one committed: an
//     event is stored once.
//   - SaveMemberships saves only memberships the transaction locked, with
//     their status unchanged; AddDailyPoints only the counters of those.
//   - CreateGift and CreateGifts wait for a concurrent insert of the
//     same key and then report it taken; ledger.Store's LockAccounts
//     locks the accounts (in id order) before Post reads their balances,
//     and SaveTransfers writes only those.
//   - The reads a gift batch makes besides (FindFanAges,
//     FindGiftsByKeys, LedgerAccounts, FindMembership) lock nothing and
//     see the latest committed rows; what they decide is checked again
//     under the locks above (Post refuses a balance that fell since).
//
// A conflict the store cannot wait out (a deadlock) is still a retryable
// error; the engine runs the function again as with BeginTx.
type LockingStore interface {
	// BeginLockingTx starts a locking write transaction.
	BeginLockingTx(ctx context.Context) (Tx, error)
}

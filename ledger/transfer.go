package ledger

import (
	"time"
)

// TransferFlags say what kind of transfer it is; none is a plain
// (single-phase) transfer.
type TransferFlags uint32

// Transfer flags, as TigerBeetle's two-phase transfers. At most one is set.
const (
	// Pending reserves the amount: debits pending and credits pending grow.
	Pending TransferFlags = 1 << iota
	// PostPending posts the pending transfer named by PendingKey: all of
	// its amount (Amount 0 or equal) or part of it (the rest is released).
	PostPending
	// VoidPending releases the pending transfer named by PendingKey.
	VoidPending
)

// knownTransferFlags are the flags a transfer may carry.
const knownTransferFlags = Pending | PostPending | VoidPending

// States of a pending transfer (Transfer.State); other transfers have "".
const (
	StatePending = "pending"
	StatePosted  = "posted"
	StateVoided  = "voided"
)

// Transfer moves Amount of Asset from the Debit account to the Credit
// account. Key makes it idempotent: posting a transfer whose key is
// stored returns the stored transfer when the content is the same
// (Debit, Credit, Asset, Amount, Flags, PendingKey, Code, Ref) and fails
// with EKeyConflict otherwise.
//
// A post or void may leave Debit, Credit and Asset empty (they are taken
// from the pending transfer) and Amount 0 (all of the pending amount); the
// stored post or void carries the pending transfer's accounts and asset
// and the amount it posted or released.
type Transfer struct {
	// Seq is assigned by the store: transfers are numbered in the order
	// they were stored.
	Seq int64
	// Key is the idempotency key, unique in the ledger.
	Key           string
	Debit, Credit AccountID
	Asset         Asset
	Amount        int64
	Flags         TransferFlags
	// PendingKey names the pending transfer a post or void resolves.
	PendingKey string
	// State is StatePending, StatePosted or StateVoided for a pending
	// transfer, "" for any other.
	State string
	// Code says what the transfer is for: "coin_purchase", "gift",
	// "gift_share", "refund", …
	Code string
	// Ref names the business object, e.g. a charge or a gift id.
	Ref string
	// At is when the transfer was posted (Post's at, in UTC).
	At time.Time
}

// kind names a transfer's kind for messages.
func (t *Transfer) kind() string {
	switch t.Flags {
	case Pending:
		return "pending transfer"
	case PostPending:
		return "post of a pending transfer"
	case VoidPending:
		return "void of a pending transfer"
	}
	return "transfer"
}

// resolves reports whether t posts or voids a pending transfer.
func (t *Transfer) resolves() bool { return t.Flags&(PostPending|VoidPending) != 0 }

// sameContent reports whether in, as a caller submitted it, asks for what
// stored is. Empty accounts and asset, and a zero amount, of a post or
// void match what the store filled in.
func sameContent(in, stored *Transfer) bool {
	if in.Key != stored.Key || in.Flags != stored.Flags || in.PendingKey != stored.PendingKey ||
		in.Code != stored.Code || in.Ref != stored.Ref {
		return false
	}
	lax := in.resolves()
	match := func(a, b string, zero bool) bool { return a == b || lax && zero }
	return match(string(in.Debit), string(stored.Debit), in.Debit == "") &&
		match(string(in.Credit), string(stored.Credit), in.Credit == "") &&
		match(string(in.Asset), string(stored.Asset), in.Asset == "") &&
		(in.Amount == stored.Amount || lax && in.Amount == 0)
}

// add is x+y and whether it did not overflow.
func add(x, y int64) (int64, bool) {
	s := x + y
	return s, (s > x) == (y > 0)
}

// sub is x−y and whether it did not overflow.
func sub(x, y int64) (int64, bool) {
	d := x - y
	return d, (d < x) == (y > 0)
}

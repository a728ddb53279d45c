package ledger

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
)

// validate checks what transfer i says on its own.
func validate(i int, t *Transfer) error {
	where := func() string { return fmt.Sprintf("transfer %d (key %q)", i, t.Key) }
	bad := func(why string) error { return errorf(EInvalid, "%s: %s", where(), why) }
	switch {
	case t.Key == "":
		return errorf(EInvalid, "transfer %d: no key", i)
	case len(t.Key) > maxKey:
		return bad("the key is longer than " + strconv.Itoa(maxKey) + " bytes")
	case t.Flags&^knownTransferFlags != 0:
		return bad("unknown flags " + strconv.FormatUint(uint64(t.Flags&^knownTransferFlags), 10))
	case bits.OnesCount32(uint32(t.Flags)) > 1:
		return bad("at most one of Pending, PostPending and VoidPending")
	case t.Amount < 0:
		return bad("negative amount " + strconv.FormatInt(t.Amount, 10))
	case t.Debit != "" && t.Debit == t.Credit:
		return bad("debits and credits the same account " + string(t.Debit))
	case t.Asset != "" && !t.Asset.Valid():
		return t.Asset.Validate()
	}
	if t.resolves() {
		if t.PendingKey == "" {
			return bad("a post or void without a pending key")
		}
		if t.PendingKey == t.Key {
			return bad("resolves itself")
		}
	} else {
		switch {
		case t.PendingKey != "":
			return bad("a pending key on a transfer that neither posts nor voids")
		case t.Amount == 0:
			return bad("amount 0 (a transfer moves a positive amount)")
		case t.Debit == "" || t.Credit == "":
			return bad("no debit or no credit account")
		case t.Asset == "":
			return bad("no asset")
		}
	}
	for _, id := range []AccountID{t.Debit, t.Credit} {
		if id == "" {
			continue
		}
		a, err := ParseAccountID(id)
		if err != nil {
			return bad(err.(*Error).Message)
		}
		if t.Asset != "" && a.Asset != t.Asset {
			return bad("asset " + string(t.Asset) + ", but account " + string(id) + " holds " + string(a.Asset))
		}
	}
	return nil
}

// checkFlags returns EInsufficientFunds when a's flags forbid its
// balances after transfer t.
func checkFlags(where string, a *Account, t *Transfer) error {
	if a.Flags&DebitsMustNotExceedCredits != 0 {
		d, ok := add(a.DebitsPending, a.DebitsPosted)
		if !ok {
			return errorf(EOverflow, "%s: the debits of account %s overflow int64", where, a.ID)
		}
		if d > a.CreditsPosted {
			return errorf(EInsufficientFunds, "%s: %s of %d %s would take account %s below zero (credits %d < debits %d posted and pending)",
				where, t.kind(), t.Amount, t.Asset, a.ID, a.CreditsPosted, d)
		}
	}
	if a.Flags&CreditsMustNotExceedDebits != 0 {
		c, ok := add(a.CreditsPending, a.CreditsPosted)
		if !ok {
			return errorf(EOverflow, "%s: the credits of account %s overflow int64", where, a.ID)
		}
		if c > a.DebitsPosted {
			return errorf(EInsufficientFunds, "%s: %s of %d %s would credit account %s beyond its debits (debits %d < credits %d posted and pending)",
				where, t.kind(), t.Amount, t.Asset, a.ID, a.DebitsPosted, c)
		}
	}
	return nil
}

// sortedIDs returns a set's IDs in order.
func sortedIDs(set map[AccountID]bool) []AccountID {
	ids := make([]AccountID, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// cmpString orders strings.
func cmpString(a, b string) int { return cmp.Compare(a, b) }

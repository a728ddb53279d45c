package ledger

import (
	"fmt"
	"math/big"
)

// Recompute derives account balances from a transfer log (oldest first):
// plain transfers and posts add to posted debits and credits, pending
// transfers still pending to pending ones; resolved pending transfers and
// voids add nothing.
func Recompute(log []Transfer) (map[AccountID]Account, error) {
	out := map[AccountID]Account{}
	get := func(id AccountID) (Account, error) {
		if a, ok := out[id]; ok {
			return a, nil
		}
		return ParseAccountID(id)
	}
	for _, t := range log {
		dr, err := get(t.Debit)
		if err != nil {
			return nil, err
		}
		cr, err := get(t.Credit)
		if err != nil {
			return nil, err
		}
		var ok1, ok2 bool
		switch {
		case t.Flags == 0 || t.Flags == PostPending:
			dr.DebitsPosted, ok1 = add(dr.DebitsPosted, t.Amount)
			cr.CreditsPosted, ok2 = add(cr.CreditsPosted, t.Amount)
		case t.Flags == Pending && t.State == StatePending:
			dr.DebitsPending, ok1 = add(dr.DebitsPending, t.Amount)
			cr.CreditsPending, ok2 = add(cr.CreditsPending, t.Amount)
		default:
			ok1, ok2 = true, true
		}
		if !ok1 || !ok2 {
			return nil, errorf(EOverflow, "transfer %d (key %q) overflows a balance", t.Seq, t.Key)
		}
		out[t.Debit], out[t.Credit] = dr, cr
	}
	return out, nil
}

// Audit checks a ledger's invariants, given all its accounts and its
// whole transfer log (oldest first), and describes the first broken one:
// every transfer is balanced (two different accounts, a positive amount
// of their asset) and has a unique key and an increasing Seq; every post
// or void resolves an earlier pending transfer whose State says so; the
// accounts equal a recomputation from the log; per asset, credits and
// debits sum to the same, posted and pending separately; no account
// breaks its flags.
func Audit(accounts []Account, log []Transfer) error {
	keys := map[string]int{}
	resolvedBy := map[string]TransferFlags{}
	for i, t := range log {
		where := fmt.Sprintf("transfer seq %d (key %q)", t.Seq, t.Key)
		if _, dup := keys[t.Key]; dup {
			return fmt.Errorf("%s: duplicate key", where)
		}
		keys[t.Key] = i
		if i > 0 && t.Seq <= log[i-1].Seq {
			return fmt.Errorf("%s: seq not after %d", where, log[i-1].Seq)
		}
		if t.Debit == t.Credit || t.Amount <= 0 {
			return fmt.Errorf("%s: unbalanced: %d from %s to %s", where, t.Amount, t.Debit, t.Credit)
		}
		for _, id := range []AccountID{t.Debit, t.Credit} {
			a, err := ParseAccountID(id)
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			if a.Asset != t.Asset {
				return fmt.Errorf("%s: asset %s on account %s of %s", where, t.Asset, id, a.Asset)
			}
		}
		if t.resolves() {
			j, ok := keys[t.PendingKey]
			if !ok || log[j].Flags != Pending {
				return fmt.Errorf("%s: resolves %q, not an earlier pending transfer", where, t.PendingKey)
			}
			if _, twice := resolvedBy[t.PendingKey]; twice {
				return fmt.Errorf("%s: %q resolved twice", where, t.PendingKey)
			}
			p := log[j]
			if p.Debit != t.Debit || p.Credit != t.Credit || t.Amount > p.Amount || t.Flags == VoidPending && t.Amount != p.Amount {
				return fmt.Errorf("%s: does not match pending transfer %q", where, t.PendingKey)
			}
			resolvedBy[t.PendingKey] = t.Flags
		}
	}
	for _, t := range log {
		if t.Flags != Pending {
			if t.State != "" {
				return fmt.Errorf("transfer seq %d (key %q): state %q on a transfer that is not pending", t.Seq, t.Key, t.State)
			}
			continue
		}
		want := map[TransferFlags]string{0: StatePending, PostPending: StatePosted, VoidPending: StateVoided}[resolvedBy[t.Key]]
		if t.State != want {
			return fmt.Errorf("transfer seq %d (key %q): state %q, want %q", t.Seq, t.Key, t.State, want)
		}
	}
	derived, err := Recompute(log)
	if err != nil {
		return err
	}
	seen := map[AccountID]bool{}
	type sums struct{ posted, pending big.Int }
	perAsset := map[Asset]*sums{}
	for _, a := range accounts {
		seen[a.ID] = true
		d := derived[a.ID]
		d.ID = a.ID
		if p, err := ParseAccountID(a.ID); err != nil || p.Asset != a.Asset || p.Flags != a.Flags {
			return fmt.Errorf("account %s: asset %s flags %d do not match its ID", a.ID, a.Asset, a.Flags)
		}
		d.Asset, d.Flags = a.Asset, a.Flags
		if d != a {
			return fmt.Errorf("account %s is %+v, the log gives %+v", a.ID, a, d)
		}
		if err := checkFlags("audit", &a, &Transfer{}); err != nil {
			return fmt.Errorf("account %s breaks its flags: %+v", a.ID, a)
		}
		s := perAsset[a.Asset]
		if s == nil {
			s = &sums{}
			perAsset[a.Asset] = s
		}
		s.posted.Add(&s.posted, big.NewInt(a.CreditsPosted))
		s.posted.Sub(&s.posted, big.NewInt(a.DebitsPosted))
		s.pending.Add(&s.pending, big.NewInt(a.CreditsPending))
		s.pending.Sub(&s.pending, big.NewInt(a.DebitsPending))
	}
	for id := range derived {
		if !seen[id] {
			return fmt.Errorf("account %s is in the log but not among the accounts", id)
		}
	}
	for asset, s := range perAsset {
		if s.posted.Sign() != 0 || s.pending.Sign() != 0 {
			return fmt.Errorf("asset %s: credits minus debits sum to %s posted and %s pending, want 0", asset, &s.posted, &s.pending)
		}
	}
	return nil
}

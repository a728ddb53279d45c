package sqlite

import (
	"cmp"
	"encoding/binary"
	"slices"

	"fanclub"
	"fanclub/ledger"
)

// The ledger section ends a journal body of version 3 (journal.go):
//
//	uvarint n, then n accounts: string id, asset; varint flags,
//	    debits_pending, debits_posted, credits_pending, credits_posted
//	    (the new absolute values)
//	uvarint n, then n transfers: varint seq; string key, debit, credit,
//	    asset; varint amount, flags; string pending_key, state, code,
//	    ref; varint at
//	uvarint n, then n resolved: string key, state
//	uvarint n, then n gifts: varint id; string key; varint fan, club,
//	    creator, coins, value, share; string currency; varint points;
//	    string event_id; varint at
//	uvarint n, then n anonymised fans: varint fan, pseudonym
//
// Accounts and resolved states are written in key order, so a change
// has one encoding.

// appendLedger appends c's ledger section (empty sections for nil).
func appendLedger(b []byte, c *ledgerChange) []byte {
	if c == nil {
		c = &ledgerChange{}
	}
	ids := make([]ledger.AccountID, 0, len(c.accounts))
	for id := range c.accounts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	b = binary.AppendUvarint(b, uint64(len(ids)))
	for _, id := range ids {
		a := c.accounts[id]
		b = appendString(b, string(a.ID))
		b = appendString(b, string(a.Asset))
		for _, v := range [...]int64{int64(a.Flags), a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted} {
			b = binary.AppendVarint(b, v)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(c.created)))
	for i := range c.created {
		t := &c.created[i]
		b = binary.AppendVarint(b, t.Seq)
		for _, s := range [...]string{t.Key, string(t.Debit), string(t.Credit), string(t.Asset)} {
			b = appendString(b, s)
		}
		b = binary.AppendVarint(b, t.Amount)
		b = binary.AppendVarint(b, int64(t.Flags))
		for _, s := range [...]string{t.PendingKey, t.State, t.Code, t.Ref} {
			b = appendString(b, s)
		}
		b = binary.AppendVarint(b, ts(t.At))
	}
	keys := make([]string, 0, len(c.resolved))
	for k := range c.resolved {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, c.resolved[k])
	}
	b = binary.AppendUvarint(b, uint64(len(c.gifts)))
	for i := range c.gifts {
		g := &c.gifts[i]
		b = binary.AppendVarint(b, g.ID)
		b = appendString(b, g.Key)
		for _, v := range [...]int64{g.FanID, g.ClubID, g.CreatorID, g.Coins, g.Value, g.Share} {
			b = binary.AppendVarint(b, v)
		}
		b = appendString(b, g.Currency)
		b = binary.AppendVarint(b, g.Points)
		b = appendString(b, g.EventID)
		b = binary.AppendVarint(b, ts(g.At))
	}
	b = binary.AppendUvarint(b, uint64(len(c.anon)))
	for _, a := range c.anon {
		b = binary.AppendVarint(b, a.fan)
		b = binary.AppendVarint(b, a.pseudonym)
	}
	return b
}

// readLedger reads a ledger section; nil when it changes nothing.
func (r *journalReader) readLedger() *ledgerChange {
	c := &ledgerChange{}
	for n := r.count(); n > 0 && r.err == nil; n-- {
		a := ledger.Account{ID: ledger.AccountID(r.string()), Asset: ledger.Asset(r.string())}
		a.Flags = ledger.AccountFlags(r.varint())
		a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted = r.varint(), r.varint(), r.varint(), r.varint()
		if c.accounts == nil {
			c.accounts = map[ledger.AccountID]ledger.Account{}
		}
		c.accounts[a.ID] = a
	}
	for n := r.count(); n > 0 && r.err == nil; n-- {
		t := ledger.Transfer{Seq: r.varint(), Key: r.string()}
		t.Debit, t.Credit, t.Asset = ledger.AccountID(r.string()), ledger.AccountID(r.string()), ledger.Asset(r.string())
		t.Amount, t.Flags = r.varint(), ledger.TransferFlags(r.varint())
		t.PendingKey, t.State, t.Code, t.Ref = r.string(), r.string(), r.string(), r.string()
		t.At = fromTS(r.varint())
		c.created = append(c.created, t)
	}
	for n := r.count(); n > 0 && r.err == nil; n-- {
		if c.resolved == nil {
			c.resolved = map[string]string{}
		}
		k := r.string()
		c.resolved[k] = r.string()
	}
	for n := r.count(); n > 0 && r.err == nil; n-- {
		g := fanclub.Gift{ID: r.varint(), Key: r.string()}
		g.FanID, g.ClubID, g.CreatorID, g.Coins, g.Value, g.Share = r.varint(), r.varint(), r.varint(), r.varint(), r.varint(), r.varint()
		g.Currency = r.string()
		g.Points = r.varint()
		g.EventID = r.string()
		g.At = fromTS(r.varint())
		c.gifts = append(c.gifts, g)
	}
	for n := r.count(); n > 0 && r.err == nil; n-- {
		c.anon = append(c.anon, anonymised{fan: r.varint(), pseudonym: r.varint()})
	}
	if r.err != nil || c.empty() {
		return nil
	}
	if !slices.IsSortedFunc(c.created, func(a, b ledger.Transfer) int { return cmp.Compare(a.Seq, b.Seq) }) ||
		!slices.IsSortedFunc(c.gifts, func(a, b fanclub.Gift) int { return cmp.Compare(a.ID, b.ID) }) {
		r.err = errJournal
		return nil
	}
	return c
}

package sqlite

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"fanclub"
	"fanclub/internal/rowcodec"
)

var (
	_ fanclub.PaymentTx = (*Tx)(nil)
	_ fanclub.GiftTx    = (*Tx)(nil)
)

// placeholders returns n comma-separated "?".
func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

var (
	qInsertPayment = `INSERT INTO payments(` + strings.TrimPrefix(rowcodec.PaymentCols, "id, ") + `) VALUES (` + placeholders(13) + `)
 ON CONFLICT(key) DO NOTHING`
	qPaymentByKey = `SELECT ` + rowcodec.PaymentCols + ` FROM payments WHERE key = ?`
)

// CreatePayment stores p unless its key is taken (then p becomes the stored payment).
func (t *Tx) CreatePayment(ctx context.Context, p *fanclub.Payment) (bool, error) {
	res, err := t.execOne(ctx, qInsertPayment, rowcodec.PaymentArgs(p)...)
	if err != nil {
		return false, wrap("payment", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, internal("payment", err)
	} else if n == 1 {
		id, err := res.LastInsertId()
		if err != nil {
			return false, internal("payment", err)
		}
		p.ID = id
		return true, nil
	}
	stored, err := t.FindPaymentByKey(ctx, p.Key)
	if err != nil {
		return false, err
	}
	*p = *stored
	return false, nil
}

// FindPaymentByKey returns the payment with key, ENOTFOUND otherwise.
func (t *Tx) FindPaymentByKey(ctx context.Context, key string) (*fanclub.Payment, error) {
	return findOne(ctx, t, "Payment", "payment", qPaymentByKey, key, rowcodec.ScanPayment)
}

// UpdatePayment saves a payment's settlement.
func (t *Tx) UpdatePayment(ctx context.Context, p *fanclub.Payment) error {
	res, err := t.execOne(ctx, `UPDATE payments SET status = ?, provider_ref = ?, decline_code = ?, settled_at = ? WHERE id = ?`,
		string(p.Status), p.ProviderRef, p.DeclineCode, rowcodec.NanosPtr(p.SettledAt), p.ID)
	if err != nil {
		return wrap("payment", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return internal("payment", err)
	} else if n != 1 {
		return notFound("Payment", p.ID)
	}
	return nil
}

// ListPayments lists a fan's payments, oldest first.
func (t *Tx) ListPayments(ctx context.Context, fanID int64) ([]*fanclub.Payment, error) {
	return queryAll(ctx, t, "payments", func(s scanner) (*fanclub.Payment, error) { return rowcodec.ScanPayment(s) },
		`SELECT `+rowcodec.PaymentCols+` FROM payments WHERE fan_id = ? ORDER BY id`, fanID)
}

// CreateGift stores g unless its key is taken (then g becomes the stored
// gift). The gift is kept in the transaction's ledger change; its journal
// row stores it at commit, a checkpoint writes it into gifts.
func (t *Tx) CreateGift(ctx context.Context, g *fanclub.Gift) (bool, error) {
	created, err := t.CreateGifts(ctx, []*fanclub.Gift{g})
	if err != nil {
		return false, err
	}
	return created[0], nil
}

// CreateGifts stores gifts in order (see CreateGift).
func (t *Tx) CreateGifts(ctx context.Context, gs []*fanclub.Gift) ([]bool, error) {
	if !t.write {
		return nil, fanclub.Errorf(fanclub.EINTERNAL, "gift: create in a read-only transaction.")
	}
	keys := make([]string, len(gs))
	for i, g := range gs {
		keys[i] = g.Key
	}
	stored, err := t.FindGiftsByKeys(ctx, keys)
	if err != nil {
		return nil, err
	}
	if err := t.loadNumbers(ctx); err != nil {
		return nil, err
	}
	c := t.led()
	out := make([]bool, len(gs))
	for i, g := range gs {
		if s, ok := stored[g.Key]; ok {
			*g = *s
			continue
		}
		if j, ok := c.giftByKey[g.Key]; ok { // a key twice in gs
			*g = c.gifts[j]
			continue
		}
		g.ID, g.At = t.nextGift, g.At.UTC()
		t.nextGift++
		c.giftByKey[g.Key] = len(c.gifts)
		c.gifts = append(c.gifts, *g)
		out[i] = true
	}
	return out, nil
}

// qGiftsByKeys selects the gifts among n keys.
func qGiftsByKeys(n int) string {
	return `SELECT ` + rowcodec.GiftCols + ` FROM gifts WHERE key IN (` + placeholders(n) + `)`
}

// FindGiftsByKeys returns the stored gifts among keys, by key: this
// transaction's, then the overlay's, then the table's.
func (t *Tx) FindGiftsByKeys(ctx context.Context, keys []string) (map[string]*fanclub.Gift, error) {
	out := make(map[string]*fanclub.Gift, len(keys))
	var rest []string
	c := t.ch.led
	for _, k := range keys {
		if c != nil {
			if i, ok := c.giftByKey[k]; ok {
				g := c.gifts[i]
				out[k] = &g
				continue
			}
		}
		rest = append(rest, k)
	}
	rest = t.db.ov.giftsInto(rest, out)
	if len(rest) == 0 {
		return out, nil
	}
	err := queryIn(ctx, t, "gift", rest, qGiftsByKeys, func(s scanner) (*fanclub.Gift, error) { return rowcodec.ScanGift(s) },
		func(g *fanclub.Gift) { out[g.Key] = g })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindGiftByKey returns the gift with key, ENOTFOUND otherwise.
func (t *Tx) FindGiftByKey(ctx context.Context, key string) (*fanclub.Gift, error) {
	got, err := t.FindGiftsByKeys(ctx, []string{key})
	if err != nil {
		return nil, err
	}
	if g, ok := got[key]; ok {
		return g, nil
	}
	return nil, notFound("Gift", key)
}

// ListGifts lists a fan's gifts at or after since (in one club, or all
// with clubID 0), oldest first.
func (t *Tx) ListGifts(ctx context.Context, fanID, clubID int64, since time.Time) ([]*fanclub.Gift, error) {
	stored, err := queryAll(ctx, t, "gifts", func(s scanner) (*fanclub.Gift, error) { return rowcodec.ScanGift(s) },
		`SELECT `+rowcodec.GiftCols+` FROM gifts WHERE fan_id = ? AND (? = 0 OR club_id = ?) AND at >= ? ORDER BY at, id`,
		fanID, clubID, clubID, ts(since))
	if err != nil {
		return nil, err
	}
	return t.withKeptGifts(stored, func(g *fanclub.Gift) bool {
		return g.FanID == fanID && (clubID == 0 || g.ClubID == clubID) && !g.At.Before(since)
	}), nil
}

// withKeptGifts merges the gifts the table gave (stored) with those keep
// accepts among the overlay's and this transaction's, by (at, id).
func (t *Tx) withKeptGifts(stored []*fanclub.Gift, keep func(*fanclub.Gift) bool) []*fanclub.Gift {
	kept := t.db.ov.giftsWhere(keep)
	var own []fanclub.Gift
	if c := t.ch.led; c != nil {
		for i := range c.gifts {
			if keep(&c.gifts[i]) {
				own = append(own, c.gifts[i])
			}
		}
	}
	if len(kept) == 0 && len(own) == 0 {
		return stored
	}
	table := make([]fanclub.Gift, len(stored))
	for i, g := range stored {
		table[i] = *g
	}
	merged := mergeBy([3][]fanclub.Gift{table, kept, own}, func(g fanclub.Gift) int64 { return g.ID })
	out := make([]*fanclub.Gift, 0, len(merged))
	for i := range merged {
		// A gift anonymised since the snapshot keeps its new fan id.
		if keep(&merged[i]) {
			out = append(out, &merged[i])
		}
	}
	slices.SortFunc(out, func(a, b *fanclub.Gift) int { return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID)) })
	return out
}

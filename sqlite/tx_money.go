package sqlite

import (
	"context"
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
	qInsertGift   = `INSERT INTO gifts(` + strings.TrimPrefix(rowcodec.GiftCols, "id, ") + `) VALUES (` + placeholders(11) + `) ON CONFLICT(key) DO NOTHING`
	qGiftByKey    = `SELECT ` + rowcodec.GiftCols + ` FROM gifts WHERE key = ?`
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

// CreateGift stores g unless its key is taken (then g becomes the stored gift).
func (t *Tx) CreateGift(ctx context.Context, g *fanclub.Gift) (bool, error) {
	res, err := t.execOne(ctx, qInsertGift, rowcodec.GiftArgs(g)...)
	if err != nil {
		return false, wrap("gift", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, internal("gift", err)
	} else if n == 1 {
		id, err := res.LastInsertId()
		if err != nil {
			return false, internal("gift", err)
		}
		g.ID = id
		return true, nil
	}
	stored, err := t.FindGiftByKey(ctx, g.Key)
	if err != nil {
		return false, err
	}
	*g = *stored
	return false, nil
}

// CreateGifts stores gifts in order (see CreateGift).
func (t *Tx) CreateGifts(ctx context.Context, gs []*fanclub.Gift) ([]bool, error) {
	out := make([]bool, len(gs))
	for i, g := range gs {
		created, err := t.CreateGift(ctx, g)
		if err != nil {
			return nil, err
		}
		out[i] = created
	}
	return out, nil
}

// FindGiftsByKeys returns the stored gifts among keys, by key.
func (t *Tx) FindGiftsByKeys(ctx context.Context, keys []string) (map[string]*fanclub.Gift, error) {
	out := make(map[string]*fanclub.Gift, len(keys))
	q := func(n int) string {
		return `SELECT ` + rowcodec.GiftCols + ` FROM gifts WHERE key IN (` + placeholders(n) + `)`
	}
	err := queryIn(ctx, t, "gift", keys, q, func(s scanner) (*fanclub.Gift, error) { return rowcodec.ScanGift(s) },
		func(g *fanclub.Gift) { out[g.Key] = g })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindGiftByKey returns the gift with key, ENOTFOUND otherwise.
func (t *Tx) FindGiftByKey(ctx context.Context, key string) (*fanclub.Gift, error) {
	return findOne(ctx, t, "Gift", "gift", qGiftByKey, key, rowcodec.ScanGift)
}

// ListGifts lists a fan's gifts at or after since (in one club, or all
// with clubID 0), oldest first.
func (t *Tx) ListGifts(ctx context.Context, fanID, clubID int64, since time.Time) ([]*fanclub.Gift, error) {
	return queryAll(ctx, t, "gifts", func(s scanner) (*fanclub.Gift, error) { return rowcodec.ScanGift(s) },
		`SELECT `+rowcodec.GiftCols+` FROM gifts WHERE fan_id = ? AND (? = 0 OR club_id = ?) AND at >= ? ORDER BY at, id`,
		fanID, clubID, clubID, ts(since))
}

package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fanclub"
	"fanclub/internal/rowcodec"
)

var (
	_ fanclub.PaymentTx = (*Tx)(nil)
	_ fanclub.GiftTx    = (*Tx)(nil)
)

// params returns "$1, …, $n".
func params(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		b.WriteString("$")
		b.WriteString(strconv.Itoa(i))
	}
	return b.String()
}

var (
	qInsertPayment = `INSERT INTO payments(` + strings.TrimPrefix(rowcodec.PaymentCols, "id, ") + `) VALUES (` + params(13) + `)
 ON CONFLICT(key) DO NOTHING RETURNING id`
	qPaymentByKey = `SELECT ` + rowcodec.PaymentCols + ` FROM payments WHERE key = $1`
	qInsertGift   = `INSERT INTO gifts(` + strings.TrimPrefix(rowcodec.GiftCols, "id, ") + `) VALUES (` + params(11) + `)
 ON CONFLICT(key) DO NOTHING RETURNING id`
	qGiftByKey = `SELECT ` + rowcodec.GiftCols + ` FROM gifts WHERE key = $1`
	// qGiftsByKeys probes the key index once per key (see queries.go on
	// LATERAL … LIMIT 1): with = ANY a planner that believes the table
	// small scans all of it.
	qGiftsByKeys = `SELECT g.` + strings.ReplaceAll(rowcodec.GiftCols, ", ", ", g.") + ` FROM unnest($1::text[]) AS k(key)
 CROSS JOIN LATERAL (SELECT * FROM gifts WHERE gifts.key = k.key LIMIT 1) AS g`
	qInsertGifts = `INSERT INTO gifts(` + strings.TrimPrefix(rowcodec.GiftCols, "id, ") + `)
 SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[],
  $8::text[], $9::bigint[], $10::text[], $11::bigint[])
 ON CONFLICT(key) DO NOTHING RETURNING key, id`
)

// CreatePayment stores p unless its key is taken (then p becomes the stored payment).
func (t *Tx) CreatePayment(ctx context.Context, p *fanclub.Payment) (bool, error) {
	err := t.queryRow(ctx, "payment", qInsertPayment, rowcodec.PaymentArgs(p), &p.ID)
	if err == nil {
		return true, nil
	} else if !errNoRows(err) {
		return false, err
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
	return findOne(t, ctx, "payment", qPaymentByKey, key, rowcodec.ScanPayment)
}

// UpdatePayment saves a payment's settlement.
func (t *Tx) UpdatePayment(ctx context.Context, p *fanclub.Payment) error {
	tag, err := t.exec(ctx, "payment", `UPDATE payments SET status = $1, provider_ref = $2, decline_code = $3, settled_at = $4 WHERE id = $5`,
		string(p.Status), p.ProviderRef, p.DeclineCode, rowcodec.NanosPtr(p.SettledAt), p.ID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return fanclub.Errorf(fanclub.ENOTFOUND, "Payment %d not found.", p.ID)
	}
	return nil
}

// ListPayments lists a fan's payments, oldest first.
func (t *Tx) ListPayments(ctx context.Context, fanID int64) ([]*fanclub.Payment, error) {
	return collect(t, ctx, "payments", `SELECT `+rowcodec.PaymentCols+` FROM payments WHERE fan_id = $1 ORDER BY id`,
		[]any{fanID}, func(r pgx.Rows) (*fanclub.Payment, error) { return rowcodec.ScanPayment(r) })
}

// CreateGift stores g unless its key is taken (then g becomes the stored gift).
func (t *Tx) CreateGift(ctx context.Context, g *fanclub.Gift) (bool, error) {
	err := t.queryRow(ctx, "gift", qInsertGift, rowcodec.GiftArgs(g), &g.ID)
	if err == nil {
		return true, nil
	} else if !errNoRows(err) {
		return false, err
	}
	stored, err := t.FindGiftByKey(ctx, g.Key)
	if err != nil {
		return false, err
	}
	*g = *stored
	return false, nil
}

// CreateGifts stores gifts in order (see CreateGift) with one statement.
func (t *Tx) CreateGifts(ctx context.Context, gs []*fanclub.Gift) ([]bool, error) {
	n := len(gs)
	out := make([]bool, n)
	if n == 0 {
		return out, nil
	}
	keys, events, currencies := make([]string, n), make([]string, n), make([]string, n)
	fans, clubs, creators, coins := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	values, shares, points, ats := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	at := make(map[string]int, n)
	for i, g := range gs {
		keys[i], events[i], currencies[i] = g.Key, g.EventID, g.Currency
		fans[i], clubs[i], creators[i], coins[i] = g.FanID, g.ClubID, g.CreatorID, g.Coins
		values[i], shares[i], points[i], ats[i] = g.Value, g.Share, g.Points, rowcodec.Nanos(g.At)
		at[g.Key] = i
	}
	rows, err := t.query(ctx, "gift", qInsertGifts, keys, fans, clubs, creators, coins, values, shares, currencies, points, events, ats)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var key string
		var id int64
		if err := rows.Scan(&key, &id); err != nil {
			rows.Close()
			return nil, t.fail("gift", err)
		}
		if i, ok := at[key]; ok {
			gs[i].ID, out[i] = id, true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, t.fail("gift", err)
	}
	var taken []string
	for i, ok := range out {
		if !ok {
			taken = append(taken, gs[i].Key)
		}
	}
	if len(taken) > 0 {
		stored, err := t.FindGiftsByKeys(ctx, taken)
		if err != nil {
			return nil, err
		}
		for _, k := range taken {
			if g, ok := stored[k]; ok {
				*gs[at[k]] = *g
			}
		}
	}
	return out, nil
}

// FindGiftsByKeys returns the stored gifts among keys, by key.
func (t *Tx) FindGiftsByKeys(ctx context.Context, keys []string) (map[string]*fanclub.Gift, error) {
	gs, err := collect(t, ctx, "gift", qGiftsByKeys, []any{keys}, func(r pgx.Rows) (*fanclub.Gift, error) { return rowcodec.ScanGift(r) })
	if err != nil {
		return nil, err
	}
	out := make(map[string]*fanclub.Gift, len(gs))
	for _, g := range gs {
		out[g.Key] = g
	}
	return out, nil
}

// FindGiftByKey returns the gift with key, ENOTFOUND otherwise.
func (t *Tx) FindGiftByKey(ctx context.Context, key string) (*fanclub.Gift, error) {
	return findOne(t, ctx, "gift", qGiftByKey, key, rowcodec.ScanGift)
}

// ListGifts lists a fan's gifts at or after since (in one club, or all
// with clubID 0), oldest first.
func (t *Tx) ListGifts(ctx context.Context, fanID, clubID int64, since time.Time) ([]*fanclub.Gift, error) {
	return collect(t, ctx, "gifts", `SELECT `+rowcodec.GiftCols+` FROM gifts
 WHERE fan_id = $1 AND ($2 = 0 OR club_id = $2) AND at >= $3 ORDER BY at, id`, []any{fanID, clubID, ts(since)},
		func(r pgx.Rows) (*fanclub.Gift, error) { return rowcodec.ScanGift(r) })
}

// findOne reads the one row a key selects with scan; no row is ENOTFOUND.
func findOne[T any](t *Tx, ctx context.Context, op, q string, key any, scan func(rowcodec.Scanner) (*T, error)) (*T, error) {
	if t.conflict != nil {
		return nil, t.conflict
	}
	v, err := scan(t.tx.QueryRow(ctx, q, key))
	if errNoRows(err) {
		return nil, fanclub.Errorf(fanclub.ENOTFOUND, "No %s has key %v.", op, key)
	} else if err != nil {
		return nil, t.fail(op, err)
	}
	return v, nil
}

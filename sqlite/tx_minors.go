package sqlite

import (
	"context"
	"strings"

	"fanclub"
	"fanclub/internal/rowcodec"
)

var _ fanclub.MinorsTx = (*Tx)(nil)

var (
	qUpsertFanAge = `INSERT INTO fan_ages(` + rowcodec.FanAgeCols + `) VALUES (` + placeholders(5) + `)
 ON CONFLICT(fan_id) DO UPDATE SET birth_date = excluded.birth_date, method = excluded.method, ref = excluded.ref, set_at = excluded.set_at`
	qInsertGuardianLink   = `INSERT INTO guardian_links(` + strings.TrimPrefix(rowcodec.GuardianLinkCols, "id, ") + `) VALUES (` + placeholders(6) + `)`
	qInsertGuardianRefund = `INSERT INTO guardian_refunds(` + strings.TrimPrefix(rowcodec.GuardianRefundCols, "id, ") + `) VALUES (` + placeholders(15) + `)
 ON CONFLICT(key) DO NOTHING`
)

// SaveFanAge inserts or replaces a fan's age.
func (t *Tx) SaveFanAge(ctx context.Context, a *fanclub.FanAge) error {
	if _, err := t.execOne(ctx, qUpsertFanAge, rowcodec.FanAgeArgs(a)...); err != nil {
		return wrap("fan age", err)
	}
	return nil
}

// FindFanAge returns a fan's age, ENOTFOUND when none is stored.
func (t *Tx) FindFanAge(ctx context.Context, fanID int64) (*fanclub.FanAge, error) {
	return findOne(ctx, t, "Age of fan", "fan age", `SELECT `+rowcodec.FanAgeCols+` FROM fan_ages WHERE fan_id = ?`, fanID, rowcodec.ScanFanAge)
}

// FindFanAges returns the ages stored among fans, by fan.
func (t *Tx) FindFanAges(ctx context.Context, fans []int64) (map[int64]*fanclub.FanAge, error) {
	out := make(map[int64]*fanclub.FanAge)
	q := func(n int) string {
		return `SELECT ` + rowcodec.FanAgeCols + ` FROM fan_ages WHERE fan_id IN (` + placeholders(n) + `)`
	}
	err := queryIn(ctx, t, "fan age", fans, q, func(s scanner) (*fanclub.FanAge, error) { return rowcodec.ScanFanAge(s) },
		func(a *fanclub.FanAge) { out[a.FanID] = a })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CreateGuardianLink stores l and sets its ID.
func (t *Tx) CreateGuardianLink(ctx context.Context, l *fanclub.GuardianLink) error {
	res, err := t.execOne(ctx, qInsertGuardianLink, rowcodec.GuardianLinkArgs(l)...)
	if err != nil {
		return wrap("guardian link", err)
	}
	if l.ID, err = res.LastInsertId(); err != nil {
		return internal("guardian link", err)
	}
	return nil
}

// FindGuardianLink returns a link by id, ENOTFOUND otherwise.
func (t *Tx) FindGuardianLink(ctx context.Context, id int64) (*fanclub.GuardianLink, error) {
	return findOne(ctx, t, "Guardian link", "guardian link", `SELECT `+rowcodec.GuardianLinkCols+` FROM guardian_links WHERE id = ?`, id, rowcodec.ScanGuardianLink)
}

// UpdateGuardianLink saves a link's status, unlink side and update time.
func (t *Tx) UpdateGuardianLink(ctx context.Context, l *fanclub.GuardianLink) error {
	res, err := t.execOne(ctx, `UPDATE guardian_links SET status = ?, unlink_by = ?, updated_at = ? WHERE id = ?`,
		l.Status, l.UnlinkBy, rowcodec.Nanos(l.UpdatedAt), l.ID)
	if err != nil {
		return wrap("guardian link", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return internal("guardian link", err)
	} else if n != 1 {
		return notFound("Guardian link", l.ID)
	}
	return nil
}

// ListGuardianLinks lists the links not removed of a guardian or a minor.
func (t *Tx) ListGuardianLinks(ctx context.Context, guardianID, minorID int64) ([]*fanclub.GuardianLink, error) {
	return queryAll(ctx, t, "guardian links", func(s scanner) (*fanclub.GuardianLink, error) { return rowcodec.ScanGuardianLink(s) },
		`SELECT `+rowcodec.GuardianLinkCols+` FROM guardian_links WHERE status <> ? AND (? = 0 OR guardian_id = ?) AND (? = 0 OR minor_id = ?) ORDER BY id`,
		fanclub.LinkRemoved, guardianID, guardianID, minorID, minorID)
}

// CreateGuardianRefund stores r unless its key is taken (then r becomes the stored request).
func (t *Tx) CreateGuardianRefund(ctx context.Context, r *fanclub.GuardianRefund) (bool, error) {
	args, err := rowcodec.GuardianRefundArgs(r)
	if err != nil {
		return false, internal("guardian refund", err)
	}
	res, err := t.execOne(ctx, qInsertGuardianRefund, args...)
	if err != nil {
		return false, wrap("guardian refund", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, internal("guardian refund", err)
	} else if n == 1 {
		if r.ID, err = res.LastInsertId(); err != nil {
			return false, internal("guardian refund", err)
		}
		return true, nil
	}
	stored, err := rowcodec.ScanGuardianRefund(t.queryRow(ctx, `SELECT `+rowcodec.GuardianRefundCols+` FROM guardian_refunds WHERE key = ?`, r.Key))
	if err != nil {
		return false, wrap("guardian refund", err)
	}
	*r = *stored
	return false, nil
}

// FindGuardianRefund returns a request by id, ENOTFOUND otherwise.
func (t *Tx) FindGuardianRefund(ctx context.Context, id int64) (*fanclub.GuardianRefund, error) {
	return findOne(ctx, t, "Guardian refund request", "guardian refund", `SELECT `+rowcodec.GuardianRefundCols+` FROM guardian_refunds WHERE id = ?`, id, rowcodec.ScanGuardianRefund)
}

// UpdateGuardianRefund saves a request's status, amounts and decision.
func (t *Tx) UpdateGuardianRefund(ctx context.Context, r *fanclub.GuardianRefund) error {
	res, err := t.execOne(ctx, `UPDATE guardian_refunds SET status = ?, amount = ?, currency = ?, coins = ?, gifts = ?, decided_by = ?, note = ?, decided_at = ? WHERE id = ?`,
		r.Status, r.Amount, r.Currency, r.Coins, r.Gifts, r.DecidedBy, r.Note, rowcodec.NanosPtr(r.DecidedAt), r.ID)
	if err != nil {
		return wrap("guardian refund", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return internal("guardian refund", err)
	} else if n != 1 {
		return notFound("Guardian refund request", r.ID)
	}
	return nil
}

// ListGuardianRefunds lists requests of a minor (0: all) with a status ("": any).
func (t *Tx) ListGuardianRefunds(ctx context.Context, minorID int64, status string) ([]*fanclub.GuardianRefund, error) {
	return queryAll(ctx, t, "guardian refunds", func(s scanner) (*fanclub.GuardianRefund, error) { return rowcodec.ScanGuardianRefund(s) },
		`SELECT `+rowcodec.GuardianRefundCols+` FROM guardian_refunds WHERE (? = 0 OR minor_id = ?) AND (? = '' OR status = ?) ORDER BY id`,
		minorID, minorID, status, status)
}

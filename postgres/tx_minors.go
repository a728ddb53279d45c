package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"fanclub"
	"fanclub/internal/rowcodec"
)

var _ fanclub.MinorsTx = (*Tx)(nil)

var (
	qUpsertFanAge = `INSERT INTO fan_ages(` + rowcodec.FanAgeCols + `) VALUES (` + params(5) + `)
 ON CONFLICT(fan_id) DO UPDATE SET birth_date = excluded.birth_date, method = excluded.method, ref = excluded.ref, set_at = excluded.set_at`
	qInsertGuardianLink = `INSERT INTO guardian_links(` + strings.TrimPrefix(rowcodec.GuardianLinkCols, "id, ") + `) VALUES (` + params(6) + `)
 RETURNING id`
	qInsertGuardianRefund = `INSERT INTO guardian_refunds(` + strings.TrimPrefix(rowcodec.GuardianRefundCols, "id, ") + `) VALUES (` + params(15) + `)
 ON CONFLICT(key) DO NOTHING RETURNING id`
)

// SaveFanAge inserts or replaces a fan's age.
func (t *Tx) SaveFanAge(ctx context.Context, a *fanclub.FanAge) error {
	_, err := t.exec(ctx, "fan age", qUpsertFanAge, rowcodec.FanAgeArgs(a)...)
	return err
}

// FindFanAge returns a fan's age, ENOTFOUND when none is stored.
func (t *Tx) FindFanAge(ctx context.Context, fanID int64) (*fanclub.FanAge, error) {
	return findOne(t, ctx, "fan age", `SELECT `+rowcodec.FanAgeCols+` FROM fan_ages WHERE fan_id = $1`, fanID, rowcodec.ScanFanAge)
}

// FindFanAges returns the ages stored among fans, by fan.
func (t *Tx) FindFanAges(ctx context.Context, fans []int64) (map[int64]*fanclub.FanAge, error) {
	got, err := collect(t, ctx, "fan age", `SELECT `+rowcodec.FanAgeCols+` FROM fan_ages WHERE fan_id = ANY($1)`, []any{fans},
		func(r pgx.Rows) (*fanclub.FanAge, error) { return rowcodec.ScanFanAge(r) })
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*fanclub.FanAge, len(got))
	for _, a := range got {
		out[a.FanID] = a
	}
	return out, nil
}

// CreateGuardianLink stores l and sets its ID.
func (t *Tx) CreateGuardianLink(ctx context.Context, l *fanclub.GuardianLink) error {
	return t.queryRow(ctx, "guardian link", qInsertGuardianLink, rowcodec.GuardianLinkArgs(l), &l.ID)
}

// FindGuardianLink returns a link by id, ENOTFOUND otherwise.
func (t *Tx) FindGuardianLink(ctx context.Context, id int64) (*fanclub.GuardianLink, error) {
	return findOne(t, ctx, "guardian link", `SELECT `+rowcodec.GuardianLinkCols+` FROM guardian_links WHERE id = $1`, id, rowcodec.ScanGuardianLink)
}

// UpdateGuardianLink saves a link's status, unlink side and update time.
func (t *Tx) UpdateGuardianLink(ctx context.Context, l *fanclub.GuardianLink) error {
	tag, err := t.exec(ctx, "guardian link", `UPDATE guardian_links SET status = $1, unlink_by = $2, updated_at = $3 WHERE id = $4`,
		l.Status, l.UnlinkBy, rowcodec.Nanos(l.UpdatedAt), l.ID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return fanclub.Errorf(fanclub.ENOTFOUND, "Guardian link %d not found.", l.ID)
	}
	return nil
}

// ListGuardianLinks lists the links not removed of a guardian or a minor.
func (t *Tx) ListGuardianLinks(ctx context.Context, guardianID, minorID int64) ([]*fanclub.GuardianLink, error) {
	return collect(t, ctx, "guardian links", `SELECT `+rowcodec.GuardianLinkCols+` FROM guardian_links
 WHERE status <> $1 AND ($2 = 0 OR guardian_id = $2) AND ($3 = 0 OR minor_id = $3) ORDER BY id`,
		[]any{fanclub.LinkRemoved, guardianID, minorID}, func(r pgx.Rows) (*fanclub.GuardianLink, error) { return rowcodec.ScanGuardianLink(r) })
}

// CreateGuardianRefund stores r unless its key is taken (then r becomes the stored request).
func (t *Tx) CreateGuardianRefund(ctx context.Context, r *fanclub.GuardianRefund) (bool, error) {
	args, err := rowcodec.GuardianRefundArgs(r)
	if err != nil {
		return false, fanclub.Errorf(fanclub.EINTERNAL, "encode guardian refund: %v", err)
	}
	err = t.queryRow(ctx, "guardian refund", qInsertGuardianRefund, args, &r.ID)
	if err == nil {
		return true, nil
	} else if !errNoRows(err) {
		return false, err
	}
	stored, err := findOne(t, ctx, "guardian refund", `SELECT `+rowcodec.GuardianRefundCols+` FROM guardian_refunds WHERE key = $1`, r.Key, rowcodec.ScanGuardianRefund)
	if err != nil {
		return false, err
	}
	*r = *stored
	return false, nil
}

// FindGuardianRefund returns a request by id, ENOTFOUND otherwise.
func (t *Tx) FindGuardianRefund(ctx context.Context, id int64) (*fanclub.GuardianRefund, error) {
	return findOne(t, ctx, "guardian refund", `SELECT `+rowcodec.GuardianRefundCols+` FROM guardian_refunds WHERE id = $1`, id, rowcodec.ScanGuardianRefund)
}

// UpdateGuardianRefund saves a request's status, amounts and decision.
func (t *Tx) UpdateGuardianRefund(ctx context.Context, r *fanclub.GuardianRefund) error {
	tag, err := t.exec(ctx, "guardian refund", `UPDATE guardian_refunds SET status = $1, amount = $2, currency = $3, coins = $4, gifts = $5,
 decided_by = $6, note = $7, decided_at = $8 WHERE id = $9`,
		r.Status, r.Amount, r.Currency, r.Coins, r.Gifts, r.DecidedBy, r.Note, rowcodec.NanosPtr(r.DecidedAt), r.ID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return fanclub.Errorf(fanclub.ENOTFOUND, "Guardian refund request %d not found.", r.ID)
	}
	return nil
}

// ListGuardianRefunds lists requests of a minor (0: all) with a status ("": any).
func (t *Tx) ListGuardianRefunds(ctx context.Context, minorID int64, status string) ([]*fanclub.GuardianRefund, error) {
	return collect(t, ctx, "guardian refunds", `SELECT `+rowcodec.GuardianRefundCols+` FROM guardian_refunds
 WHERE ($1 = 0 OR minor_id = $1) AND ($2 = '' OR status = $2) ORDER BY id`,
		[]any{minorID, status}, func(r pgx.Rows) (*fanclub.GuardianRefund, error) { return rowcodec.ScanGuardianRefund(r) })
}

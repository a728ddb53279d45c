package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fanclub"
)

var (
	_ fanclub.ExportTx     = (*Tx)(nil)
	_ fanclub.SigningKeyTx = (*Tx)(nil)
	_ fanclub.ImportTx     = (*Tx)(nil)
)

// ListEventsPage lists a page of a member's stored events in the order
// they were stored: event_log row by row, and in each row in the order of
// the batch. The cursor is "row.n": the page starts at log row row,
// after the member's first n events in it. A page reads one log row at a
// time and at most limit rows, so its memory is bounded by limit and the
// largest batch, not by the member's history; finding the rows walks the
// member's chain in the in-memory index once per page.
func (t *Tx) ListEventsPage(ctx context.Context, fanID, clubID int64, after string, limit int) ([]fanclub.Event, string, error) {
	if limit <= 0 {
		return nil, "", fanclub.Errorf(fanclub.EINVALID, "events page: limit %d is not positive", limit)
	}
	from, skip, err := parseLogCursor(after)
	if err != nil {
		return nil, "", err
	}
	k := fanclub.MemberKey{FanID: fanID, ClubID: clubID}
	rows := t.db.events.memberRowsFrom(k, from, limit)
	var out []fanclub.Event
	for i, row := range rows {
		got, err := t.readLogRows(ctx, []int64{row})
		if err != nil {
			return nil, "", err
		}
		n := 0
		for _, e := range got[row] {
			if e.FanID != fanID || e.ClubID != clubID {
				continue
			}
			n++
			if row == from && n <= skip {
				continue
			}
			out = append(out, e)
			if len(out) == limit {
				return out, logCursor(row, n), nil
			}
		}
		if i == len(rows)-1 && len(rows) == limit {
			// More rows may follow: the next page starts after this one.
			return out, logCursor(row+1, 0), nil
		}
	}
	return out, "", nil
}

// logCursor encodes an event page cursor.
func logCursor(row int64, n int) string { return strconv.FormatInt(row, 10) + "." + strconv.Itoa(n) }

// parseLogCursor decodes an event page cursor ("" is the start).
func parseLogCursor(s string) (int64, int, error) {
	if s == "" {
		return 0, 0, nil
	}
	r, n, ok := strings.Cut(s, ".")
	row, err1 := strconv.ParseInt(r, 10, 64)
	skip, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || row < 0 || skip < 0 {
		return 0, 0, fanclub.InvalidFields("Bad events cursor.", []fanclub.FieldError{{Path: "after", Found: s,
			Allowed: "a cursor an earlier page returned", Message: "not a cursor of this store"}})
	}
	return row, skip, nil
}

// memberRowsFrom returns, ascending, the first n rows from row from on
// (inclusive) that hold k's events. A member's rows are kept in
// increasing order (memberRows.rowsFrom stops at the n-th).
func (l *eventLog) memberRowsFrom(k fanclub.MemberKey, from int64, n int) []int64 {
	l.settle()
	l.mu.RLock()
	defer l.mu.RUnlock()
	m := l.member[k]
	return m.rowsFrom(make([]int64, 0, min(n, 1024)), from, n)
}

// ListPointEntries lists a fan's general points entries, oldest first.
func (t *Tx) ListPointEntries(ctx context.Context, fanID int64) ([]fanclub.PointEntry, error) {
	rows, err := t.query(ctx, `SELECT id, delta, reason, created_at FROM general_point_entries WHERE fan_id = ? ORDER BY id`, fanID)
	if err != nil {
		return nil, wrap("general points", err)
	}
	defer rows.Close()
	out := []fanclub.PointEntry{}
	for rows.Next() {
		var (
			e  fanclub.PointEntry
			at int64
		)
		if err := rows.Scan(&e.ID, &e.Delta, &e.Reason, &at); err != nil {
			return nil, wrap("general points", err)
		}
		e.At = fromTS(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("general points", err)
	}
	return out, nil
}

// FindSigningKey returns the stored signing key.
func (t *Tx) FindSigningKey(ctx context.Context) (*fanclub.SigningKey, error) {
	var (
		k  fanclub.SigningKey
		at int64
	)
	err := t.queryRow(ctx, `SELECT id, seed, created_at FROM signing_keys ORDER BY created_at, id LIMIT 1`).Scan(&k.ID, &k.Seed, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Signing key", "of this instance")
	} else if err != nil {
		return nil, wrap("signing key", err)
	}
	k.CreatedAt = fromTS(at)
	return &k, nil
}

// SaveSigningKey stores k unless a key is stored; it returns the stored key.
func (t *Tx) SaveSigningKey(ctx context.Context, k *fanclub.SigningKey) (*fanclub.SigningKey, error) {
	if stored, err := t.FindSigningKey(ctx); err == nil {
		return stored, nil
	} else if fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
		return nil, err
	}
	if _, err := t.execOne(ctx, `INSERT INTO signing_keys(id, seed, created_at) VALUES (?, ?, ?)`, k.ID, k.Seed, ts(k.CreatedAt)); err != nil {
		return nil, wrap("signing key", err)
	}
	cp := *k
	return &cp, nil
}

const importCols = `id, fan_id, sha256, source_instance, key_id, source_fan_id, exported_at, imported_at, counts, memberships`

// CreateImport stores im unless the fan imported its document already.
// An import with a time the store cannot keep is invalid (fanclub.StorableImport).
func (t *Tx) CreateImport(ctx context.Context, im *fanclub.Import) (bool, error) {
	if err := fanclub.StorableImport(im); err != nil {
		return false, err
	}
	counts, err := json.Marshal(im.Counts)
	if err != nil {
		return false, internal("import", err)
	}
	ms, err := json.Marshal(im.Memberships)
	if err != nil {
		return false, internal("import", err)
	}
	res, err := t.execOne(ctx, `INSERT INTO imports(`+strings.TrimPrefix(importCols, "id, ")+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
 ON CONFLICT(fan_id, sha256) DO NOTHING`, im.FanID, im.SHA256, im.SourceInstance, im.KeyID, im.SourceFanID,
		ts(im.ExportedAt), ts(im.ImportedAt), string(counts), string(ms))
	if err != nil {
		return false, wrap("import", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, internal("import", err)
	} else if n == 1 {
		if im.ID, err = res.LastInsertId(); err != nil {
			return false, internal("import", err)
		}
		return true, nil
	}
	stored, err := t.scanImports(ctx, `SELECT `+importCols+` FROM imports WHERE fan_id = ? AND sha256 = ?`, im.FanID, im.SHA256)
	if err != nil {
		return false, err
	}
	if len(stored) != 1 {
		return false, internal("import", fmt.Errorf("import %s of fan %d vanished", im.SHA256, im.FanID))
	}
	*im = *stored[0]
	return false, nil
}

// ListImports lists a fan's imports, oldest first.
func (t *Tx) ListImports(ctx context.Context, fanID int64) ([]*fanclub.Import, error) {
	return t.scanImports(ctx, `SELECT `+importCols+` FROM imports WHERE fan_id = ? ORDER BY id`, fanID)
}

// scanImports runs a query of importCols.
func (t *Tx) scanImports(ctx context.Context, q string, args ...any) ([]*fanclub.Import, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, wrap("import", err)
	}
	defer rows.Close()
	out := []*fanclub.Import{}
	for rows.Next() {
		var (
			im         fanclub.Import
			exp, imp   int64
			counts, ms string
		)
		if err := rows.Scan(&im.ID, &im.FanID, &im.SHA256, &im.SourceInstance, &im.KeyID, &im.SourceFanID, &exp, &imp, &counts, &ms); err != nil {
			return nil, wrap("import", err)
		}
		if err := json.Unmarshal([]byte(counts), &im.Counts); err != nil {
			return nil, internal("import counts", err)
		}
		if err := json.Unmarshal([]byte(ms), &im.Memberships); err != nil {
			return nil, internal("import memberships", err)
		}
		im.ExportedAt, im.ImportedAt = fromTS(exp), fromTS(imp)
		out = append(out, &im)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("import", err)
	}
	return out, nil
}

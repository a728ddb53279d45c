package postgres

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"fanclub"
)

var (
	_ fanclub.ExportTx     = (*Tx)(nil)
	_ fanclub.SigningKeyTx = (*Tx)(nil)
	_ fanclub.ImportTx     = (*Tx)(nil)
)

const (
	qEventsPage = `SELECT id, fan_id, club_id, action, amount, at FROM events
 WHERE fan_id = $1 AND club_id = $2 AND (at, id) > ($3, $4) ORDER BY at, id LIMIT $5`
	qPointEntries   = `SELECT id, delta, reason, created_at FROM general_point_entries WHERE fan_id = $1 ORDER BY id`
	qSigningKey     = `SELECT id, seed, created_at FROM signing_keys ORDER BY created_at, id LIMIT 1`
	qSaveSigningKey = `INSERT INTO signing_keys(id, seed, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`
	importCols      = `id, fan_id, sha256, source_instance, key_id, source_fan_id, exported_at, imported_at, counts, memberships`
	qInsertImport   = `INSERT INTO imports(fan_id, sha256, source_instance, key_id, source_fan_id, exported_at, imported_at, counts, memberships)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (fan_id, sha256) DO NOTHING RETURNING id`
	qImportBySum = `SELECT ` + importCols + ` FROM imports WHERE fan_id = $1 AND sha256 = $2`
	qImports     = `SELECT ` + importCols + ` FROM imports WHERE fan_id = $1 ORDER BY id`
)

// ListEventsPage lists a page of a member's events by time, then id, with
// a keyset cursor "at:id" (at in Unix nanoseconds) on the events_member
// index: a page costs the same however deep it is.
func (t *Tx) ListEventsPage(ctx context.Context, fanID, clubID int64, after string, limit int) ([]fanclub.Event, string, error) {
	if limit <= 0 {
		return nil, "", fanclub.Errorf(fanclub.EINVALID, "events page: limit %d is not positive", limit)
	}
	at, id := int64(math.MinInt64), ""
	if after != "" {
		a, rest, ok := strings.Cut(after, ":")
		n, err := strconv.ParseInt(a, 10, 64)
		if !ok || err != nil {
			return nil, "", fanclub.InvalidFields("Bad events cursor.", []fanclub.FieldError{{Path: "after", Found: after,
				Allowed: "a cursor an earlier page returned", Message: "not a cursor of this store"}})
		}
		at, id = n, rest
	}
	evs, err := collect(t, ctx, "events", qEventsPage, []any{fanID, clubID, at, id, limit}, func(r pgx.Rows) (fanclub.Event, error) {
		var (
			e      fanclub.Event
			action string
			at     int64
		)
		err := r.Scan(&e.ID, &e.FanID, &e.ClubID, &action, &e.Amount, &at)
		e.Action, e.At = fanclub.Action(action), fromTS(at)
		return e, err
	})
	if err != nil || len(evs) < limit {
		return evs, "", err
	}
	last := evs[len(evs)-1]
	return evs, strconv.FormatInt(ts(last.At), 10) + ":" + last.ID, nil
}

// ListPointEntries lists a fan's general points entries, oldest first.
func (t *Tx) ListPointEntries(ctx context.Context, fanID int64) ([]fanclub.PointEntry, error) {
	out, err := collect(t, ctx, "general points", qPointEntries, []any{fanID}, func(r pgx.Rows) (fanclub.PointEntry, error) {
		var (
			e  fanclub.PointEntry
			at int64
		)
		err := r.Scan(&e.ID, &e.Delta, &e.Reason, &at)
		e.At = fromTS(at)
		return e, err
	})
	if out == nil && err == nil {
		out = []fanclub.PointEntry{}
	}
	return out, err
}

// FindSigningKey returns the stored signing key.
func (t *Tx) FindSigningKey(ctx context.Context) (*fanclub.SigningKey, error) {
	var (
		k  fanclub.SigningKey
		at int64
	)
	err := t.queryRow(ctx, "signing key", qSigningKey, nil, &k.ID, &k.Seed, &at)
	if errNoRows(err) {
		return nil, notFound("Signing key", "of this instance")
	} else if err != nil {
		return nil, err
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
	if _, err := t.exec(ctx, "signing key", qSaveSigningKey, k.ID, k.Seed, ts(k.CreatedAt)); err != nil {
		return nil, err
	}
	return t.FindSigningKey(ctx)
}

// CreateImport stores im unless the fan imported its document already.
// An import with a time the store cannot keep is invalid (fanclub.StorableImport).
func (t *Tx) CreateImport(ctx context.Context, im *fanclub.Import) (bool, error) {
	if err := fanclub.StorableImport(im); err != nil {
		return false, err
	}
	counts, err := json.Marshal(im.Counts)
	if err != nil {
		return false, classify("import", err)
	}
	ms, err := json.Marshal(im.Memberships)
	if err != nil {
		return false, classify("import", err)
	}
	err = t.queryRow(ctx, "import", qInsertImport, []any{im.FanID, im.SHA256, im.SourceInstance, im.KeyID, im.SourceFanID,
		ts(im.ExportedAt), ts(im.ImportedAt), string(counts), string(ms)}, &im.ID)
	if err == nil {
		return true, nil
	} else if !errNoRows(err) {
		return false, err
	}
	stored, err := collect(t, ctx, "import", qImportBySum, []any{im.FanID, im.SHA256}, scanImport)
	if err != nil {
		return false, err
	}
	if len(stored) != 1 {
		return false, notFound("Import", im.SHA256)
	}
	*im = *stored[0]
	return false, nil
}

// ListImports lists a fan's imports, oldest first.
func (t *Tx) ListImports(ctx context.Context, fanID int64) ([]*fanclub.Import, error) {
	out, err := collect(t, ctx, "import", qImports, []any{fanID}, scanImport)
	if out == nil && err == nil {
		out = []*fanclub.Import{}
	}
	return out, err
}

// scanImport scans a row of importCols.
func scanImport(r pgx.Rows) (*fanclub.Import, error) {
	var (
		im         fanclub.Import
		exp, imp   int64
		counts, ms []byte
	)
	if err := r.Scan(&im.ID, &im.FanID, &im.SHA256, &im.SourceInstance, &im.KeyID, &im.SourceFanID, &exp, &imp, &counts, &ms); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(counts, &im.Counts); err != nil {
		return nil, classify("import counts", err)
	}
	if err := json.Unmarshal(ms, &im.Memberships); err != nil {
		return nil, classify("import memberships", err)
	}
	im.ExportedAt, im.ImportedAt = fromTS(exp), fromTS(imp)
	return &im, nil
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"fanclub"
)

// expiredPerSave bounds how many expired idempotent responses one save drops.
const expiredPerSave = 64

const qFindIdempotent = `SELECT scope, key, fingerprint, route, status, content_type, location, body, created_at, expires_at
 FROM idempotent_responses WHERE scope = ? AND key = ? AND expires_at > ?`

// FindIdempotentResponse returns the unexpired response stored under
// (scope, key), ENOTFOUND otherwise.
func (t *Tx) FindIdempotentResponse(ctx context.Context, scope, key string) (*fanclub.IdempotentResponse, error) {
	var r fanclub.IdempotentResponse
	var created, expires int64
	err := t.queryRow(ctx, qFindIdempotent, scope, key, ts(t.now)).Scan(&r.Scope, &r.Key, &r.Fingerprint, &r.Route,
		&r.Status, &r.ContentType, &r.Location, &r.Body, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fanclub.Errorf(fanclub.ENOTFOUND, "No response stored under this idempotency key.")
	} else if err != nil {
		return nil, wrap("idempotent response", err)
	}
	r.CreatedAt, r.ExpiresAt = fromTS(created), fromTS(expires)
	return &r, nil
}

// SaveIdempotentResponse stores r unless (scope, key) holds an unexpired
// response (an expired one is replaced), drops up to expiredPerSave other
// expired responses, and returns the stored response.
func (t *Tx) SaveIdempotentResponse(ctx context.Context, r *fanclub.IdempotentResponse) (*fanclub.IdempotentResponse, error) {
	now := ts(t.now)
	if _, err := t.execOne(ctx, `DELETE FROM idempotent_responses WHERE rowid IN
 (SELECT rowid FROM idempotent_responses WHERE expires_at <= ? LIMIT ?)`, now, expiredPerSave); err != nil {
		return nil, wrap("idempotent response", err)
	}
	body := r.Body
	if body == nil {
		body = []byte{}
	}
	res, err := t.execOne(ctx, `INSERT INTO idempotent_responses(scope, key, fingerprint, route, status, content_type, location, body, created_at, expires_at)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
 ON CONFLICT(scope, key) DO UPDATE SET fingerprint = excluded.fingerprint, route = excluded.route, status = excluded.status,
 content_type = excluded.content_type, location = excluded.location, body = excluded.body,
 created_at = excluded.created_at, expires_at = excluded.expires_at
 WHERE idempotent_responses.expires_at <= ?`,
		r.Scope, r.Key, r.Fingerprint, r.Route, r.Status, r.ContentType, r.Location, body, ts(r.CreatedAt), ts(r.ExpiresAt), now)
	if err != nil {
		return nil, wrap("idempotent response", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 1 {
		cp := *r
		return &cp, nil
	}
	return t.FindIdempotentResponse(ctx, r.Scope, r.Key)
}

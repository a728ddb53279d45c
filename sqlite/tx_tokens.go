package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"fanclub"
)

// tokenCols are the columns scanToken reads.
const tokenCols = `id, hash, role, subject_id, created_at, expires_at, revoked_at`

var _ fanclub.TokenTx = (*Tx)(nil)

// CreateToken stores a token by its hash and sets its id.
func (t *Tx) CreateToken(ctx context.Context, tok *fanclub.Token) error {
	if tok.CreatedAt.IsZero() {
		tok.CreatedAt = t.now
	}
	var revoked any
	if tok.RevokedAt != nil {
		revoked = ts(*tok.RevokedAt)
	}
	res, err := t.execOne(ctx, `INSERT INTO tokens(hash, role, subject_id, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)`,
		tok.Hash, string(tok.Role), tok.SubjectID, ts(tok.CreatedAt), ts(tok.ExpiresAt), revoked)
	if err != nil {
		return wrap("token", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return wrap("token", err)
	}
	tok.ID = id
	return nil
}

// scanToken reads a row of tokenCols.
func scanToken(row scanner) (*fanclub.Token, error) {
	var tok fanclub.Token
	var role string
	var created, expires int64
	var revoked sql.NullInt64
	if err := row.Scan(&tok.ID, &tok.Hash, &role, &tok.SubjectID, &created, &expires, &revoked); err != nil {
		return nil, err
	}
	tok.Role = fanclub.Role(role)
	tok.CreatedAt, tok.ExpiresAt = fromTS(created), fromTS(expires)
	if revoked.Valid {
		r := fromTS(revoked.Int64)
		tok.RevokedAt = &r
	}
	return &tok, nil
}

// FindToken returns the token with a hash.
func (t *Tx) FindToken(ctx context.Context, hash string) (*fanclub.Token, error) {
	tok, err := scanToken(t.queryRow(ctx, qFindToken, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fanclub.Errorf(fanclub.ENOTFOUND, "Token not found.")
	} else if err != nil {
		return nil, wrap("token", err)
	}
	return tok, nil
}

// FindTokenByID returns the token with an id.
func (t *Tx) FindTokenByID(ctx context.Context, id int64) (*fanclub.Token, error) {
	tok, err := scanToken(t.queryRow(ctx, `SELECT `+tokenCols+` FROM tokens WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Token", id)
	} else if err != nil {
		return nil, wrap("token", err)
	}
	return tok, nil
}

// RevokeToken marks a token revoked at at, keeping an earlier revocation.
func (t *Tx) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	res, err := t.execOne(ctx, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, ts(at), id)
	if err != nil {
		return wrap("token", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return wrap("token", err)
	} else if n == 0 {
		return notFound("Token", id)
	}
	return nil
}

// HasLiveToken reports whether a token of role is unrevoked and unexpired at at.
func (t *Tx) HasLiveToken(ctx context.Context, role fanclub.Role, at time.Time) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM tokens
 WHERE role = ? AND revoked_at IS NULL AND expires_at > ? LIMIT 1)`, string(role), ts(at)).Scan(&n)
	if err != nil {
		return false, wrap("token", err)
	}
	return n > 0, nil
}

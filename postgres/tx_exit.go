package postgres

import (
	"context"
	"fanclub/internal/rowcodec"
	"time"

	"github.com/jackc/pgx/v5"

	"fanclub"
)

// encodeExitRequest encodes an exit request's JSON columns.
func encodeExitRequest(r *fanclub.ExitRequest) (rowcodec.ExitJSON, error) {
	row, err := rowcodec.EncodeExitJSON(r)
	if err != nil {
		return row, classify("exit request", err)
	}
	return row, nil
}

// CreateExitRequest stores an exit request; a taken id, or a second
// pending request of the fan in the club, is a conflict.
func (t *Tx) CreateExitRequest(ctx context.Context, r *fanclub.ExitRequest) error {
	row, err := encodeExitRequest(r)
	if err != nil {
		return err
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = t.now
	}
	tag, err := t.exec(ctx, "exit request", qCreateExitRequest,
		r.ID, r.FanID, r.ClubID, string(r.Status), ts(r.CreatedAt), ts(r.ExpiresAt), row.Challenges, row.Choices,
		r.Attempts, r.MaxAttempts, r.CaptchaCode, r.SliderTarget, r.SliderWidth, r.SliderTolerance,
		r.MembershipVersion, row.Impact)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return conflict("exit request")
	}
	return nil
}

// FindExitRequest returns an exit request, secrets included.
func (t *Tx) FindExitRequest(ctx context.Context, id string) (*fanclub.ExitRequest, error) {
	if t.conflict != nil {
		return nil, t.conflict
	}
	r, err := rowcodec.ScanExitRequest(t.tx.QueryRow(ctx, qFindExitRequest, id))
	if errNoRows(err) {
		return nil, notFound("Exit request", id)
	} else if err != nil {
		return nil, t.fail("exit request", err)
	}
	return r, nil
}

var _ fanclub.ExitRequestTx = (*Tx)(nil)

// PendingExitRequests lists a fan's exit requests in a club stored as
// pending, oldest first.
func (t *Tx) PendingExitRequests(ctx context.Context, fanID, clubID int64) ([]*fanclub.ExitRequest, error) {
	out, err := collect(t, ctx, "exit requests", qPendingExitRequests, []any{fanID, clubID, string(fanclub.ExitPending)},
		func(r pgx.Rows) (*fanclub.ExitRequest, error) { return rowcodec.ScanExitRequest(r) })
	if len(out) == 0 {
		out = nil
	}
	return out, err
}

// UpdateExitRequest replaces a stored exit request's mutable fields.
func (t *Tx) UpdateExitRequest(ctx context.Context, r *fanclub.ExitRequest) error {
	row, err := encodeExitRequest(r)
	if err != nil {
		return err
	}
	tag, err := t.exec(ctx, "exit request", qUpdateExitRequest, string(r.Status), ts(r.ExpiresAt), row.Challenges, row.Choices,
		r.Attempts, r.MaxAttempts, r.CaptchaCode, r.SliderTarget, r.SliderWidth, r.SliderTolerance,
		r.MembershipVersion, row.Impact, r.ID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return notFound("Exit request", r.ID)
	}
	return nil
}

var _ fanclub.TokenTx = (*Tx)(nil)

// CreateToken stores a token by its hash and sets its id; a taken hash is
// a conflict.
func (t *Tx) CreateToken(ctx context.Context, tok *fanclub.Token) error {
	if tok.CreatedAt.IsZero() {
		tok.CreatedAt = t.now
	}
	id, err := t.insertID(ctx, "token", qCreateToken, tok.Hash, string(tok.Role), tok.SubjectID, ts(tok.CreatedAt),
		ts(tok.ExpiresAt), tsPtr(tok.RevokedAt))
	if err != nil {
		return err
	}
	tok.ID = id
	return nil
}

func scanToken(row pgx.Row) (*fanclub.Token, error) {
	var tok fanclub.Token
	var role string
	var created, expires int64
	var revoked *int64
	if err := row.Scan(&tok.ID, &tok.Hash, &role, &tok.SubjectID, &created, &expires, &revoked); err != nil {
		return nil, err
	}
	tok.Role, tok.CreatedAt, tok.ExpiresAt, tok.RevokedAt = fanclub.Role(role), fromTS(created), fromTS(expires), fromTSPtr(revoked)
	return &tok, nil
}

// findToken runs a single-token query.
func (t *Tx) findToken(ctx context.Context, q string, key any, missing error) (*fanclub.Token, error) {
	if t.conflict != nil {
		return nil, t.conflict
	}
	tok, err := scanToken(t.tx.QueryRow(ctx, q, key))
	if errNoRows(err) {
		return nil, missing
	} else if err != nil {
		return nil, t.fail("token", err)
	}
	return tok, nil
}

// FindToken returns the token with a hash.
func (t *Tx) FindToken(ctx context.Context, hash string) (*fanclub.Token, error) {
	return t.findToken(ctx, qFindToken, hash, fanclub.Errorf(fanclub.ENOTFOUND, "Token not found."))
}

// FindTokenByID returns the token with an id.
func (t *Tx) FindTokenByID(ctx context.Context, id int64) (*fanclub.Token, error) {
	return t.findToken(ctx, qFindTokenByID, id, notFound("Token", id))
}

// RevokeToken marks a token revoked at at, keeping an earlier revocation.
func (t *Tx) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	tag, err := t.exec(ctx, "token", qRevokeToken, ts(at), id)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return notFound("Token", id)
	}
	return nil
}

// HasLiveToken reports whether a token of role is unrevoked and unexpired at at.
func (t *Tx) HasLiveToken(ctx context.Context, role fanclub.Role, at time.Time) (bool, error) {
	var live bool
	err := t.queryRow(ctx, "token", qHasLiveToken, []any{string(role), ts(at)}, &live)
	return live, err
}

// expiredPerSave bounds how many expired idempotent responses one save drops.
const expiredPerSave = 64

// FindIdempotentResponse returns the unexpired response stored under
// (scope, key), ENOTFOUND otherwise.
func (t *Tx) FindIdempotentResponse(ctx context.Context, scope, key string) (*fanclub.IdempotentResponse, error) {
	var r fanclub.IdempotentResponse
	var created, expires int64
	err := t.queryRow(ctx, "idempotent response", qFindIdempotent, []any{scope, key, ts(t.now)}, &r.Scope, &r.Key,
		&r.Fingerprint, &r.Route, &r.Status, &r.ContentType, &r.Location, &r.Body, &created, &expires)
	if errNoRows(err) {
		return nil, fanclub.Errorf(fanclub.ENOTFOUND, "No response stored under this idempotency key.")
	} else if err != nil {
		return nil, err
	}
	r.CreatedAt, r.ExpiresAt = fromTS(created), fromTS(expires)
	return &r, nil
}

// SaveIdempotentResponse stores r unless (scope, key) holds an unexpired
// response (an expired one is replaced), drops up to expiredPerSave other
// expired responses, and returns the stored response.
func (t *Tx) SaveIdempotentResponse(ctx context.Context, r *fanclub.IdempotentResponse) (*fanclub.IdempotentResponse, error) {
	now := ts(t.now)
	if _, err := t.exec(ctx, "idempotent response", qDropExpiredIdempotent, now, expiredPerSave); err != nil {
		return nil, err
	}
	body := r.Body
	if body == nil {
		body = []byte{}
	}
	tag, err := t.exec(ctx, "idempotent response", qSaveIdempotent, r.Scope, r.Key, r.Fingerprint, r.Route, r.Status,
		r.ContentType, r.Location, body, ts(r.CreatedAt), ts(r.ExpiresAt), now)
	if err != nil {
		return nil, err
	}
	if tag.RowsAffected() == 1 {
		cp := *r
		return &cp, nil
	}
	return t.FindIdempotentResponse(ctx, r.Scope, r.Key)
}

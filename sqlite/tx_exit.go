package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fanclub/internal/rowcodec"
	"slices"
	"time"

	"fanclub"
)

// InsertEffects stores effects.
func (t *Tx) InsertEffects(ctx context.Context, effects []fanclub.Effect) error {
	for _, e := range effects {
		actions, err := json.Marshal(e.Actions)
		if err != nil {
			return internal("effect actions", err)
		}
		var until any
		if e.Until != nil {
			until = ts(*e.Until)
		}
		if _, err := t.execOne(ctx, `INSERT INTO effects(fan_id, club_id, kind, scope, start, until, ends_on_rejoin, factor, actions)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.FanID, e.ClubID, string(e.Kind), string(e.Scope), ts(e.Start), until,
			e.EndsOnRejoin, e.Factor, string(actions)); err != nil {
			return wrap("effect", err)
		}
		t.effectFans = append(t.effectFans, e.FanID)
	}
	return nil
}

var _ fanclub.BulkEffectsTx = (*Tx)(nil)

// ListEffects lists a fan's effects that have not ended by at (including
// those that start later), in insertion order.
func (t *Tx) ListEffects(ctx context.Context, fanID int64, at time.Time) ([]fanclub.Effect, error) {
	rows, err := t.query(ctx, `SELECT `+effectSelect+`
 FROM effects AS e WHERE e.fan_id = ? AND (e.until IS NULL OR e.until > ?) ORDER BY e.id`, fanID, ts(at))
	if err != nil {
		return nil, wrap("effects", err)
	}
	defer rows.Close()
	effects := []fanclub.Effect{}
	for rows.Next() {
		e, err := scanEffect(rows)
		if err != nil {
			return nil, wrap("effects", err)
		}
		effects = append(effects, e)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("effects", err)
	}
	return effects, nil
}

// ListEffectsOfFans returns, for each of fanIDs with any, the fan's effects
// not ended by at (fanclub.BulkEffectsTx).
func (t *Tx) ListEffectsOfFans(ctx context.Context, fanIDs []int64, at time.Time) (map[int64][]fanclub.Effect, error) {
	out := map[int64][]fanclub.Effect{}
	ids := t.db.ov.withEffects(fanIDs)
	for _, id := range fanIDs {
		if slices.Contains(t.effectFans, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	ids = uniqueSorted(ids, cmpInt)
	args := make([]any, 0, chunkSizes[0]+1)
	for _, size := range chunks(len(ids)) {
		n := chunkSizes[size]
		args = args[:0]
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		ids = ids[n:]
		args = append(args, ts(at))
		rows, err := t.bulkQuery(ctx, kEffectsOfFans, size, args)
		if err != nil {
			return nil, wrap("effects", err)
		}
		for rows.Next() {
			e, err := scanEffect(rows)
			if err != nil {
				rows.Close()
				return nil, wrap("effects", err)
			}
			out[e.FanID] = append(out[e.FanID], e)
		}
		if err := rows.Close(); err != nil {
			return nil, wrap("effects", err)
		}
		if err := rows.Err(); err != nil {
			return nil, wrap("effects", err)
		}
	}
	return out, nil
}

func scanEffect(s interface{ Scan(...any) error }) (fanclub.Effect, error) {
	var e fanclub.Effect
	var kind, scope, actions string
	var start int64
	var until sql.NullInt64
	if err := s.Scan(&e.FanID, &e.ClubID, &kind, &scope, &start, &until, &e.EndsOnRejoin, &e.Factor, &actions); err != nil {
		return e, err
	}
	e.Kind, e.Scope, e.Start = fanclub.EffectKind(kind), fanclub.Scope(scope), fromTS(start)
	if until.Valid {
		u := fromTS(until.Int64)
		e.Until = &u
	}
	if err := json.Unmarshal([]byte(actions), &e.Actions); err != nil {
		return e, err
	}
	return e, nil
}

// EndRejoinEffects ends, at at, the fan's effects in a club that end on
// rejoin and are still running at at.
func (t *Tx) EndRejoinEffects(ctx context.Context, fanID, clubID int64, at time.Time) error {
	_, err := t.execOne(ctx, `UPDATE effects SET until = ?1
 WHERE fan_id = ?2 AND club_id = ?3 AND ends_on_rejoin AND (until IS NULL OR until > ?1)`, ts(at), fanID, clubID)
	if err != nil {
		return wrap("effects", err)
	}
	return nil
}

// encodeExitRequest encodes an exit request's JSON columns.
func encodeExitRequest(r *fanclub.ExitRequest) (rowcodec.ExitJSON, error) {
	row, err := rowcodec.EncodeExitJSON(r)
	if err != nil {
		return row, internal("exit request", err)
	}
	return row, nil
}

// CreateExitRequest stores an exit request; a taken id is a conflict.
func (t *Tx) CreateExitRequest(ctx context.Context, r *fanclub.ExitRequest) error {
	row, err := encodeExitRequest(r)
	if err != nil {
		return err
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = t.now
	}
	_, err = t.execOne(ctx, `INSERT INTO exit_requests(id, fan_id, club_id, status, created_at, expires_at,
 challenges, choices, attempts, max_attempts, captcha_code, slider_target, slider_width, slider_tolerance,
 membership_version, impact) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.FanID, r.ClubID, string(r.Status), ts(r.CreatedAt), ts(r.ExpiresAt), row.Challenges, row.Choices,
		r.Attempts, r.MaxAttempts, r.CaptchaCode, r.SliderTarget, r.SliderWidth, r.SliderTolerance,
		r.MembershipVersion, row.Impact)
	if err != nil {
		return wrap("exit request", err)
	}
	return nil
}

// exitRequestCols are the columns scanExitRequest reads.
const exitRequestCols = `id, fan_id, club_id, status, created_at, expires_at, challenges, choices,
 attempts, max_attempts, captcha_code, slider_target, slider_width, slider_tolerance, membership_version, impact`

// FindExitRequest returns an exit request, secrets included.
func (t *Tx) FindExitRequest(ctx context.Context, id string) (*fanclub.ExitRequest, error) {
	r, err := rowcodec.ScanExitRequest(t.queryRow(ctx, `SELECT `+exitRequestCols+` FROM exit_requests WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Exit request", id)
	} else if err != nil {
		return nil, wrap("exit request", err)
	}
	return r, nil
}

var _ fanclub.ExitRequestTx = (*Tx)(nil)

// PendingExitRequests lists a fan's exit requests in a club stored as
// pending, oldest first.
func (t *Tx) PendingExitRequests(ctx context.Context, fanID, clubID int64) ([]*fanclub.ExitRequest, error) {
	rows, err := t.query(ctx, `SELECT `+exitRequestCols+` FROM exit_requests
 WHERE fan_id = ? AND club_id = ? AND status = ? ORDER BY created_at, rowid`, fanID, clubID, string(fanclub.ExitPending))
	if err != nil {
		return nil, wrap("exit requests", err)
	}
	defer rows.Close()
	var out []*fanclub.ExitRequest
	for rows.Next() {
		r, err := rowcodec.ScanExitRequest(rows)
		if err != nil {
			return nil, wrap("exit requests", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("exit requests", err)
	}
	return out, nil
}

// UpdateExitRequest replaces a stored exit request's mutable fields.
func (t *Tx) UpdateExitRequest(ctx context.Context, r *fanclub.ExitRequest) error {
	row, err := encodeExitRequest(r)
	if err != nil {
		return err
	}
	res, err := t.execOne(ctx, `UPDATE exit_requests SET status = ?, expires_at = ?, challenges = ?, choices = ?,
 attempts = ?, max_attempts = ?, captcha_code = ?, slider_target = ?, slider_width = ?, slider_tolerance = ?,
 membership_version = ?, impact = ? WHERE id = ?`, string(r.Status), ts(r.ExpiresAt), row.Challenges, row.Choices,
		r.Attempts, r.MaxAttempts, r.CaptchaCode, r.SliderTarget, r.SliderWidth, r.SliderTolerance,
		r.MembershipVersion, row.Impact, r.ID)
	if err != nil {
		return wrap("exit request", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return wrap("exit request", err)
	} else if n == 0 {
		return notFound("Exit request", r.ID)
	}
	return nil
}

// FindBatch returns the stored result of a producer's batch.
func (t *Tx) FindBatch(ctx context.Context, producer string, seq int64) (*fanclub.BatchResult, error) {
	var raw []byte
	err := t.queryRow(ctx, qFindBatch, producer, seq).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fanclub.Errorf(fanclub.ENOTFOUND, "Batch %s/%d not found.", producer, seq)
	} else if err != nil {
		return nil, wrap("batch", err)
	}
	r, err := decodeBatchResult(raw)
	if err != nil {
		return nil, internal("batch", err)
	}
	return r, nil
}

// SaveBatch stores a batch's result; a batch already stored is a conflict.
// It also lets go of the oldest results past the dedupe window (batch_expiry.go).
func (t *Tx) SaveBatch(ctx context.Context, producer string, seq int64, r *fanclub.BatchResult) error {
	if _, err := t.execOne(ctx, qSaveBatch,
		producer, seq, encodeBatchResult(r), ts(t.now)); err != nil {
		return wrap("batch", err)
	}
	return t.expireBatches(ctx)
}

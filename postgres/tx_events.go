package postgres

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"fanclub"
)

// InsertEvents appends events to the behaviour log, skipping ids already
// stored; fresh[i] reports whether events[i] was new (a repeat of an id
// earlier in the same call or transaction is not). The unique event id
// makes this hold across processes: of two transactions inserting one id,
// one commits it and the other fails with a retryable error (SERIALIZABLE)
// or waits for the first and then skips the id (a locking transaction).
func (t *Tx) InsertEvents(ctx context.Context, events []fanclub.Event) ([]bool, error) {
	fresh := make([]bool, len(events))
	if len(events) == 0 {
		return fresh, nil
	}
	first := make(map[string]int, len(events))
	order := make([]int, 0, len(events))
	for i, e := range events {
		if _, dup := first[e.ID]; dup {
			continue
		}
		first[e.ID] = i
		order = append(order, i)
	}
	// Rows are inserted in id order: two transactions inserting the same
	// ids wait for each other in one order (no deadlock between them).
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(events[a].ID, events[b].ID) })
	n := len(order)
	ids, actions := make([]string, n), make([]string, n)
	fans, clubs, amounts, ats := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	for j, i := range order {
		e := &events[i]
		ids[j], actions[j], fans[j], clubs[j], amounts[j], ats[j] = e.ID, string(e.Action), e.FanID, e.ClubID, e.Amount, ts(e.At)
	}
	stored, err := collect(t, ctx, "events", qInsertEvents, []any{ids, fans, clubs, actions, amounts, ats},
		func(r pgx.Rows) (string, error) {
			var id string
			err := r.Scan(&id)
			return id, err
		})
	if err != nil {
		return nil, err
	}
	for _, id := range stored {
		fresh[first[id]] = true
	}
	return fresh, nil
}

// ListEvents lists a fan's events in a club, oldest first (by time, then id).
func (t *Tx) ListEvents(ctx context.Context, fanID, clubID int64) ([]fanclub.Event, error) {
	return collect(t, ctx, "events", qListEvents, []any{fanID, clubID}, func(r pgx.Rows) (fanclub.Event, error) {
		var e fanclub.Event
		var action string
		var at int64
		err := r.Scan(&e.ID, &e.FanID, &e.ClubID, &action, &e.Amount, &at)
		e.Action, e.At = fanclub.Action(action), fromTS(at)
		return e, err
	})
}

// batchLockClass is the first key of the transaction advisory locks a
// locking transaction takes on a batch's (producer, seq); the second is
// batchLockKey. (Session locks taken with one bigint key, as by migrate,
// live in another key space.)
const batchLockClass int32 = 0x66630001

// batchLockKey hashes (schema, producer, seq) to the second advisory lock
// key (FNV-1a); two batches that share a hash only wait for each other.
// Advisory locks are database-wide, so the schema keeps stores in other
// schemas of the database (other instances, tests) out of each other's
// way.
func batchLockKey(schema, producer string, seq int64) int32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(schema))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(producer))
	_, _ = h.Write(binary.BigEndian.AppendUint64(nil, uint64(seq)))
	return int32(h.Sum32())
}

// FindBatch returns the stored result of a producer's batch. In a locking
// transaction it first locks (producer, seq) until the transaction ends,
// then reads what was committed by then: of two transactions applying the
// same batch, the second waits and finds the first one's result.
func (t *Tx) FindBatch(ctx context.Context, producer string, seq int64) (*fanclub.BatchResult, error) {
	if t.locking {
		if _, err := t.exec(ctx, "batch lock", qLockBatch, batchLockClass, batchLockKey(t.db.schema, producer, seq)); err != nil {
			return nil, err
		}
	}
	var raw []byte
	err := t.queryRow(ctx, "batch", qFindBatch, []any{producer, seq}, &raw)
	if errNoRows(err) {
		return nil, fanclub.Errorf(fanclub.ENOTFOUND, "Batch %s/%d not found.", producer, seq)
	} else if err != nil {
		return nil, err
	}
	var r fanclub.BatchResult
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, classify("batch", err)
	}
	return &r, nil
}

// SaveBatch stores a batch's result; a batch already stored is a conflict.
// It also lets go of the oldest results past the dedupe window (batch_expiry.go).
func (t *Tx) SaveBatch(ctx context.Context, producer string, seq int64, r *fanclub.BatchResult) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return classify("batch", err)
	}
	tag, err := t.exec(ctx, "batch", qSaveBatch, producer, seq, raw, ts(t.now))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		if t.locking {
			// Stored since FindBatch by a transaction that did not take
			// the batch lock: running again finds it.
			return t.fail("batch", &pgconn.PgError{Code: codeSerialization, Message: "batch stored concurrently"})
		}
		return conflict("batch")
	}
	return t.expireBatches(ctx)
}

// AddGeneralPoints books a ledger entry; a second entry with the same
// non-empty key is ignored. An empty key books unconditionally.
func (t *Tx) AddGeneralPoints(ctx context.Context, fanID int64, delta int64, reason, key string) error {
	_, err := t.exec(ctx, "general points", qAddGeneralPoints, fanID, delta, reason, key, ts(t.now))
	return err
}

// GeneralPoints is the fan's balance: each entry bounded to
// ±fanclub.MaxPoints, summed exactly, the sum bounded (fanclub.SumPoints,
// whose running sum never saturates below ~9 000 maximal entries).
func (t *Tx) GeneralPoints(ctx context.Context, fanID int64) (int64, error) {
	var n int64
	err := t.queryRow(ctx, "general points", qGeneralPoints, []any{fanID, fanclub.MaxPoints}, &n)
	return n, err
}

// InsertEffects stores effects, in order.
func (t *Tx) InsertEffects(ctx context.Context, effects []fanclub.Effect) error {
	if len(effects) == 0 {
		return nil
	}
	n := len(effects)
	fans, clubs, starts := make([]int64, n), make([]int64, n), make([]int64, n)
	kinds, scopes, actions := make([]string, n), make([]string, n), make([]string, n)
	until, ends, factors := make([]*int64, n), make([]bool, n), make([]float64, n)
	for i, e := range effects {
		a, err := json.Marshal(e.Actions)
		if err != nil {
			return classify("effect actions", err)
		}
		fans[i], clubs[i], kinds[i], scopes[i], starts[i] = e.FanID, e.ClubID, string(e.Kind), string(e.Scope), ts(e.Start)
		until[i], ends[i], factors[i], actions[i] = tsPtr(e.Until), e.EndsOnRejoin, e.Factor, string(a)
	}
	_, err := t.exec(ctx, "effects", qInsertEffects, fans, clubs, kinds, scopes, starts, until, ends, factors, actions)
	return err
}

var _ fanclub.BulkEffectsTx = (*Tx)(nil)

func scanEffect(r pgx.Rows) (fanclub.Effect, error) {
	var e fanclub.Effect
	var kind, scope, actions string
	var start int64
	var until *int64
	if err := r.Scan(&e.FanID, &e.ClubID, &kind, &scope, &start, &until, &e.EndsOnRejoin, &e.Factor, &actions); err != nil {
		return e, err
	}
	e.Kind, e.Scope, e.Start, e.Until = fanclub.EffectKind(kind), fanclub.Scope(scope), fromTS(start), fromTSPtr(until)
	err := json.Unmarshal([]byte(actions), &e.Actions)
	return e, err
}

// ListEffects lists a fan's effects that have not ended by at (including
// those that start later), in insertion order.
func (t *Tx) ListEffects(ctx context.Context, fanID int64, at time.Time) ([]fanclub.Effect, error) {
	return collect(t, ctx, "effects", qListEffects, []any{fanID, ts(at)}, scanEffect)
}

// ListEffectsOfFans returns, for each of fanIDs with any, the fan's effects
// not ended by at (fanclub.BulkEffectsTx).
func (t *Tx) ListEffectsOfFans(ctx context.Context, fanIDs []int64, at time.Time) (map[int64][]fanclub.Effect, error) {
	out := map[int64][]fanclub.Effect{}
	if len(fanIDs) == 0 {
		return out, nil
	}
	effects, err := collect(t, ctx, "effects", qEffectsOfFans, []any{fanIDs, ts(at)}, scanEffect)
	if err != nil {
		return nil, err
	}
	for _, e := range effects {
		out[e.FanID] = append(out[e.FanID], e)
	}
	return out, nil
}

// EndRejoinEffects ends, at at, the fan's effects in a club that end on
// rejoin and are still running at at.
func (t *Tx) EndRejoinEffects(ctx context.Context, fanID, clubID int64, at time.Time) error {
	_, err := t.exec(ctx, "effects", qEndRejoinEffects, ts(at), fanID, clubID)
	return err
}

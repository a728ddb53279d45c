package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fanclub/internal/rowcodec"
	"fmt"
	"time"

	"fanclub"
	"fanclub/ledger"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Tx is one SQLite transaction; it implements fanclub.Tx.
//
// A read transaction of a DB with a ReadCheckInterval begins its SQL
// transaction on its first table read (tx is nil until then): a read that
// the overlay answers costs no SQL at all.
//
// A write transaction keeps its changes to memberships and daily counters
// in ch (the write-behind state, see overlay) and the rows it read from
// those tables in the read* maps; Commit journals ch and merges both into
// the DB's overlay.
type Tx struct {
	tx    *sql.Tx
	now   time.Time
	bulk  *bulkQueries
	db    *DB
	write bool
	done  bool
	// epoch is the overlay epoch a read transaction began in.
	epoch uint64

	ch    change
	evIDs map[string]struct{}
	readM map[fanclub.MemberKey]*fanclub.Membership
	readC map[fanclub.CounterKey]int64
	// memoC remembers the counters this transaction read from the
	// overlay, so a second read (AddDailyPoints after DailyPoints) costs
	// a lookup in a small map.
	memoC map[fanclub.CounterKey]int64
	// effectFans are the fans this transaction gave effects.
	effectFans []int64
	readClubs  map[int64]*fanclub.Club
	// countBase and countDelta are the member counts of the clubs this
	// transaction changed, before it, and its changes (see counts.go).
	countBase, countDelta map[int64]int64
	// purges are the event_log rows this transaction's purges rewrote.
	purges []logPurge
	// readA are the ledger accounts this write transaction read from
	// the table (cached at commit); nextSeq and nextGift its next
	// transfer seq and gift id once known (see loadNumbers).
	readA             map[ledger.AccountID]ledger.Account
	nextSeq, nextGift int64
	// checkpoint asks Commit for a checkpoint after the commit: the
	// transaction changed personal data that journal rows still hold.
	checkpoint bool
}

var _ fanclub.Tx = (*Tx)(nil)

// Now is the transaction's time, read from the DB's clock at BeginTx.
func (t *Tx) Now() time.Time { return t.now }

// Commit commits the transaction. A write transaction stores its journal
// row first and, once committed, merges its changes into the overlay; it
// may then run a checkpoint, whose failure is logged (the transaction is
// committed either way, and the next checkpoint retries).
func (t *Tx) Commit() error {
	if t.done {
		return internal("commit", sql.ErrTxDone)
	}
	defer t.release()
	if !t.write {
		if t.tx == nil {
			return nil
		}
		if err := t.tx.Commit(); err != nil {
			return internal("commit", err)
		}
		return nil
	}
	logID, err := t.appendLog(context.Background())
	if err != nil {
		t.tx.Rollback()
		return err
	}
	body, err := encodeChange(&t.ch)
	if err != nil {
		t.tx.Rollback()
		return internal("journal", err)
	}
	res, err := t.execOne(context.Background(), qAppendJournal, body)
	if err != nil {
		t.tx.Rollback()
		return wrap("journal", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		t.tx.Rollback()
		return wrap("journal", err)
	}
	if err := t.tx.Commit(); err != nil {
		return internal("commit", err)
	}
	if len(t.purges) > 0 {
		t.db.events.purge(t.purges)
	}
	if len(t.purges) > 0 || t.db.scrub.Load() {
		t.db.scrubWAL(context.Background())
	}
	if logID != 0 {
		t.db.events.add(logID, t.ch.events)
	}
	t.db.ov.addEffectFans(t.effectFans)
	ov := t.db.ov
	ov.mu.Lock()
	ov.applyLocked(&t.ch)
	ov.applyCountsLocked(t.countBase, t.countDelta)
	ov.journal++
	ov.seen = id
	due := ov.dirty+ov.ledger.pending >= t.db.ckptRows || ov.ledger.pending >= min(t.db.ckptRows, checkpointLedgerRows) ||
		ov.journal >= t.db.ckptJournal || t.checkpoint || t.db.ckptOwed.Load()
	ov.mu.Unlock()
	ov.cache(t.readM, t.readC, t.readClubs)
	ov.cacheAccounts(t.readA)
	if due {
		owed := t.checkpoint || t.db.ckptOwed.Load()
		if err := t.db.checkpointLocked(context.Background()); err != nil {
			t.db.log.Error("sqlite checkpoint", "err", err)
			t.db.ckptOwed.Store(owed)
		} else if owed {
			t.db.ckptOwed.Store(false)
			t.db.scrubWAL(context.Background())
		}
	}
	return nil
}

// Rollback discards the transaction; after Commit or Rollback it is a no-op.
func (t *Tx) Rollback() error {
	if t.done {
		return nil
	}
	defer t.release()
	if t.tx == nil {
		return nil
	}
	if err := t.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return internal("rollback", err)
	}
	return nil
}

// release ends the transaction's hold on the DB: the writer lock of a
// write transaction, the registration of a read transaction (whose clubs
// read are cached: clubs never change).
func (t *Tx) release() {
	t.done = true
	if t.write {
		t.db.wmu.Unlock()
		return
	}
	t.db.ov.cache(nil, nil, t.readClubs)
	t.db.ov.endRead(t.epoch)
}

// sqlTx returns the SQL transaction, beginning a lazy read transaction's
// on first use (and then bringing the overlay up to date with the
// journal rows its snapshot sees, see syncJournal).
func (t *Tx) sqlTx(ctx context.Context) (*sql.Tx, error) {
	if t.tx != nil {
		return t.tx, nil
	}
	if t.done {
		return nil, internal("query", sql.ErrTxDone)
	}
	stx, err := t.db.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, beginError(err)
	}
	t.tx = stx
	if err := t.db.syncJournal(ctx, t); err != nil {
		return nil, err
	}
	t.db.readChecked()
	return stx, nil
}

// bulkExec runs bulk statement k for chunkSizes[size] rows.
func (t *Tx) bulkExec(ctx context.Context, k bulkKind, size int, args []any) (sql.Result, error) {
	if s := t.bulk.stmt[k][size]; s != nil {
		stx, err := t.sqlTx(ctx)
		if err != nil {
			return nil, err
		}
		return stx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return t.execOne(ctx, t.bulk.text[k][size], args...)
}

// bulkQuery runs bulk query k for chunkSizes[size] rows.
func (t *Tx) bulkQuery(ctx context.Context, k bulkKind, size int, args []any) (*sql.Rows, error) {
	stx, err := t.sqlTx(ctx)
	if err != nil {
		return nil, err
	}
	if s := t.bulk.stmt[k][size]; s != nil {
		return stx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return stx.QueryContext(ctx, t.bulk.text[k][size], args...)
}

// scanner is a single-row result.
type scanner interface{ Scan(dest ...any) error }

// errRow is a row that could not be queried.
type errRow struct{ err error }

// Scan returns the query's error.
func (r errRow) Scan(...any) error { return r.err }

// queryRow runs a single-row query, prepared when it is a hot one.
func (t *Tx) queryRow(ctx context.Context, query string, args ...any) scanner {
	stx, err := t.sqlTx(ctx)
	if err != nil {
		return errRow{err}
	}
	if s, ok := t.bulk.single[query]; ok {
		return stx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return stx.QueryRowContext(ctx, query, args...)
}

// query runs a query in the transaction, prepared when it is a hot one.
func (t *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	stx, err := t.sqlTx(ctx)
	if err != nil {
		return nil, err
	}
	if s, ok := t.bulk.single[query]; ok {
		return stx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return stx.QueryContext(ctx, query, args...)
}

// execOne runs a single statement, prepared when it is a hot one.
func (t *Tx) execOne(ctx context.Context, query string, args ...any) (sql.Result, error) {
	stx, err := t.sqlTx(ctx)
	if err != nil {
		return nil, err
	}
	if s, ok := t.bulk.single[query]; ok {
		return stx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return stx.ExecContext(ctx, query, args...)
}

// internal wraps an unexpected database error.
func internal(op string, err error) error {
	return fmt.Errorf("sqlite: %s: %v: %w", op, err, &fanclub.Error{Code: fanclub.EINTERNAL, Message: "Storage error."})
}

// beginError maps a failed BEGIN: another process holding the database
// past the busy timeout (SQLITE_BUSY, two processes on one file) is a
// conflict the caller retries (fanclub.RetryableError); anything else is
// internal.
func beginError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY {
		return &fanclub.RetryableError{Op: "begin", Err: err}
	}
	return internal("begin", err)
}

// wrap maps a database error to a domain error: unique violations become
// conflicts, everything else is internal. The driver's message is kept in
// the wrapping text for logs.
func wrap(op string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("sqlite: %s: %v: %w", op, err, fanclub.Errorf(fanclub.ECONFLICT, "%s already exists.", op))
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("sqlite: %s: %v: %w", op, err, fanclub.Errorf(fanclub.EINVALID, "%s refers to a missing record.", op))
		}
	}
	return internal(op, err)
}

// notFound is the ENOTFOUND error of a finder.
func notFound(what string, key any) error {
	return fanclub.Errorf(fanclub.ENOTFOUND, "%s %v not found.", what, key)
}

// findOne reads the one row q selects for key with scan: no row is
// notFound(what, key), another error wrapped as op.
func findOne[T any](ctx context.Context, t *Tx, what, op, q string, key any, scan func(rowcodec.Scanner) (*T, error)) (*T, error) {
	v, err := scan(t.queryRow(ctx, q, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(what, key)
	} else if err != nil {
		return nil, wrap(op, err)
	}
	return v, nil
}

// ts encodes a time as Unix nanoseconds (the zero time is 0) and fromTS
// decodes it: the encoding both stores share.
var (
	ts     = rowcodec.Nanos
	fromTS = rowcodec.FromNanos
)

// CreateFan inserts a fan; a zero ID is assigned. A taken handle is a conflict.
func (t *Tx) CreateFan(ctx context.Context, f *fanclub.Fan) error {
	if f.CreatedAt.IsZero() {
		f.CreatedAt = t.now
	}
	res, err := t.execOne(ctx, qCreateFan,
		f.ID, f.Handle, f.PasswordHash, ts(f.CreatedAt))
	if err != nil {
		return wrap("fan", err)
	}
	if f.ID == 0 {
		if f.ID, err = res.LastInsertId(); err != nil {
			return wrap("fan", err)
		}
	}
	return nil
}

// FindFanByID returns a fan.
func (t *Tx) FindFanByID(ctx context.Context, id int64) (*fanclub.Fan, error) {
	return t.findFan(ctx, qFindFanByID, id)
}

// FindFanByHandle returns the fan with a handle.
func (t *Tx) FindFanByHandle(ctx context.Context, handle string) (*fanclub.Fan, error) {
	return t.findFan(ctx, `SELECT id, handle, password_hash, created_at FROM fans WHERE handle = ?`, handle)
}

func (t *Tx) findFan(ctx context.Context, q string, key any) (*fanclub.Fan, error) {
	var f fanclub.Fan
	var at int64
	err := t.queryRow(ctx, q, key).Scan(&f.ID, &f.Handle, &f.PasswordHash, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Fan", key)
	} else if err != nil {
		return nil, wrap("fan", err)
	}
	f.CreatedAt = fromTS(at)
	return &f, nil
}

// CreateCreator inserts a creator; a zero ID is assigned.
func (t *Tx) CreateCreator(ctx context.Context, c *fanclub.Creator) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = t.now
	}
	res, err := t.execOne(ctx, `INSERT INTO creators(id, handle, created_at) VALUES (NULLIF(?, 0), ?, ?)`,
		c.ID, c.Handle, ts(c.CreatedAt))
	if err != nil {
		return wrap("creator", err)
	}
	if c.ID == 0 {
		if c.ID, err = res.LastInsertId(); err != nil {
			return wrap("creator", err)
		}
	}
	return nil
}

// FindCreatorByID returns a creator.
func (t *Tx) FindCreatorByID(ctx context.Context, id int64) (*fanclub.Creator, error) {
	var c fanclub.Creator
	var at int64
	err := t.queryRow(ctx, `SELECT id, handle, created_at FROM creators WHERE id = ?`, id).Scan(&c.ID, &c.Handle, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Creator", id)
	} else if err != nil {
		return nil, wrap("creator", err)
	}
	c.CreatedAt = fromTS(at)
	return &c, nil
}

// CreateClub inserts a club; a zero ID is assigned.
func (t *Tx) CreateClub(ctx context.Context, c *fanclub.Club) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = t.now
	}
	res, err := t.execOne(ctx, `INSERT INTO clubs(id, creator_id, name, policy, policy_version, created_at) VALUES (NULLIF(?, 0), ?, ?, ?, ?, ?)`,
		c.ID, c.CreatorID, c.Name, c.Policy, c.PolicyVersion, ts(c.CreatedAt))
	if err != nil {
		return wrap("club", err)
	}
	if c.ID == 0 {
		if c.ID, err = res.LastInsertId(); err != nil {
			return wrap("club", err)
		}
	}
	if _, err := t.execOne(ctx, qSetCount, c.ID, 0); err != nil {
		return wrap("club", err)
	}
	if t.countBase == nil {
		t.countBase, t.countDelta = map[int64]int64{}, map[int64]int64{}
	}
	t.countBase[c.ID] = 0
	return nil
}

const clubCols = `id, creator_id, name, policy, policy_version, created_at`

func scanClub(s scanner) (*fanclub.Club, error) {
	var c fanclub.Club
	var at int64
	if err := s.Scan(&c.ID, &c.CreatorID, &c.Name, &c.Policy, &c.PolicyVersion, &at); err != nil {
		return nil, err
	}
	c.CreatedAt = fromTS(at)
	return &c, nil
}

// FindClubByID returns a club, from the DB's cache when it holds it.
func (t *Tx) FindClubByID(ctx context.Context, id int64) (*fanclub.Club, error) {
	if c, ok := t.db.ov.club(id); ok {
		return c, nil
	}
	c, err := scanClub(t.queryRow(ctx, qFindClub, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Club", id)
	} else if err != nil {
		return nil, wrap("club", err)
	}
	if t.readClubs == nil {
		t.readClubs = map[int64]*fanclub.Club{}
	}
	cp := *c
	t.readClubs[id] = &cp
	return c, nil
}

// ListClubs lists clubs by id; creatorID 0 lists all.
func (t *Tx) ListClubs(ctx context.Context, creatorID int64) ([]*fanclub.Club, error) {
	return queryAll(ctx, t, "clubs", scanClub, `SELECT `+clubCols+` FROM clubs WHERE ? = 0 OR creator_id = ? ORDER BY id`, creatorID, creatorID)
}

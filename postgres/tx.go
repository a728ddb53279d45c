package postgres

import (
	"context"
	"errors"
	"fanclub/internal/rowcodec"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"fanclub"
)

// Tx is one PostgreSQL transaction; it implements fanclub.Tx.
//
// Once PostgreSQL has aborted the transaction for a conflict with a
// concurrent one, every later call, Commit included, returns that
// retryable error: a caller that swallowed the first one still learns the
// transaction must run again.
type Tx struct {
	tx    pgx.Tx
	now   time.Time
	write bool
	// locking marks a fanclub.LockingStore transaction (READ COMMITTED,
	// row locks).
	locking bool
	done    bool
	// conflict is the retryable error that aborted the transaction.
	conflict error
	db       *DB
	// readClubs are the clubs the transaction read from the table; they
	// join the DB's cache when it ends well.
	readClubs []*fanclub.Club
}

var _ fanclub.Tx = (*Tx)(nil)

// Now is the transaction's time, read from the DB's clock at BeginTx.
func (t *Tx) Now() time.Time { return t.now }

// Commit commits the transaction. A serialization failure at commit is
// retryable (fanclub.IsRetryable).
func (t *Tx) Commit() error {
	if t.done {
		return fanclub.Errorf(fanclub.EINTERNAL, "postgres: commit: transaction already ended")
	}
	t.done = true
	if t.conflict != nil {
		_ = t.tx.Rollback(context.Background())
		return t.conflict
	}
	if err := t.tx.Commit(context.Background()); err != nil {
		return t.fail("commit", err)
	}
	t.db.clubs.add(t.readClubs)
	return nil
}

// Rollback discards the transaction; after Commit or Rollback it is a no-op.
func (t *Tx) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	if !t.write && t.conflict == nil {
		// A read-only transaction read committed clubs only.
		t.db.clubs.add(t.readClubs)
	}
	if err := t.tx.Rollback(context.Background()); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
		return classify("rollback", err)
	}
	return nil
}

// exec runs a statement.
func (t *Tx) exec(ctx context.Context, op, q string, args ...any) (pgconn.CommandTag, error) {
	if t.conflict != nil {
		return pgconn.CommandTag{}, t.conflict
	}
	tag, err := t.tx.Exec(ctx, q, args...)
	if err != nil {
		return tag, t.fail(op, err)
	}
	return tag, nil
}

// query runs a query; the caller closes the rows and passes rows.Err()
// through t.fail.
func (t *Tx) query(ctx context.Context, op, q string, args ...any) (pgx.Rows, error) {
	if t.conflict != nil {
		return nil, t.conflict
	}
	rows, err := t.tx.Query(ctx, q, args...)
	if err != nil {
		return nil, t.fail(op, err)
	}
	return rows, nil
}

// queryRow runs a single-row query and scans it; pgx.ErrNoRows is passed
// through unwrapped for the caller to map.
func (t *Tx) queryRow(ctx context.Context, op, q string, args []any, dest ...any) error {
	if t.conflict != nil {
		return t.conflict
	}
	err := t.tx.QueryRow(ctx, q, args...).Scan(dest...)
	if err != nil && !errNoRows(err) {
		return t.fail(op, err)
	}
	return err
}

// collect reads every row of a query with scan.
func collect[T any](t *Tx, ctx context.Context, op, q string, args []any, scan func(pgx.Rows) (T, error)) ([]T, error) {
	rows, err := t.query(ctx, op, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, t.fail(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail(op, err)
	}
	return out, nil
}

// fail maps a database error of the transaction to a domain error and
// remembers a retryable one.
func (t *Tx) fail(op string, err error) error {
	err = classify(op, err)
	if fanclub.IsRetryable(err) {
		t.conflict = err
	}
	return err
}

// PostgreSQL error codes the store maps.
const (
	codeSerialization = "40001"
	codeDeadlock      = "40P01"
	codeUnique        = "23505"
	codeForeignKey    = "23503"
)

// classify maps a database error: serialization failures and deadlocks are
// retryable, unique violations conflicts, foreign key violations invalid
// input, everything else internal. The driver's message is kept in the
// wrapping text for logs.
func classify(op string, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case codeSerialization, codeDeadlock:
			return &fanclub.RetryableError{Op: "postgres: " + op, Err: err}
		case codeUnique:
			return fmt.Errorf("postgres: %s: %v: %w", op, err, conflict(op))
		case codeForeignKey:
			return fmt.Errorf("postgres: %s: %v: %w", op, err, fanclub.Errorf(fanclub.EINVALID, "%s refers to a missing record.", op))
		}
	}
	return fmt.Errorf("postgres: %s: %v: %w", op, err, &fanclub.Error{Code: fanclub.EINTERNAL, Message: "Storage error."})
}

// conflict is the ECONFLICT error of an insert that hit a unique key.
func conflict(op string) error {
	return fanclub.Errorf(fanclub.ECONFLICT, "%s already exists.", op)
}

// notFound is the ENOTFOUND error of a finder.
func notFound(what string, key any) error {
	return fanclub.Errorf(fanclub.ENOTFOUND, "%s %v not found.", what, key)
}

// ts encodes a time as Unix nanoseconds (the zero time is 0) and fromTS
// decodes it: the encoding both stores share.
var (
	ts     = rowcodec.Nanos
	fromTS = rowcodec.FromNanos
)

// tsPtr encodes an optional time; nil is NULL.
func tsPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	n := ts(*t)
	return &n
}

// fromTSPtr decodes tsPtr.
func fromTSPtr(n *int64) *time.Time {
	if n == nil {
		return nil
	}
	t := fromTS(*n)
	return &t
}

// insertID runs an INSERT … ON CONFLICT DO NOTHING RETURNING id: no row
// means a unique key was taken, a conflict.
func (t *Tx) insertID(ctx context.Context, op, q string, args ...any) (int64, error) {
	var id int64
	err := t.queryRow(ctx, op, q, args, &id)
	if errNoRows(err) {
		return 0, conflict(op)
	}
	return id, err
}

// CreateFan inserts a fan; a zero ID is assigned. A taken handle is a conflict.
func (t *Tx) CreateFan(ctx context.Context, f *fanclub.Fan) error {
	if f.CreatedAt.IsZero() {
		f.CreatedAt = t.now
	}
	if f.ID == 0 {
		id, err := t.insertID(ctx, "fan", qCreateFan, f.Handle, f.PasswordHash, ts(f.CreatedAt))
		f.ID = id
		return err
	}
	if _, err := t.insertID(ctx, "fan", qCreateFanWithID, f.ID, f.Handle, f.PasswordHash, ts(f.CreatedAt)); err != nil {
		return err
	}
	_, err := t.exec(ctx, "fan", qBumpFans, f.ID)
	return err
}

// FindFanByID returns a fan.
func (t *Tx) FindFanByID(ctx context.Context, id int64) (*fanclub.Fan, error) {
	return t.findFan(ctx, qFindFanByID, id)
}

// FindFanByHandle returns the fan with a handle.
func (t *Tx) FindFanByHandle(ctx context.Context, handle string) (*fanclub.Fan, error) {
	return t.findFan(ctx, qFindFanByHandle, handle)
}

func (t *Tx) findFan(ctx context.Context, q string, key any) (*fanclub.Fan, error) {
	var f fanclub.Fan
	var at int64
	err := t.queryRow(ctx, "fan", q, []any{key}, &f.ID, &f.Handle, &f.PasswordHash, &at)
	if errNoRows(err) {
		return nil, notFound("Fan", key)
	} else if err != nil {
		return nil, err
	}
	f.CreatedAt = fromTS(at)
	return &f, nil
}

// CreateCreator inserts a creator; a zero ID is assigned.
func (t *Tx) CreateCreator(ctx context.Context, c *fanclub.Creator) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = t.now
	}
	if c.ID == 0 {
		id, err := t.insertID(ctx, "creator", qCreateCreator, c.Handle, ts(c.CreatedAt))
		c.ID = id
		return err
	}
	if _, err := t.insertID(ctx, "creator", qCreateCreatorWithID, c.ID, c.Handle, ts(c.CreatedAt)); err != nil {
		return err
	}
	_, err := t.exec(ctx, "creator", qBumpCreators, c.ID)
	return err
}

// FindCreatorByID returns a creator.
func (t *Tx) FindCreatorByID(ctx context.Context, id int64) (*fanclub.Creator, error) {
	var c fanclub.Creator
	var at int64
	err := t.queryRow(ctx, "creator", qFindCreator, []any{id}, &c.ID, &c.Handle, &at)
	if errNoRows(err) {
		return nil, notFound("Creator", id)
	} else if err != nil {
		return nil, err
	}
	c.CreatedAt = fromTS(at)
	return &c, nil
}

// CreateClub inserts a club, with a member count of 0; a zero ID is
// assigned.
func (t *Tx) CreateClub(ctx context.Context, c *fanclub.Club) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = t.now
	}
	if c.ID == 0 {
		id, err := t.insertID(ctx, "club", qCreateClub, c.CreatorID, c.Name, c.Policy, c.PolicyVersion, ts(c.CreatedAt))
		if err != nil {
			return err
		}
		c.ID = id
	} else {
		if _, err := t.insertID(ctx, "club", qCreateClubWithID, c.ID, c.CreatorID, c.Name, c.Policy, c.PolicyVersion, ts(c.CreatedAt)); err != nil {
			return err
		}
		if _, err := t.exec(ctx, "club", qBumpClubs, c.ID); err != nil {
			return err
		}
	}
	_, err := t.exec(ctx, "club", qInitMemberCount, c.ID)
	return err
}

func scanClub(s pgx.Row) (*fanclub.Club, error) {
	var c fanclub.Club
	var at int64
	if err := s.Scan(&c.ID, &c.CreatorID, &c.Name, &c.Policy, &c.PolicyVersion, &at); err != nil {
		return nil, err
	}
	c.CreatedAt = fromTS(at)
	return &c, nil
}

// FindClubByID returns a club, from the DB's cache when it holds it
// (clubs never change once created).
func (t *Tx) FindClubByID(ctx context.Context, id int64) (*fanclub.Club, error) {
	if t.conflict != nil {
		return nil, t.conflict
	}
	if c, ok := t.db.clubs.get(id); ok {
		return c, nil
	}
	c, err := scanClub(t.tx.QueryRow(ctx, qFindClub, id))
	if errNoRows(err) {
		return nil, notFound("Club", id)
	} else if err != nil {
		return nil, t.fail("club", err)
	}
	cp := *c
	t.readClubs = append(t.readClubs, &cp)
	return c, nil
}

// ListClubs lists clubs by id; creatorID 0 lists all.
func (t *Tx) ListClubs(ctx context.Context, creatorID int64) ([]*fanclub.Club, error) {
	return collect(t, ctx, "clubs", qListClubs, []any{creatorID}, func(r pgx.Rows) (*fanclub.Club, error) { return scanClub(r) })
}

// ListClubsPage lists up to limit clubs with an id after after, by id;
// creatorID 0 lists all.
func (t *Tx) ListClubsPage(ctx context.Context, creatorID, after int64, limit int) ([]*fanclub.Club, error) {
	q, args := qClubsPage, []any{after, limit}
	if creatorID != 0 {
		q, args = qCreatorClubPage, []any{creatorID, after, limit}
	}
	return collect(t, ctx, "clubs", q, args, func(r pgx.Rows) (*fanclub.Club, error) { return scanClub(r) })
}

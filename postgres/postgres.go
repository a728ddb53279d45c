// Package postgres implements fanclub.Store on PostgreSQL through pgx
// (a pgxpool of connections; pgx prepares and caches each statement).
//
// Several processes may share one database: write transactions run at
// SERIALIZABLE isolation and read transactions are READ ONLY snapshots
// (REPEATABLE READ). A write transaction that PostgreSQL aborts to keep
// transactions serializable (SQLSTATE 40001, or a deadlock, 40P01) fails
// with an error fanclub.IsRetryable recognises; the engine then runs the
// whole transaction again. The ingest path runs instead in locking write
// transactions (BeginLockingTx, fanclub.LockingStore): READ COMMITTED,
// with an advisory lock on the batch's (producer, seq) and row locks on
// the memberships it reads, so concurrent batches wait for each other on
// what they share rather than fail. Unique keys make inserts that the
// domain treats as conflicts (a taken handle, a second pending exit
// request) insert nothing and return ECONFLICT, leaving the transaction
// usable.
//
// The schema is created by the numbered migrations embedded from
// migrations/*.sql, applied on Open under a PostgreSQL advisory lock, so
// that processes starting together apply each migration once. Times are
// stored as BIGINT Unix nanoseconds in UTC. All SQL text is in queries*.go
// and migrations/.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"fanclub"
)

// Options configures a DB.
type Options struct {
	// Now is the clock transactions read their time from (default time.Now).
	Now func() time.Time
	// Logger receives the store's diagnostics (default: discarded).
	Logger *slog.Logger
	// Schema, when set, is the schema (search_path) the store's tables
	// live in; it must exist. Empty uses the connection's search_path,
	// which the URL may set (…&search_path=name).
	Schema string
	// MaxConns bounds the connection pool (default: pgxpool's, the larger
	// of 4 and the number of CPUs).
	MaxConns int32
	// DedupeWindow is the retry window of event ids and batch results
	// (default fanclub.DefaultDedupeWindow). The events table's primary
	// key keeps every stored id unique for as long as the event is kept,
	// which covers the window; batch results older than it are deleted
	// as new ones are saved. See docs/storage.md.
	DedupeWindow time.Duration
}

// DB is a PostgreSQL-backed fanclub.Store.
type DB struct {
	pool   *pgxpool.Pool
	now    func() time.Time
	log    *slog.Logger
	schema string
	clubs  clubCache
	// dedupe is Options.DedupeWindow: how long batch results are kept.
	dedupe time.Duration
}

var (
	_ fanclub.Store            = (*DB)(nil)
	_ fanclub.ReadinessChecker = (*DB)(nil)
)

// Open connects to the database at url (postgres://…) and applies the
// pending migrations.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse url: %w", err)
	}
	schema := opts.Schema
	if schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	} else {
		// A search_path given in the URL names the schema as well.
		schema = cfg.ConnConfig.RuntimeParams["search_path"]
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	db := &DB{now: opts.Now, log: opts.Logger, schema: schema, dedupe: opts.DedupeWindow}
	if db.now == nil {
		db.now = time.Now
	}
	if db.dedupe <= 0 {
		db.dedupe = fanclub.DefaultDedupeWindow
	}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	db.pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		db.pool.Close()
		return nil, err
	}
	return db, nil
}

// Close closes every connection of the pool; it waits for connections in
// use to be released.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// BeginTx starts a transaction whose time is read from the DB's clock: a
// SERIALIZABLE read-write transaction, or a REPEATABLE READ read-only one.
func (db *DB) BeginTx(ctx context.Context, write bool) (fanclub.Tx, error) {
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	if write {
		opts = pgx.TxOptions{IsoLevel: pgx.Serializable, AccessMode: pgx.ReadWrite}
	}
	ptx, err := db.pool.BeginTx(ctx, opts)
	if err != nil {
		return nil, classify("begin", err)
	}
	return &Tx{tx: ptx, now: db.now().UTC(), write: write, db: db}, nil
}

var _ fanclub.LockingStore = (*DB)(nil)

// BeginLockingTx starts a locking write transaction (fanclub.LockingStore)
// for the ingest path: READ COMMITTED, in which FindBatch takes a
// transaction advisory lock on the batch's (producer, seq) and
// FindMemberships locks the rows it returns (SELECT … FOR NO KEY UPDATE), so
// concurrent batches wait for each other on what they share instead of
// failing with serialization errors.
func (db *DB) BeginLockingTx(ctx context.Context) (fanclub.Tx, error) {
	ptx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadWrite})
	if err != nil {
		return nil, classify("begin", err)
	}
	return &Tx{tx: ptx, now: db.now().UTC(), write: true, locking: true, db: db}, nil
}

// Ready returns an error unless the database answers and has applied every
// migration this build embeds.
func (db *DB) Ready(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	want := ms[len(ms)-1].version
	var have int
	if err := db.pool.QueryRow(ctx, qSchemaVersion).Scan(&have); err != nil {
		return classify("readiness", err)
	}
	if have < want {
		return fmt.Errorf("postgres: schema at migration %d, this build needs %d: %w", have, want,
			fanclub.Errorf(fanclub.EINTERNAL, "Storage not migrated."))
	}
	return nil
}

// errNoRows reports whether err is a single-row query that found nothing.
func errNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

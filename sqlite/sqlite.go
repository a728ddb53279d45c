// Package sqlite implements fanclub.Store on SQLite (modernc.org/sqlite,
// pure Go). A file database runs in WAL mode with one writer connection,
// whose transactions take the write lock at once (BEGIN IMMEDIATE), and a
// pool of reader connections. The path ":memory:" gives a private
// in-memory database on one shared connection.
//
// The schema is created by the numbered migrations embedded from
// migrations/*.sql, applied on Open. Times are stored as integer Unix
// nanoseconds in UTC.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"fanclub"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Options configures a DB.
type Options struct {
	// Now is the clock transactions read their time from (default time.Now).
	Now func() time.Time
	// Logger receives the store's diagnostics (default: discarded).
	Logger *slog.Logger
	// SyncFull makes every commit fsync the write-ahead log
	// (synchronous=FULL), so a committed transaction also survives power
	// loss. By default (synchronous=NORMAL) a committed transaction
	// survives a crash or kill of the process; see docs/storage.md.
	SyncFull bool
	// Readers is the size of the reader pool of a file database (default 4).
	Readers int
	// CheckpointRows is how many changed membership and counter rows the
	// write-behind state collects before a commit writes them into their
	// tables (default 1 000 000; see docs/storage.md).
	CheckpointRows int
	// ReadCheckInterval, when positive, lets a read transaction that
	// reads no table trust the write-behind state without asking the
	// file whether another process wrote to it, for up to this long
	// after the last check: such a read then costs no SQL at all. Writes
	// of this DB are always seen at once; another process's are seen by
	// those reads within the interval (and by any read of a table at
	// once). 0 (the default) checks in every read transaction.
	ReadCheckInterval time.Duration
	// DedupeWindow is how long after an event's time its id is still
	// recognised as a duplicate (default fanclub.DefaultDedupeWindow):
	// the retry window of event ids. The index of ids holds one to two
	// windows of them, however long the log (see docs/storage.md).
	DedupeWindow time.Duration
}

// DB is a SQLite-backed fanclub.Store.
type DB struct {
	writer    *sql.DB
	reader    *sql.DB
	now       func() time.Time
	log       *slog.Logger
	wbulk     *bulkQueries
	rbulk     *bulkQueries
	closeOnce sync.Once

	// ov is the write-behind state; wmu is held by the open write
	// transaction, from BeginTx until its Commit (overlay merge and
	// checkpoint included) or Rollback.
	ov  *overlay
	wmu sync.Mutex
	// events indexes the behaviour log (event_log).
	events *eventLog
	// A commit runs a checkpoint once the overlay holds ckptRows dirty
	// rows or ckptJournal journal rows; a checkpoint drops the cached
	// rows when they exceed cacheRows.
	ckptRows, ckptJournal, cacheRows int
	// readCheck is Options.ReadCheckInterval; lastCheck the time (Unix
	// ns, wall clock) a read transaction last checked the journal.
	readCheck time.Duration
	lastCheck atomic.Int64
	// scrub is set while the WAL may still hold page images of purged
	// events (see scrubWAL).
	scrub atomic.Bool
	// ckptOwed is set while a checkpoint a commit asked for (after an
	// anonymisation) has failed: the next commit runs it.
	ckptOwed atomic.Bool
}

var _ fanclub.Store = (*DB)(nil)

// Open opens (creating if needed) the database at path and applies the
// pending migrations. path ":memory:" opens a private in-memory database.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	db := &DB{now: opts.Now, log: opts.Logger, ov: newOverlay(),
		ckptRows: opts.CheckpointRows, ckptJournal: defaultCheckpointJournal, cacheRows: defaultCacheRows,
		readCheck: opts.ReadCheckInterval}
	if db.ckptRows <= 0 {
		db.ckptRows = defaultCheckpointRows
	}
	if db.now == nil {
		db.now = time.Now
	}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	window := opts.DedupeWindow
	if window <= 0 {
		window = fanclub.DefaultDedupeWindow
	}
	db.events = newEventLog(db.now, window)
	syncMode := "NORMAL"
	if opts.SyncFull {
		syncMode = "FULL"
	}
	readers := opts.Readers
	if readers <= 0 {
		readers = 4
	}
	var err error
	if path == ":memory:" {
		// One connection holds the whole database: it must never be closed
		// while the DB is open, and reads share it with writes.
		db.writer, err = sql.Open("sqlite", "file::memory:?"+dsn("immediate", "MEMORY", syncMode, false))
		if err != nil {
			return nil, fmt.Errorf("sqlite: open memory: %w", err)
		}
		db.writer.SetMaxOpenConns(1)
		db.writer.SetMaxIdleConns(1)
		db.writer.SetConnMaxLifetime(0)
		db.writer.SetConnMaxIdleTime(0)
		db.reader = db.writer
	} else {
		u := (&url.URL{Scheme: "file", Opaque: url.PathEscape(path)}).String()
		db.writer, err = sql.Open("sqlite", u+"?"+dsn("immediate", "WAL", syncMode, false))
		if err != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		db.writer.SetMaxOpenConns(1)
		db.writer.SetMaxIdleConns(1)
		db.writer.SetConnMaxIdleTime(0)
		db.reader, err = sql.Open("sqlite", u+"?"+dsn("deferred", "WAL", syncMode, true))
		if err != nil {
			db.writer.Close()
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		db.reader.SetMaxOpenConns(readers)
		db.reader.SetMaxIdleConns(readers)
	}
	if err := migrate(ctx, db.writer, db.now, db.log); err != nil {
		db.Close()
		return nil, err
	}
	db.rbulk = newBulkQueries()
	if db.wbulk, err = db.rbulk.prepared(ctx, db.writer); err != nil {
		db.Close()
		return nil, err
	}
	if db.reader == db.writer {
		db.rbulk = db.wbulk
	} else if db.rbulk, err = db.rbulk.preparedSingle(ctx, db.reader); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.replay(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// readChecked records that a read transaction brought the overlay up to
// date with the journal.
func (db *DB) readChecked() {
	if db.readCheck > 0 {
		db.lastCheck.Store(time.Now().UnixNano())
	}
}

// dsn builds the connection parameters shared by every connection.
func dsn(txlock, journal, sync string, queryOnly bool) string {
	q := url.Values{}
	q.Set("_txlock", txlock)
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "page_size(16384)")
	// Checkpoint every 4096 WAL pages (64 MiB) rather than SQLite's 1000:
	// ingest rewrites the same hot pages batch after batch, and a larger
	// WAL lets one checkpoint copy each page once (docs/BENCHMARKS.md).
	q.Add("_pragma", "wal_autocheckpoint(4096)")
	q.Set("_journal_mode", journal)
	q.Add("_pragma", "synchronous("+sync+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "cache_size(-65536)")
	q.Add("_pragma", "temp_store(MEMORY)")
	// Freed content (a purged event_log body, its overflow pages) is
	// overwritten with zeros, not left in free space (docs/privacy.md).
	q.Add("_pragma", "secure_delete(1)")
	if queryOnly {
		q.Add("_pragma", "query_only(1)")
	}
	return q.Encode()
}

// Close writes the write-behind state into its tables (a checkpoint) and
// closes every connection; it is safe to call more than once. It waits for
// the open write transaction, if any.
func (db *DB) Close() error {
	var err error
	db.closeOnce.Do(func() {
		if db.wbulk != nil {
			db.wmu.Lock()
			err = db.checkpointLocked(context.Background())
			if db.scrub.Load() {
				db.scrubWAL(context.Background())
			}
			db.wmu.Unlock()
			db.events.settle()
			db.wbulk.close()
		}
		if db.rbulk != nil && db.rbulk != db.wbulk {
			db.rbulk.close()
		}
		if db.reader != nil && db.reader != db.writer {
			if rerr := db.reader.Close(); err == nil {
				err = rerr
			}
		}
		if db.writer != nil {
			if werr := db.writer.Close(); err == nil {
				err = werr
			}
		}
	})
	return err
}

// BeginTx starts a transaction whose time is read from the DB's clock.
// A write transaction takes the write lock at once; write transactions of
// one DB queue on it.
func (db *DB) BeginTx(ctx context.Context, write bool) (fanclub.Tx, error) {
	conn, bulk := db.reader, db.rbulk
	if write {
		conn, bulk = db.writer, db.wbulk
		db.wmu.Lock()
	}
	var epoch uint64
	if !write {
		epoch = db.ov.beginRead()
		if db.readCheck > 0 && db.reader != db.writer {
			t := &Tx{now: db.now().UTC(), bulk: bulk, db: db, epoch: epoch}
			if time.Now().UnixNano()-db.lastCheck.Load() >= int64(db.readCheck) {
				if _, err := t.sqlTx(ctx); err != nil {
					t.Rollback()
					return nil, err
				}
			}
			return t, nil
		}
	}
	stx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		if write {
			db.wmu.Unlock()
		} else {
			db.ov.endRead(epoch)
		}
		return nil, beginError(err)
	}
	t := &Tx{tx: stx, now: db.now().UTC(), bulk: bulk, db: db, write: write, epoch: epoch}
	if err := db.syncJournal(ctx, t); err != nil {
		t.Rollback()
		return nil, err
	}
	if write {
		t.ch = change{members: map[fanclub.MemberKey]*fanclub.Membership{}, counters: map[fanclub.CounterKey]int64{},
			hints: map[fanclub.MemberKey]*memberEntry{}}
		db.ov.collect()
		t.readM = map[fanclub.MemberKey]*fanclub.Membership{}
		t.readC = map[fanclub.CounterKey]int64{}
	}
	return t, nil
}

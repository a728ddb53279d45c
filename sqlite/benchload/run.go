package benchload

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"fanclub"
	"fanclub/sqlite"
)

// Modes of the ingest benchmark.
const (
	// ModeEngine is engine.Ingest, one transaction per batch.
	ModeEngine = "engine"
	// ModeNaive is engine.Ingest of one-event batches: a transaction per event.
	ModeNaive = "naive"
	// ModeRaw is the batch's rows inserted into a plain table with
	// multi-row INSERTs, one transaction per batch: a row per event.
	ModeRaw = "raw"
)

// Result is one timed run.
type Result struct {
	Mode   string
	Events int
	// Acked is the time until the last batch was acknowledged (committed:
	// durable); Elapsed adds the store's Close, whose final checkpoint
	// writes the write-behind state still in memory into its tables.
	Acked, Elapsed time.Duration
}

// PerSecond is the run's throughput in events per second until the last
// acknowledgement.
func (r Result) PerSecond() float64 { return rate(r.Events, r.Acked) }

// PerSecondClosed is the throughput including the final checkpoint.
func (r Result) PerSecondClosed() float64 { return rate(r.Events, r.Elapsed) }

func rate(events int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(events) / d.Seconds()
}

// Bench runs the modes on copies of one seeded database file.
type Bench struct {
	W *Workload
	// SyncFull opens the timed databases with sqlite.Options.SyncFull.
	SyncFull bool
	template string
	log      *slog.Logger
}

// NewBench seeds the database file path (replacing it) for w; each run
// works on a copy of it beside it, PATH.MODE, removed afterwards.
func NewBench(ctx context.Context, path string, w *Workload, log *slog.Logger) (*Bench, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bench{W: w, template: path, log: log}
	removeDB(path)
	db, err := sqlite.Open(ctx, b.template, sqlite.Options{Now: w.End, Logger: log})
	if err != nil {
		return nil, err
	}
	if err := w.Seed(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	return b, nil
}

// fresh copies the template to a new database file and opens it.
func (b *Bench) fresh(ctx context.Context, name string) (*sqlite.DB, string, error) {
	path := b.template + "." + name
	removeDB(path)
	src, err := os.Open(b.template)
	if err != nil {
		return nil, "", err
	}
	defer src.Close()
	dst, err := os.Create(path)
	if err != nil {
		return nil, "", err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return nil, "", err
	}
	if err := dst.Close(); err != nil {
		return nil, "", err
	}
	db, err := sqlite.Open(ctx, path, sqlite.Options{Now: b.W.End, Logger: b.log, SyncFull: b.SyncFull})
	return db, path, err
}

// cleanup closes db and removes its files.
func cleanup(db *sqlite.DB, path string) {
	db.Close()
	removeDB(path)
}

// removeDB removes a database file and its WAL and shared-memory files.
func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

// Engine ingests every batch through engine.Ingest, one transaction each.
func (b *Bench) Engine(ctx context.Context) (Result, error) {
	db, path, err := b.fresh(ctx, ModeEngine)
	if err != nil {
		return Result{}, err
	}
	defer cleanup(db, path)
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: NewPolicies(), Logger: b.log})
	r := Result{Mode: ModeEngine}
	start := time.Now()
	for _, batch := range b.W.Batches {
		res, err := eng.Ingest(ctx, batch)
		if err != nil {
			return r, fmt.Errorf("ingest batch %d: %w", batch.Seq, err)
		}
		if res.Rejected > 0 {
			return r, fmt.Errorf("ingest batch %d: %d events rejected", batch.Seq, res.Rejected)
		}
		r.Events += len(batch.Events)
	}
	r.Acked = time.Since(start)
	// Close runs the final checkpoint: Elapsed includes the write-behind
	// state still in memory.
	if err := db.Close(); err != nil {
		return r, fmt.Errorf("close: %w", err)
	}
	r.Elapsed = time.Since(start)
	return r, nil
}

// IngestOneByOne ingests up to limit of the workload's events through
// eng, one event (and so one transaction) per batch, and returns how many
// it ingested: the naive mode of every store's bench.
func (w *Workload) IngestOneByOne(ctx context.Context, eng *fanclub.Engine, limit int) (int, error) {
	n, seq := 0, int64(0)
	for _, batch := range w.Batches {
		for i := range batch.Events {
			if n >= limit {
				return n, nil
			}
			seq++
			one := fanclub.Batch{Producer: "naive", Seq: seq, Events: batch.Events[i : i+1]}
			if _, err := eng.Ingest(ctx, one); err != nil {
				return n, fmt.Errorf("ingest event %s: %w", one.Events[0].ID, err)
			}
			n++
		}
	}
	return n, nil
}

// Naive ingests up to limit events through engine.Ingest, one event (and
// so one transaction) at a time.
func (b *Bench) Naive(ctx context.Context, limit int) (Result, error) {
	db, path, err := b.fresh(ctx, ModeNaive)
	if err != nil {
		return Result{}, err
	}
	defer cleanup(db, path)
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: NewPolicies(), Logger: b.log})
	r := Result{Mode: ModeNaive}
	start := time.Now()
	if r.Events, err = b.W.IngestOneByOne(ctx, eng, limit); err != nil {
		return r, err
	}
	r.Acked = time.Since(start)
	if err := db.Close(); err != nil {
		return r, fmt.Errorf("close: %w", err)
	}
	r.Elapsed = time.Since(start)
	return r, nil
}

// Raw inserts every batch's rows — id, fan, club, action, amount, time —
// into a plain table (rowid, no index) with prepared multi-row INSERTs of
// 250 rows, one transaction per batch, on a connection of its own with
// the store's settings: what storing each event as a row costs SQLite at
// the least, before any dedupe, lookup or index.
func (b *Bench) Raw(ctx context.Context) (Result, error) {
	db, path, err := b.fresh(ctx, ModeRaw)
	if err != nil {
		return Result{}, err
	}
	if err := db.Close(); err != nil {
		return Result{}, err
	}
	defer removeDB(path)
	conn, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_journal_mode=WAL&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_pragma=wal_autocheckpoint(16384)&_pragma=cache_size(-65536)")
	if err != nil {
		return Result{}, err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, `CREATE TABLE raw_events(id TEXT NOT NULL, fan_id INTEGER NOT NULL, club_id INTEGER NOT NULL, action TEXT NOT NULL, amount INTEGER NOT NULL, at INTEGER NOT NULL)`); err != nil {
		return Result{}, err
	}
	const per = 250
	stmt, err := conn.PrepareContext(ctx, `INSERT INTO raw_events VALUES `+strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?),", per), ","))
	if err != nil {
		return Result{}, err
	}
	defer stmt.Close()
	rows := make([][]fanclub.Event, len(b.W.Batches))
	for i, batch := range b.W.Batches {
		rows[i] = Events(batch)
	}
	r := Result{Mode: ModeRaw}
	args := make([]any, 0, 6*per)
	start := time.Now()
	for _, evs := range rows {
		if err := insertRows(ctx, conn, stmt, evs, args); err != nil {
			return r, err
		}
		r.Events += len(evs)
	}
	r.Acked = time.Since(start)
	if err := conn.Close(); err != nil {
		return r, fmt.Errorf("close: %w", err)
	}
	r.Elapsed = time.Since(start)
	return r, nil
}

// insertRows inserts one batch in one transaction: full statements of
// per rows, then single-row statements for the rest.
func insertRows(ctx context.Context, conn *sql.DB, stmt *sql.Stmt, evs []fanclub.Event, args []any) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	per := cap(args) / 6
	for len(evs) > 0 {
		n := min(per, len(evs))
		args = args[:0]
		for _, e := range evs[:n] {
			args = append(args, e.ID, e.FanID, e.ClubID, string(e.Action), e.Amount, e.At.UnixNano())
		}
		if n == per {
			_, err = tx.StmtContext(ctx, stmt).ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO raw_events VALUES `+strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?),", n), ","), args...)
		}
		if err != nil {
			return err
		}
		evs = evs[n:]
	}
	return tx.Commit()
}

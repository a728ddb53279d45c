package benchload

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
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
	// ModeRaw is the batch's rows inserted into the events table with the
	// store's InsertEvents (multi-row INSERT), one transaction per batch
	// (with its journal row), and the checkpoint that indexes them.
	ModeRaw = "raw"
)

// Result is one timed run.
type Result struct {
	Mode    string
	Events  int
	Elapsed time.Duration
}

// PerSecond is the run's throughput in events per second.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Events) / r.Elapsed.Seconds()
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
	// Close runs the final checkpoint: the write-behind state still in
	// memory is paid for inside the timed part.
	if err := db.Close(); err != nil {
		return r, fmt.Errorf("close: %w", err)
	}
	r.Elapsed = time.Since(start)
	return r, nil
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
	seq := int64(0)
	for _, batch := range b.W.Batches {
		for i := range batch.Events {
			if r.Events >= limit {
				break
			}
			seq++
			one := fanclub.Batch{Producer: "naive", Seq: seq, Events: batch.Events[i : i+1]}
			if _, err := eng.Ingest(ctx, one); err != nil {
				return r, fmt.Errorf("ingest event %s: %w", one.Events[0].ID, err)
			}
			r.Events++
		}
	}
	if err := db.Close(); err != nil {
		return r, fmt.Errorf("close: %w", err)
	}
	r.Elapsed = time.Since(start)
	return r, nil
}

// Raw inserts every batch's rows into the events table with the store's
// multi-row INSERT, one transaction per batch: the floor of what any
// ingest path pays to log the events durably.
func (b *Bench) Raw(ctx context.Context) (Result, error) {
	db, path, err := b.fresh(ctx, ModeRaw)
	if err != nil {
		return Result{}, err
	}
	defer cleanup(db, path)
	rows := make([][]fanclub.Event, len(b.W.Batches))
	for i, batch := range b.W.Batches {
		rows[i] = Events(batch)
	}
	r := Result{Mode: ModeRaw}
	start := time.Now()
	for _, evs := range rows {
		if err := insertRows(ctx, db, evs); err != nil {
			return r, err
		}
		r.Events += len(evs)
	}
	// As in Engine, the final checkpoint (indexing the events) is timed.
	if err := db.Close(); err != nil {
		return r, fmt.Errorf("close: %w", err)
	}
	r.Elapsed = time.Since(start)
	return r, nil
}

func insertRows(ctx context.Context, db *sqlite.DB, evs []fanclub.Event) error {
	tx, err := db.BeginTx(ctx, true)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.InsertEvents(ctx, evs); err != nil {
		return err
	}
	return tx.Commit()
}

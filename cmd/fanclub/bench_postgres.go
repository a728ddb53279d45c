package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fanclub"
	"fanclub/postgres"
	"fanclub/sqlite/benchload"
)

// Extra mode of the PostgreSQL ingest benchmark.
const modeCopy = "copy"

// pgBench runs the ingest modes on PostgreSQL: the workload is seeded
// once into a template schema, and each run gets a fresh schema of its own
// (migrated, the template's rows copied in and analyzed before the clock
// starts), dropped afterwards.
type pgBench struct {
	url      string
	w        *benchload.Workload
	admin    *pgx.Conn
	template string
	log      *slog.Logger
}

// seededTables are the tables benchload.Workload.Seed fills, in an order
// their foreign keys allow.
var seededTables = []string{"creators", "clubs", "club_member_counts", "fans", "memberships"}

// newPGBench seeds a template schema on the server at url for w.
func newPGBench(ctx context.Context, url string, w *benchload.Workload) (*pgBench, error) {
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	b := &pgBench{url: url, w: w, admin: admin, log: slog.New(slog.DiscardHandler)}
	if b.template, err = b.createSchema(ctx); err != nil {
		admin.Close(ctx)
		return nil, err
	}
	db, err := postgres.Open(ctx, url, postgres.Options{Schema: b.template, Now: w.End, Logger: b.log})
	if err != nil {
		b.close()
		return nil, err
	}
	defer db.Close()
	if err := w.Seed(ctx, db); err != nil {
		b.close()
		return nil, fmt.Errorf("seed: %w", err)
	}
	return b, nil
}

// createSchema creates a schema with a fresh random name.
func (b *pgBench) createSchema(ctx context.Context) (string, error) {
	r := make([]byte, 6)
	_, _ = rand.Read(r)
	name := "fanclub_bench_" + hex.EncodeToString(r)
	if _, err := b.admin.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("create schema: %w", err)
	}
	return name, nil
}

// dropSchema drops a schema and everything in it.
func (b *pgBench) dropSchema(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, _ = b.admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE")
}

// close drops the template and closes the admin connection.
func (b *pgBench) close() {
	b.dropSchema(b.template)
	_ = b.admin.Close(context.Background())
}

// fresh creates a run's schema with the seeded rows and opens a store on it.
func (b *pgBench) fresh(ctx context.Context) (*postgres.DB, string, error) {
	name, err := b.createSchema(ctx)
	if err != nil {
		return nil, "", err
	}
	db, err := postgres.Open(ctx, b.url, postgres.Options{Schema: name, Now: b.w.End, Logger: b.log})
	if err != nil {
		b.dropSchema(name)
		return nil, "", err
	}
	for _, t := range seededTables {
		q := fmt.Sprintf("INSERT INTO %s SELECT * FROM %s", pgx.Identifier{name, t}.Sanitize(), pgx.Identifier{b.template, t}.Sanitize())
		if _, err := b.admin.Exec(ctx, q); err != nil {
			db.Close()
			b.dropSchema(name)
			return nil, "", fmt.Errorf("copy %s: %w", t, err)
		}
		if _, err := b.admin.Exec(ctx, "ANALYZE "+pgx.Identifier{name, t}.Sanitize()); err != nil {
			db.Close()
			b.dropSchema(name)
			return nil, "", fmt.Errorf("analyze %s: %w", t, err)
		}
	}
	return db, name, nil
}

// engine ingests every batch through engine.Ingest, one transaction each.
func (b *pgBench) engine(ctx context.Context) (benchload.Result, error) {
	db, name, err := b.fresh(ctx)
	if err != nil {
		return benchload.Result{}, err
	}
	defer b.dropSchema(name)
	defer db.Close()
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: benchload.NewPolicies(), Logger: b.log})
	r := benchload.Result{Mode: benchload.ModeEngine}
	start := time.Now()
	for _, batch := range b.w.Batches {
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
	db.Close()
	r.Elapsed = time.Since(start)
	return r, nil
}

// naive ingests up to limit events through engine.Ingest one at a time.
func (b *pgBench) naive(ctx context.Context, limit int) (benchload.Result, error) {
	db, name, err := b.fresh(ctx)
	if err != nil {
		return benchload.Result{}, err
	}
	defer b.dropSchema(name)
	defer db.Close()
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: benchload.NewPolicies(), Logger: b.log})
	r := benchload.Result{Mode: benchload.ModeNaive}
	start := time.Now()
	if r.Events, err = b.w.IngestOneByOne(ctx, eng, limit); err != nil {
		return r, err
	}
	r.Acked = time.Since(start)
	r.Elapsed = r.Acked
	return r, nil
}

// raw inserts every batch's rows into a plain table (no key, no index)
// with multi-row INSERTs of 250 rows, or with COPY when copy is set, one
// transaction per batch, on a connection of its own: what storing each
// event as a row costs PostgreSQL at the least.
func (b *pgBench) raw(ctx context.Context, copy bool) (benchload.Result, error) {
	name, err := b.createSchema(ctx)
	if err != nil {
		return benchload.Result{}, err
	}
	defer b.dropSchema(name)
	conn, err := b.connectWithTable(ctx, name, `CREATE TABLE raw_events(id TEXT COLLATE "C" NOT NULL, fan_id BIGINT NOT NULL,
 club_id BIGINT NOT NULL, action TEXT NOT NULL, amount BIGINT NOT NULL, at BIGINT NOT NULL)`)
	if err != nil {
		return benchload.Result{}, err
	}
	defer conn.Close(context.Background())
	rows := make([][][]any, len(b.w.Batches))
	for i, batch := range b.w.Batches {
		for _, e := range benchload.Events(batch) {
			rows[i] = append(rows[i], []any{e.ID, e.FanID, e.ClubID, string(e.Action), e.Amount, e.At.UnixNano()})
		}
	}
	r := benchload.Result{Mode: benchload.ModeRaw}
	if copy {
		r.Mode = modeCopy
	}
	start := time.Now()
	for _, batch := range rows {
		if err := insertPGRows(ctx, conn, batch, copy); err != nil {
			return r, err
		}
		r.Events += len(batch)
	}
	r.Acked = time.Since(start)
	r.Elapsed = r.Acked
	return r, nil
}

// connectWithTable opens a connection of its own on schema name and
// runs create there (the table a baseline mode writes into).
func (b *pgBench) connectWithTable(ctx context.Context, name, create string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(b.url)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["search_path"] = pgx.Identifier{name}.Sanitize()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, create); err != nil {
		_ = conn.Close(context.Background())
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return conn, nil
}

// rawPer is the number of rows of one multi-row INSERT of the raw mode.
const rawPer = 250

// insertPGRows inserts one batch's rows in one transaction.
func insertPGRows(ctx context.Context, conn *pgx.Conn, rows [][]any, copy bool) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if copy {
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"raw_events"}, []string{"id", "fan_id", "club_id", "action", "amount", "at"}, pgx.CopyFromRows(rows))
		if err != nil {
			return err
		}
		return tx.Commit(ctx)
	}
	args := make([]any, 0, 6*rawPer)
	for len(rows) > 0 {
		n := min(rawPer, len(rows))
		args = args[:0]
		var q strings.Builder
		q.WriteString("INSERT INTO raw_events VALUES ")
		for i, row := range rows[:n] {
			if i > 0 {
				q.WriteByte(',')
			}
			fmt.Fprintf(&q, "($%d,$%d,$%d,$%d,$%d,$%d)", 6*i+1, 6*i+2, 6*i+3, 6*i+4, 6*i+5, 6*i+6)
			args = append(args, row...)
		}
		if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return tx.Commit(ctx)
}

// serverVersion returns the server's version string.
func (b *pgBench) serverVersion(ctx context.Context) string {
	var v string
	if err := b.admin.QueryRow(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "unknown"
	}
	return v
}

// runBenchIngestPostgres runs 'fanclub bench ingest --db postgres://…':
// the engine, naive, raw and copy modes, each run in a fresh schema of
// the server at url, and prints the engine's rate against the raw-insert
// baselines of the same run.
func runBenchIngestPostgres(ctx context.Context, cfg benchload.Config, url string, r benchRounds, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "workload: %d events, %d fans, %d clubs (Zipf s=%.1f), batches of %d, seed %d\n",
		cfg.Events, cfg.Fans, cfg.Clubs, cfg.ZipfS, cfg.BatchSize, cfg.Seed)
	start := time.Now()
	w := benchload.Generate(cfg)
	b, err := newPGBench(ctx, url, w)
	if err != nil {
		fmt.Fprintf(stderr, "fanclub bench ingest: %s: %v\n", displayDSN(url), err)
		return 1
	}
	defer b.close()
	fmt.Fprintf(stdout, "machine: %d CPUs, %s, %s/%s, PostgreSQL %s at %s\n", runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		b.serverVersion(ctx), displayDSN(url))
	fmt.Fprintf(stdout, "seeded in %s; each run in a fresh schema\n\n", time.Since(start).Round(time.Millisecond))
	modes := []benchMode{
		{benchload.ModeEngine, func() (benchload.Result, error) { return b.engine(ctx) }},
		{benchload.ModeNaive, func() (benchload.Result, error) { return b.naive(ctx, r.naive) }},
		{benchload.ModeRaw, func() (benchload.Result, error) { return b.raw(ctx, false) }},
		{modeCopy, func() (benchload.Result, error) { return b.raw(ctx, true) }},
		{modeFloor, func() (benchload.Result, error) { return b.floor(ctx) }},
	}
	med, err := runBenchModes(ctx, modes, r, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "\nfanclub bench ingest: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "\nengine / raw (multi-row INSERT) %.2f; engine / copy %.2f; floor / raw %.2f\n",
		med[benchload.ModeEngine]/med[benchload.ModeRaw], med[benchload.ModeEngine]/med[modeCopy], med[modeFloor]/med[benchload.ModeRaw])
	return 0
}

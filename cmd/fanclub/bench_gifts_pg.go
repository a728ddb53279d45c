package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"fanclub"
	"fanclub/postgres"
	"fanclub/sqlite/benchload"
)

// giftSeededTables are the tables giftLoad.seed fills, in an order their
// foreign keys allow.
var giftSeededTables = []string{"creators", "clubs", "club_member_counts", "fans", "memberships", "ledger_accounts", "ledger_transfers"}

// pgGifts runs the gift modes on PostgreSQL: the workload is seeded once
// into a template schema, each run gets a fresh schema with its rows.
type pgGifts struct {
	*pgBench
	l      *giftLoad
	failed failures
}

// newPGGifts seeds a template schema on the server at url for l.
func newPGGifts(ctx context.Context, url string, l *giftLoad) (*pgGifts, error) {
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	b := &pgGifts{pgBench: &pgBench{url: url, w: l.w, admin: admin, log: slog.New(slog.DiscardHandler)}, l: l, failed: failures{}}
	if b.template, err = b.createSchema(ctx); err != nil {
		admin.Close(ctx)
		return nil, err
	}
	db, err := postgres.Open(ctx, url, postgres.Options{Schema: b.template, Now: l.w.End, Logger: b.log})
	if err != nil {
		b.close()
		return nil, err
	}
	defer db.Close()
	if err := l.seed(ctx, db); err != nil {
		b.close()
		return nil, fmt.Errorf("seed: %w", err)
	}
	return b, nil
}

// fresh creates a run's schema with the seeded rows (analyzed) and opens
// a store on it with a pool of conns connections.
func (b *pgGifts) fresh(ctx context.Context, conns int) (*postgres.DB, string, error) {
	name, err := b.createSchema(ctx)
	if err != nil {
		return nil, "", err
	}
	db, err := postgres.Open(ctx, b.url, postgres.Options{Schema: name, Now: b.w.End, Logger: b.log, MaxConns: int32(max(conns, 4))})
	if err != nil {
		b.dropSchema(name)
		return nil, "", err
	}
	fail := func(err error) (*postgres.DB, string, error) {
		db.Close()
		b.dropSchema(name)
		return nil, "", err
	}
	for _, t := range giftSeededTables {
		dst, src := pgx.Identifier{name, t}.Sanitize(), pgx.Identifier{b.template, t}.Sanitize()
		if _, err := b.admin.Exec(ctx, fmt.Sprintf("INSERT INTO %s OVERRIDING SYSTEM VALUE SELECT * FROM %s", dst, src)); err != nil {
			return fail(fmt.Errorf("copy %s: %w", t, err))
		}
		if _, err := b.admin.Exec(ctx, "ANALYZE "+dst); err != nil {
			return fail(fmt.Errorf("analyze %s: %w", t, err))
		}
	}
	seq := pgx.Identifier{name, "ledger_transfers"}.Sanitize()
	if _, err := b.admin.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'seq'), (SELECT max(seq) FROM %s))", seq, seq)); err != nil {
		return fail(fmt.Errorf("ledger sequence: %w", err))
	}
	return db, name, nil
}

// engine sends every gift through engine.SendGift from conc goroutines.
func (b *pgGifts) engine(ctx context.Context, conc int) (benchload.Result, error) {
	db, name, err := b.fresh(ctx, conc)
	if err != nil {
		return benchload.Result{}, err
	}
	defer b.dropSchema(name)
	defer db.Close()
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: newGiftPolicies(b.l.share), Logger: b.log, GiftWriters: b.l.writers})
	r := benchload.Result{Mode: "engine"}
	start := time.Now()
	n, failed, err := b.l.sendGifts(ctx, eng, conc)
	b.failed[fmt.Sprintf("engine-c%d", conc)] += failed
	if r.Events = n; err != nil {
		return r, err
	}
	r.Acked = time.Since(start)
	r.Elapsed = r.Acked
	return r, nil
}

// raw inserts every gift's rows (two ledger transfers, one gift) into
// plain tables with no key or index: with per 1, a transaction per gift
// from conc connections (both rows' INSERTs sent in one round trip with
// the BEGIN and COMMIT); otherwise per gifts per transaction by COPY,
// from one connection.
func (b *pgGifts) raw(ctx context.Context, conc, per int) (benchload.Result, error) {
	name, err := b.createSchema(ctx)
	if err != nil {
		return benchload.Result{}, err
	}
	defer b.dropSchema(name)
	cfg, err := pgx.ParseConfig(b.url)
	if err != nil {
		return benchload.Result{}, err
	}
	cfg.RuntimeParams["search_path"] = pgx.Identifier{name}.Sanitize()
	conns := make([]*pgx.Conn, conc)
	for i := range conns {
		if conns[i], err = pgx.ConnectConfig(ctx, cfg); err != nil {
			return benchload.Result{}, err
		}
		defer conns[i].Close(context.Background())
	}
	if _, err := conns[0].Exec(ctx, `CREATE TABLE raw_transfers(key TEXT NOT NULL, debit_account TEXT NOT NULL, credit_account TEXT NOT NULL,
 asset TEXT NOT NULL, amount BIGINT NOT NULL, flags BIGINT NOT NULL, pending_key TEXT NOT NULL, state TEXT NOT NULL, code TEXT NOT NULL,
 ref TEXT NOT NULL, at BIGINT NOT NULL);
CREATE TABLE raw_gifts(key TEXT NOT NULL, fan_id BIGINT NOT NULL, club_id BIGINT NOT NULL, creator_id BIGINT NOT NULL, coins BIGINT NOT NULL,
 value BIGINT NOT NULL, share BIGINT NOT NULL, currency TEXT NOT NULL, points BIGINT NOT NULL, event_id TEXT NOT NULL, at BIGINT NOT NULL)`); err != nil {
		return benchload.Result{}, err
	}
	rows := b.l.rawRows()
	r := benchload.Result{Mode: "raw"}
	start := time.Now()
	if per > 1 {
		err = copyGiftRows(ctx, conns[0], rows, per)
	} else {
		err = insertGiftRowsEach(ctx, conns, rows)
	}
	if err != nil {
		return r, err
	}
	r.Events = len(rows)
	r.Acked = time.Since(start)
	r.Elapsed = r.Acked
	return r, nil
}

// insertGiftRowsEach inserts each gift's rows in a transaction of its
// own, the gifts shared out over conns working concurrently.
func insertGiftRowsEach(ctx context.Context, conns []*pgx.Conn, rows []giftRows) error {
	const q = `INSERT INTO raw_transfers VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11),($12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22)`
	const qg = `INSERT INTO raw_gifts VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`
	var next atomic.Int64
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	for c, conn := range conns {
		wg.Go(func() {
			args := make([]any, 0, 22)
			for {
				i := int(next.Add(1) - 1)
				if i >= len(rows) {
					return
				}
				args = append(append(args[:0], rows[i].transfers[0]...), rows[i].transfers[1]...)
				batch := &pgx.Batch{}
				batch.Queue("BEGIN")
				batch.Queue(q, args...)
				batch.Queue(qg, rows[i].gift...)
				batch.Queue("COMMIT")
				if err := conn.SendBatch(ctx, batch).Close(); err != nil {
					errs[c] = err
					next.Store(int64(len(rows)))
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// copyGiftRows copies the gifts' rows per gifts per transaction.
func copyGiftRows(ctx context.Context, conn *pgx.Conn, rows []giftRows, per int) error {
	for len(rows) > 0 {
		n := min(per, len(rows))
		ts, gs := make([][]any, 0, 2*n), make([][]any, 0, n)
		for _, g := range rows[:n] {
			ts = append(ts, g.transfers[0], g.transfers[1])
			gs = append(gs, g.gift)
		}
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"raw_transfers"}, rawTransferCols, pgx.CopyFromRows(ts)); err != nil {
			_ = tx.Rollback(ctx)
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"raw_gifts"}, rawGiftCols, pgx.CopyFromRows(gs)); err != nil {
			_ = tx.Rollback(ctx)
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// runBenchGiftsPostgres runs 'fanclub bench gifts --db postgres://…'.
func runBenchGiftsPostgres(ctx context.Context, l *giftLoad, url string, concs []int, r benchRounds, cpuProfile string, stdout, stderr io.Writer) int {
	start := time.Now()
	b, err := newPGGifts(ctx, url, l)
	if err != nil {
		fmt.Fprintf(stderr, "fanclub bench gifts: %s: %v\n", displayDSN(url), err)
		return 1
	}
	defer b.close()
	fmt.Fprintf(stdout, "machine: %d CPUs, %s, %s/%s, PostgreSQL %s at %s\n", runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		b.serverVersion(ctx), displayDSN(url))
	fmt.Fprintf(stdout, "seeded in %s; each run in a fresh schema; rates are gifts/s (events = gifts)\n\n", time.Since(start).Round(time.Millisecond))
	stop, err := startCPUProfile(cpuProfile)
	if err != nil {
		fmt.Fprintf(stderr, "fanclub bench gifts: %v\n", err)
		return 1
	}
	defer stop()
	var modes []benchMode
	for _, c := range concs {
		modes = append(modes, benchMode{fmt.Sprintf("engine-c%d", c), func() (benchload.Result, error) { return b.engine(ctx, c) }})
	}
	for _, c := range concs {
		modes = append(modes, benchMode{fmt.Sprintf("raw-c%d", c), func() (benchload.Result, error) { return b.raw(ctx, c, 1) }})
	}
	modes = append(modes, benchMode{modeRawBatch, func() (benchload.Result, error) { return b.raw(ctx, 1, l.w.BatchSize) }})
	med, err := runBenchModes(ctx, modes, r, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "\nfanclub bench gifts: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout)
	b.failed.print(stdout)
	for _, c := range concs {
		m, raw := fmt.Sprintf("engine-c%d", c), fmt.Sprintf("raw-c%d", c)
		fmt.Fprintf(stdout, "%s / %s %.2f; %s / raw-batch %.3f\n", m, raw, med[m]/med[raw], m, med[m]/med[modeRawBatch])
	}
	return 0
}

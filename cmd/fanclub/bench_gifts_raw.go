package main

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"fanclub/sqlite/benchload"
)

// rawGiftChunk is the most gifts one multi-row INSERT of the SQLite raw
// modes holds (2 × 250 transfer rows of 11 values).
const rawGiftChunk = 250

// valuesList returns "(?,…,?),…" for rows rows of cols values.
func valuesList(rows, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + "),"
	return strings.TrimSuffix(strings.Repeat(row, rows), ",")
}

// raw inserts every gift's rows (two ledger transfers, one gift) into
// plain rowid tables with no key or index, per gifts per transaction, on
// one connection with the store's settings: what storing a gift costs
// SQLite at the least, before any lookup, balance check or index. With
// keyed, each table has a unique index on its key, the one index an
// idempotent store cannot do without (a retried gift must find its first
// result after a restart), and each batch's rows go in key order (sorted
// before the clock starts), so the index takes them as one ordered run:
// the least a durable, idempotent gift costs.
func (b *sqliteGifts) raw(ctx context.Context, per int, keyed bool) (benchload.Result, error) {
	db, path, err := b.fresh(ctx)
	if err != nil {
		return benchload.Result{}, err
	}
	if err := db.Close(); err != nil {
		return benchload.Result{}, err
	}
	defer removeSQLite(path)
	conn, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_journal_mode=WAL&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_pragma=wal_autocheckpoint(16384)&_pragma=cache_size(-65536)")
	if err != nil {
		return benchload.Result{}, err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	for _, q := range []string{
		`CREATE TABLE raw_transfers(key TEXT NOT NULL, debit_account TEXT NOT NULL, credit_account TEXT NOT NULL, asset TEXT NOT NULL,
 amount INTEGER NOT NULL, flags INTEGER NOT NULL, pending_key TEXT NOT NULL, state TEXT NOT NULL, code TEXT NOT NULL, ref TEXT NOT NULL, at INTEGER NOT NULL)`,
		`CREATE TABLE raw_gifts(key TEXT NOT NULL, fan_id INTEGER NOT NULL, club_id INTEGER NOT NULL, creator_id INTEGER NOT NULL,
 coins INTEGER NOT NULL, value INTEGER NOT NULL, share INTEGER NOT NULL, currency TEXT NOT NULL, points INTEGER NOT NULL, event_id TEXT NOT NULL, at INTEGER NOT NULL)`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return benchload.Result{}, err
		}
	}
	if keyed {
		for _, q := range []string{
			`CREATE UNIQUE INDEX raw_transfers_key ON raw_transfers(key)`,
			`CREATE UNIQUE INDEX raw_gifts_key ON raw_gifts(key)`,
		} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return benchload.Result{}, err
			}
		}
	}
	chunk := min(per, rawGiftChunk)
	ins := newRawGiftInserts(ctx, conn, chunk)
	defer ins.close()
	if ins.err != nil {
		return benchload.Result{}, ins.err
	}
	rows := b.l.rawRows()
	if keyed {
		for part := range slices.Chunk(rows, per) {
			slices.SortFunc(part, func(a, b giftRows) int { return strings.Compare(a.gift[0].(string), b.gift[0].(string)) })
		}
	}
	r := benchload.Result{Mode: "raw"}
	start := time.Now()
	for len(rows) > 0 {
		n := min(per, len(rows))
		if err := ins.insertTx(ctx, conn, rows[:n]); err != nil {
			return r, err
		}
		r.Events += n
		rows = rows[n:]
	}
	r.Acked = time.Since(start)
	if err := conn.Close(); err != nil {
		return r, fmt.Errorf("close: %w", err)
	}
	r.Elapsed = time.Since(start)
	return r, nil
}

// rawGiftInserts holds the prepared INSERTs of chunk gifts' rows.
type rawGiftInserts struct {
	chunk           int
	transfers, gift *sql.Stmt
	err             error
}

func newRawGiftInserts(ctx context.Context, conn *sql.DB, chunk int) *rawGiftInserts {
	ins := &rawGiftInserts{chunk: chunk}
	if ins.transfers, ins.err = conn.PrepareContext(ctx, `INSERT INTO raw_transfers VALUES `+valuesList(2*chunk, 11)); ins.err != nil {
		return ins
	}
	ins.gift, ins.err = conn.PrepareContext(ctx, `INSERT INTO raw_gifts VALUES `+valuesList(chunk, 11))
	return ins
}

func (ins *rawGiftInserts) close() {
	if ins.transfers != nil {
		ins.transfers.Close()
	}
	if ins.gift != nil {
		ins.gift.Close()
	}
}

// insertTx inserts gifts' rows in one transaction.
func (ins *rawGiftInserts) insertTx(ctx context.Context, conn *sql.DB, gifts []giftRows) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	targs := make([]any, 0, 22*ins.chunk)
	gargs := make([]any, 0, 11*ins.chunk)
	for len(gifts) > 0 {
		n := min(ins.chunk, len(gifts))
		targs, gargs = targs[:0], gargs[:0]
		for _, g := range gifts[:n] {
			targs = append(append(targs, g.transfers[0]...), g.transfers[1]...)
			gargs = append(gargs, g.gift...)
		}
		if n == ins.chunk {
			_, err = tx.StmtContext(ctx, ins.transfers).ExecContext(ctx, targs...)
			if err == nil {
				_, err = tx.StmtContext(ctx, ins.gift).ExecContext(ctx, gargs...)
			}
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO raw_transfers VALUES `+valuesList(2*n, 11), targs...)
			if err == nil {
				_, err = tx.ExecContext(ctx, `INSERT INTO raw_gifts VALUES `+valuesList(n, 11), gargs...)
			}
		}
		if err != nil {
			return err
		}
		gifts = gifts[n:]
	}
	return tx.Commit()
}

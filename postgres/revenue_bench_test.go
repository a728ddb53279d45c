package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fanclub"
	"fanclub/clock"
	"fanclub/internal/rowcodec"
	"fanclub/postgres"
	"fanclub/postgres/pgtest"
	"fanclub/storetest"
)

// TestSettlementBench times the weekly settlement of many creators
// against the raw read of the week's gifts (skipped unless
// FANCLUB_BENCH_SETTLEMENT is set; see docs/BENCHMARKS.md). The gifts are
// loaded with COPY (copyGifts).
func TestSettlementBench(t *testing.T) {
	creators, gifts := storetest.SettlementBenchSize(t)
	clk := clock.NewManual(time.Date(2026, 3, 12, 4, 0, 0, 0, time.UTC))
	ctx := context.Background()
	dsn, schema := pgtest.Schema(t)
	db, err := postgres.Open(ctx, dsn, postgres.Options{Now: clk.Now, Schema: schema, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	t.Log("postgres:", storetest.BenchSettlement(t, db, clk, creators, gifts, copyGifts(conn, schema)))
}

// copyGifts stores gifts in the schema's gifts table with one COPY per
// batch; each time the table has doubled it analyses it, so the planner
// knows its size as a table grown by inserts over time would have it.
func copyGifts(conn *pgx.Conn, schema string) storetest.GiftLoader {
	cols := strings.Split(strings.TrimPrefix(rowcodec.GiftCols, "id, "), ", ")
	table := pgx.Identifier{schema, "gifts"}
	loaded, analysed := 0, 0
	return func(ctx context.Context, gifts []*fanclub.Gift) error {
		rows := make([][]any, len(gifts))
		for i, g := range gifts {
			rows[i] = rowcodec.GiftArgs(g)
		}
		if _, err := conn.CopyFrom(ctx, table, cols, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		if loaded += len(gifts); loaded < 2*analysed {
			return nil
		}
		analysed = loaded
		_, err := conn.Exec(ctx, "ANALYZE "+table.Sanitize())
		return err
	}
}

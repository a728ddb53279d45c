package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"fanclub/sqlite/benchload"
)

// Mode of the PostgreSQL ingest benchmark that measures a lower bound.
const modeFloor = "floor"

// floorBatch is one batch's arguments of the floor mode: the event ids,
// and the touched memberships in key order with the number of events
// each got.
type floorBatch struct {
	ids                 []string
	fans, clubs, deltas []int64
	updated             int
}

// floorBatches groups every batch of the workload as the floor mode sends it.
func floorBatches(w *benchload.Workload) []floorBatch {
	out := make([]floorBatch, len(w.Batches))
	for i, b := range w.Batches {
		type key struct{ fan, club int64 }
		counts := map[key]int64{}
		fb := &out[i]
		for _, e := range b.Events {
			fb.ids = append(fb.ids, e.ID)
			counts[key{e.FanID, e.ClubID}]++
		}
		keys := make([]key, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b key) int { return cmp.Or(cmp.Compare(a.fan, b.fan), cmp.Compare(a.club, b.club)) })
		for _, k := range keys {
			fb.fans = append(fb.fans, k.fan)
			fb.clubs = append(fb.clubs, k.club)
			fb.deltas = append(fb.deltas, counts[k])
		}
	}
	return out
}

// floor runs, per batch, the least SQL an ingest must run if it answers
// every event at once and exactly across processes: each event's id into
// a unique index (the dedupe no other process can bypass), and one update
// of every membership the batch touches (the points it earned), sent with
// the commit in one round trip. It stores no event row, reads nothing,
// keeps no daily counter and records no (producer, seq): an engine does all
// of that besides, so no design that keeps those answers can ingest faster
// than this mode on the same server.
func (b *pgBench) floor(ctx context.Context) (benchload.Result, error) {
	db, name, err := b.fresh(ctx)
	if err != nil {
		return benchload.Result{}, err
	}
	defer b.dropSchema(name)
	db.Close()
	conn, err := b.connectWithTable(ctx, name, `CREATE TABLE floor_event_ids(id TEXT COLLATE "C" PRIMARY KEY)`)
	if err != nil {
		return benchload.Result{}, err
	}
	defer conn.Close(context.Background())
	batches := floorBatches(b.w)
	r := benchload.Result{Mode: modeFloor}
	start := time.Now()
	for i := range batches {
		if err := sendFloorBatch(ctx, conn, &batches[i]); err != nil {
			return r, err
		}
		r.Events += len(batches[i].ids)
	}
	r.Acked = time.Since(start)
	r.Elapsed = r.Acked
	for i, fb := range batches {
		if fb.updated != len(fb.fans) {
			return r, fmt.Errorf("floor: batch %d updated %d of its %d memberships", i, fb.updated, len(fb.fans))
		}
	}
	return r, nil
}

// sendFloorBatch sends one batch's two statements in one implicit
// transaction (a pipeline with one sync), and records how many
// memberships the update found.
func sendFloorBatch(ctx context.Context, conn *pgx.Conn, fb *floorBatch) error {
	var pb pgx.Batch
	pb.Queue(`INSERT INTO floor_event_ids(id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, fb.ids)
	pb.Queue(`UPDATE memberships m SET level_points = m.level_points + d.delta, version = m.version + 1
 FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS d(fan_id, club_id, delta)
 WHERE m.fan_id = d.fan_id AND m.club_id = d.club_id`, fb.fans, fb.clubs, fb.deltas)
	res := conn.SendBatch(ctx, &pb)
	if _, err := res.Exec(); err != nil {
		_ = res.Close()
		return fmt.Errorf("floor: event ids: %w", err)
	}
	tag, err := res.Exec()
	if err != nil {
		_ = res.Close()
		return fmt.Errorf("floor: memberships: %w", err)
	}
	fb.updated = int(tag.RowsAffected())
	return res.Close()
}

package export_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"fanclub"
	"fanclub/export"
	"fanclub/internal/teststores"
)

// BenchmarkExportJSON exports a fan with 100 000 stored events as JSON
// from an in-memory SQLite store; ns/op is one whole export.
func BenchmarkExportJSON(b *testing.B) {
	const events = 100_000
	ctx := context.Background()
	in := newInstance(b, teststores.SQLite.Open, "a")
	f, c := fanAndClubOn(b, in, "fair")
	if _, err := in.Engine.Join(ctx, f.ID, c.ID); err != nil {
		b.Fatal(err)
	}
	fan, club := f.ID, c.ID
	at := in.Clock.Now()
	for s := 0; s < events; s += 5000 {
		batch := make([]fanclub.Event, 5000)
		for i := range batch {
			batch[i] = fanclub.Event{ID: fmt.Sprintf("b%07d", s+i), FanID: fan, ClubID: club, Action: fanclub.ActionLike, Amount: 1, At: at.Add(time.Duration(s+i) * time.Millisecond)}
		}
		tx, err := in.Store.BeginTx(ctx, true)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.InsertEvents(ctx, batch); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		res, err := export.Write(ctx, io.Discard, in.Engine, fan, fanclub.ExportJSON, in.Signer)
		if err != nil || res.Counts["interactions"] != events {
			b.Fatalf("export: %v %v", res, err)
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

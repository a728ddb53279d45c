package fanclub_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/sqlite"
)

// BenchmarkIngest measures events per second through Engine.Ingest into a
// SQLite file, in batches of 10 000 events over 1 000 members.
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	clock := clock.NewManual(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	e := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: presetSource{}, Passwords: plainHasher{}, Random: rand.Reader})
	cr, err := e.CreateCreator(ctx, "creator")
	if err != nil {
		b.Fatal(err)
	}
	club, err := e.CreateClub(ctx, cr.ID, "club", "fair")
	if err != nil {
		b.Fatal(err)
	}
	const members, batch = 1000, 10000
	fans := make([]int64, members)
	for i := range fans {
		f, err := e.CreateFan(ctx, fmt.Sprintf("fan_%d", i), "password1")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Join(ctx, f.ID, club.ID); err != nil {
			b.Fatal(err)
		}
		fans[i] = f.ID
	}
	events := make([]fanclub.EventInput, batch)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for i := range events {
			events[i] = fanclub.EventInput{ID: fmt.Sprintf("b%d-%d", n, i), FanID: fans[i%members], ClubID: club.ID,
				Action: fanclub.Actions[i%len(fanclub.Actions)], Amount: 1}
		}
		res, err := e.Ingest(ctx, fanclub.Batch{Events: events})
		if err != nil || res.Accepted != batch {
			b.Fatalf("ingest: %v %+v", err, res.Accepted)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
}

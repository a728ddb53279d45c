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

// BenchmarkIngestDeviceIDs is BenchmarkIngest with and without a device
// id on every event (one device per member), into a SQLite file: what
// recording device sightings costs the ingest path, and that events
// without one cost nothing more.
func BenchmarkIngestDeviceIDs(b *testing.B) {
	for _, withDevice := range []bool{false, true} {
		b.Run(fmt.Sprintf("device=%v", withDevice), func(b *testing.B) {
			ctx := context.Background()
			clk := clock.NewManual(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
			db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{Now: clk.Now})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			e := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: presetSource{}, Passwords: plainHasher{}, Random: rand.Reader})
			w := worldWithClubs(b, e, 0)
			club := w.clubs["fair"]
			const members, batch = 1000, 10000
			fans := make([]int64, members)
			for i := range fans {
				f, err := e.CreateFan(ctx, fmt.Sprintf("fan_%d", i), "password1")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := e.Join(ctx, f.ID, club); err != nil {
					b.Fatal(err)
				}
				fans[i] = f.ID
			}
			events := make([]fanclub.EventInput, batch)
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				for i := range events {
					events[i] = fanclub.EventInput{ID: fmt.Sprintf("b%d-%d", n, i), FanID: fans[i%members], ClubID: club,
						Action: fanclub.Actions[i%len(fanclub.Actions)], Amount: 1}
					if withDevice {
						events[i].DeviceID = fmt.Sprintf("device-%d", i%members)
					}
				}
				res, err := e.Ingest(ctx, fanclub.Batch{Events: events})
				if err != nil || res.Accepted != batch {
					b.Fatalf("ingest: %v %+v", err, res.Accepted)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

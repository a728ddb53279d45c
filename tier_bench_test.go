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
	"fanclub/policyfile"
	"fanclub/sqlite"
)

// BenchmarkIngestTiered is BenchmarkIngest on a club whose policy gives
// its vip tier a multiplier, half of the members paying for vip: the
// batch's one read of paid benefits and the multiplied points, to compare
// with BenchmarkIngest (no read: the presets' multiplier is 1).
func BenchmarkIngestTiered(b *testing.B) {
	ctx := context.Background()
	clock := clock.NewManual(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		b.Fatal(err)
	}
	p, err := policyfile.ParseFile("policyfile/presets/fair.yaml")
	if err != nil {
		b.Fatal(err)
	}
	p.Metadata.Name = tieredPolicy
	p.Engagement.TierMultipliers = []fanclub.TierMultiplier{{Tier: "vip", Multiplier: 1.5}}
	if err := reg.Add(p); err != nil {
		b.Fatal(err)
	}
	e := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: plainHasher{}, Random: rand.Reader})
	cr, err := e.CreateCreator(ctx, "creator")
	if err != nil {
		b.Fatal(err)
	}
	club, err := e.CreateClub(ctx, cr.ID, "club", tieredPolicy)
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
	tx, err := db.BeginTx(ctx, true)
	if err != nil {
		b.Fatal(err)
	}
	now := clock.Now()
	for _, f := range fans[:members/2] {
		s, err := fanclub.NewSubscription(p.Paid, f, club.ID, "vip", fanclub.PlanAnnual, false, now.Add(-time.Hour), time.UTC)
		if err != nil {
			b.Fatal(err)
		}
		if err := tx.CreateSubscription(ctx, &s); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
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

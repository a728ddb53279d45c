package fanclub_test

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/sqlite"
)

// BenchmarkMembershipRead measures Engine.Membership on a SQLite file with
// lazy reads (ReadCheckInterval 1 s, as 'fanclub serve' sets it): the
// membership comes from memory, the tier from one prepared subscriptions
// read.
func BenchmarkMembershipRead(b *testing.B) {
	ctx := context.Background()
	clock := clock.NewManual(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{Now: clock.Now, ReadCheckInterval: time.Second})
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
	f, err := e.CreateFan(ctx, "fan_x", "password1")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.Join(ctx, f.ID, club.ID); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := e.Membership(ctx, f.ID, club.ID); err != nil {
			b.Fatal(err)
		}
	}
}

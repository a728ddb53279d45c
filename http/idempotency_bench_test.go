package http

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"fanclub"
	"fanclub/argon2id"
	"fanclub/policyfile"
	"fanclub/sqlite"
)

// BenchmarkInteractIdempotency measures one fan interaction through the
// handler: without a key, under a new key each time (a lookup, the action,
// a stored response), and a replay of a stored response.
func BenchmarkInteractIdempotency(b *testing.B) {
	for _, mode := range []string{"no-key", "new-key", "replay"} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = db.Close() })
			reg, err := policyfile.NewRegistry()
			if err != nil {
				b.Fatal(err)
			}
			eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: argon2id.New(argon2id.TestParams), Random: rand.Reader})
			cr, err := eng.CreateCreator(ctx, "bench_creator")
			if err != nil {
				b.Fatal(err)
			}
			club, err := eng.CreateClub(ctx, cr.ID, "Bench", "fair")
			if err != nil {
				b.Fatal(err)
			}
			fan, err := eng.CreateFan(ctx, "bench_fan", "bench-password")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := eng.Join(ctx, fan.ID, club.ID); err != nil {
				b.Fatal(err)
			}
			tok, err := eng.IssueToken(ctx, fanclub.RoleFan, fan.ID)
			if err != nil {
				b.Fatal(err)
			}
			h := NewServer(Config{Engine: eng, Policies: reg}).Handler()
			path := fmt.Sprintf("/v1/clubs/%d/interactions", club.ID)
			b.ResetTimer()
			for i := range b.N {
				req := httptest.NewRequest("POST", path, strings.NewReader(`{"action":"like"}`))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/json")
				switch mode {
				case "new-key":
					req.Header.Set(IdempotencyKeyHeader, fmt.Sprintf("bench-%d", i))
				case "replay":
					req.Header.Set(IdempotencyKeyHeader, "bench-replay")
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

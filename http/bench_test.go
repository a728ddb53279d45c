package http

import (
	"context"
	"crypto/rand"
	"fmt"
	nethttp "net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fanclub"
	"fanclub/argon2id"
	"fanclub/policyfile"
	"fanclub/sqlite"
)

// BenchmarkGetClub reads GET /v1/clubs/{club} (with its member count) as
// the club's creator, for a club of 20 and one of 20 000 members, and
// reports the median latency (p50-ns) beside the mean:
//
//	go test -run '^$' -bench BenchmarkGetClub -benchtime 20000x ./http/
//
// The two medians should stay within 2× of each other: the count is kept
// by the store, not counted per request.
func BenchmarkGetClub(b *testing.B) {
	for _, members := range []int{20, 20_000} {
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) {
			h, path, token := clubBenchServer(b, members)
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for b.Loop() {
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				t0 := time.Now()
				h.ServeHTTP(rec, req)
				lat = append(lat, time.Since(t0))
				if rec.Code != 200 {
					b.Fatalf("GET %s = %d: %s", path, rec.Code, rec.Body)
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
		})
	}
}

// clubBenchServer serves a store holding one club with members active
// members; it returns the handler, the club's path and its creator's token.
func clubBenchServer(b *testing.B, members int) (h interface {
	ServeHTTP(w nethttp.ResponseWriter, r *nethttp.Request)
}, path, token string) {
	b.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "club.db"), sqlite.Options{ReadCheckInterval: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	var club int64
	tx, err := db.BeginTx(ctx, true)
	if err != nil {
		b.Fatal(err)
	}
	cr := &fanclub.Creator{Handle: "bench_creator"}
	if err := tx.CreateCreator(ctx, cr); err != nil {
		b.Fatal(err)
	}
	c := &fanclub.Club{CreatorID: cr.ID, Name: "Bench", Policy: "fair"}
	if err := tx.CreateClub(ctx, c); err != nil {
		b.Fatal(err)
	}
	club = c.ID
	ms := make([]*fanclub.Membership, 0, members)
	for i := range members {
		f := &fanclub.Fan{Handle: fmt.Sprintf("fan_%d", i), PasswordHash: "x"}
		if err := tx.CreateFan(ctx, f); err != nil {
			b.Fatal(err)
		}
		ms = append(ms, &fanclub.Membership{FanID: f.ID, ClubID: club, Status: fanclub.StatusActive, JoinedAt: tx.Now(), LastInteractionAt: tx.Now()})
	}
	if err := tx.SaveMemberships(ctx, ms); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	reg, err := policyfile.NewRegistry()
	if err != nil {
		b.Fatal(err)
	}
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: argon2id.New(argon2id.TestParams), Random: rand.Reader})
	token, err = eng.IssueToken(ctx, fanclub.RoleCreator, cr.ID)
	if err != nil {
		b.Fatal(err)
	}
	al, _ := ParseAccessLog("off")
	srv := NewServer(Config{Engine: eng, Policies: reg, AccessLog: al, TokenCacheTTL: time.Second})
	return srv.Handler(), fmt.Sprintf("/v1/clubs/%d", club), token
}

package postgres_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"fanclub"
	"fanclub/policyfile"
	"fanclub/postgres"
	"fanclub/postgres/pgtest"
)

// TestIngestCapsAcrossProcesses sends many small batches for the same two
// fans at once, over two stores on one schema (two processes), each batch
// well within the daily caps but all of them far beyond: every batch
// commits (concurrent batches wait for each other's row locks instead of
// exhausting their retries), the points the accepted events earned stop
// exactly at each action's daily cap, and the memberships hold exactly
// the points the results report.
func TestIngestCapsAcrossProcesses(t *testing.T) {
	t.Parallel()
	dsn, schema := pgtest.Schema(t)
	ctx := context.Background()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	var engines []*fanclub.Engine
	for range 2 {
		db, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema, MaxConns: 4})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		engines = append(engines, fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg,
			Passwords: plainHasher{}, Random: rand.Reader}))
	}
	e := engines[0]
	cr, err := e.CreateCreator(ctx, "creator")
	if err != nil {
		t.Fatal(err)
	}
	club, err := e.CreateClub(ctx, cr.ID, "club", "fair") // like: 1 point, cap 30; comment: 5, cap 50
	if err != nil {
		t.Fatal(err)
	}
	var fans []int64
	for i := range 2 {
		f, err := e.CreateFan(ctx, fmt.Sprint("fan", i), "password1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Join(ctx, f.ID, club.ID); err != nil {
			t.Fatal(err)
		}
		fans = append(fans, f.ID)
	}
	// Every event carries one time, so all of them count against one
	// day's caps even when the test runs across midnight in the policy's
	// time zone.
	at := time.Now()
	const workers, batches = 8, 6
	type key struct {
		fan    int64
		action fanclub.Action
	}
	var (
		mu     sync.Mutex
		earned = map[key]int64{}
		byFan  = map[int64]int64{}
	)
	errs := make(chan error, workers*batches)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for n := range batches {
				b := fanclub.Batch{Producer: fmt.Sprint("w", w), Seq: int64(n + 1)}
				for i := range 4 {
					// Half the workers list the fans in the other order.
					fan := fans[(i+w)%2]
					action := fanclub.ActionLike
					if i >= 2 {
						action = fanclub.ActionComment
					}
					b.Events = append(b.Events, fanclub.EventInput{ID: fmt.Sprintf("w%d-%d-%d", w, n, i), FanID: fan,
						ClubID: club.ID, Action: action, Amount: 3, At: &at})
				}
				r, err := engines[w%2].Ingest(ctx, b)
				if err != nil {
					errs <- err
					continue
				}
				mu.Lock()
				for i, er := range r.Results {
					if er.Status != fanclub.EventAccepted {
						errs <- fmt.Errorf("event %s: %s %s", er.ID, er.Status, er.Code)
					}
					ev := b.Events[i]
					earned[key{ev.FanID, ev.Action}] += er.Points
					byFan[ev.FanID] += er.Points
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Ingest: %v", err)
	}
	for _, f := range fans {
		for action, cap := range map[fanclub.Action]int64{fanclub.ActionLike: 30, fanclub.ActionComment: 50} {
			if got := earned[key{f, action}]; got != cap {
				t.Errorf("fan %d earned %d points for %s, want the daily cap %d", f, got, action, cap)
			}
		}
		m, err := engines[1].Membership(ctx, f, club.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.LevelPoints != byFan[f] {
			t.Errorf("fan %d has %d level points, the results report %d", f, m.LevelPoints, byFan[f])
		}
	}
}

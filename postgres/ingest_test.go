package postgres_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"fanclub"
	"fanclub/policyfile"
	"fanclub/postgres"
	"fanclub/postgres/pgtest"
)

// plainHasher is a fast password hasher for tests.
type plainHasher struct{}

func (plainHasher) Hash(pw string) (string, error) { return "plain:" + pw, nil }
func (plainHasher) Verify(enc, pw string) (bool, error) {
	return enc == "plain:"+pw, nil
}

// TestIngestExactlyOnceAcrossProcesses ingests batches from goroutines
// over two stores (two pools, as two processes would have) on one schema:
// the same (producer, seq) sent again and again, and batches sharing event
// ids. Every retry of a batch gets the one stored result, every event id
// is accepted once, and the points the memberships gained are exactly the
// points of the accepted events: nothing is counted twice or lost.
func TestIngestExactlyOnceAcrossProcesses(t *testing.T) {
	t.Parallel()
	dsn, schema := pgtest.Schema(t)
	ctx := context.Background()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	var engines []*fanclub.Engine
	var stores []*postgres.DB
	for range 2 {
		db, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema, MaxConns: 4})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		stores = append(stores, db)
		engines = append(engines, fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg,
			Passwords: plainHasher{}, Random: rand.Reader}))
	}
	e := engines[0]
	cr, err := e.CreateCreator(ctx, "creator")
	if err != nil {
		t.Fatal(err)
	}
	club, err := e.CreateClub(ctx, cr.ID, "club", "fair")
	if err != nil {
		t.Fatal(err)
	}
	var fans []int64
	for i := range 3 {
		f, err := e.CreateFan(ctx, fmt.Sprint("fan", i), "password1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Join(ctx, f.ID, club.ID); err != nil {
			t.Fatal(err)
		}
		fans = append(fans, f.ID)
	}
	fanOf := map[string]int64{}
	event := func(id string, n int) fanclub.EventInput {
		fan := fans[n%len(fans)]
		fanOf[id] = fan
		return fanclub.EventInput{ID: id, FanID: fan, ClubID: club.ID, Action: fanclub.ActionLike, Amount: 1}
	}
	same := fanclub.Batch{Producer: "p", Seq: 1}
	for i := range 10 {
		same.Events = append(same.Events, event(fmt.Sprint("p-", i), i))
	}
	const copies = 4
	var overlapping []fanclub.Batch
	for s := range copies {
		b := fanclub.Batch{Producer: "q", Seq: int64(s + 1)}
		for i := range 5 {
			b.Events = append(b.Events, event(fmt.Sprint("shared-", i), i))
		}
		for i := range 3 {
			b.Events = append(b.Events, event(fmt.Sprintf("q-%d-%d", s, i), s+i))
		}
		overlapping = append(overlapping, b)
	}
	sameResults := make([]*fanclub.BatchResult, copies)
	overResults := make([]*fanclub.BatchResult, copies)
	errs := make(chan error, 2*copies)
	var wg sync.WaitGroup
	for i := range copies {
		wg.Go(func() {
			r, err := engines[i%2].Ingest(ctx, same)
			sameResults[i] = r
			errs <- err
		})
		wg.Go(func() {
			r, err := engines[(i+1)%2].Ingest(ctx, overlapping[i])
			overResults[i] = r
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Ingest: %v", err)
		}
	}
	for i, r := range sameResults[1:] {
		if !reflect.DeepEqual(r, sameResults[0]) {
			t.Fatalf("retry %d of batch p/1 got %+v, the first %+v", i+1, r, sameResults[0])
		}
	}
	accepted := map[string]int{}
	gained := map[int64]int64{}
	for _, r := range append([]*fanclub.BatchResult{sameResults[0]}, overResults...) {
		for _, er := range r.Results {
			if er.Status == "accepted" {
				accepted[er.ID]++
				gained[fanOf[er.ID]] += er.Points
			}
		}
	}
	if len(accepted) != len(fanOf) {
		t.Fatalf("%d event ids accepted, want all %d", len(accepted), len(fanOf))
	}
	for id, n := range accepted {
		if n != 1 {
			t.Fatalf("event %s accepted %d times", id, n)
		}
	}
	stored := 0
	for _, f := range fans {
		m, err := e.Membership(ctx, f, club.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.LevelPoints != gained[f] {
			t.Errorf("fan %d has %d level points, the accepted events earned %d", f, m.LevelPoints, gained[f])
		}
		tx, err := stores[1].BeginTx(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := tx.ListEvents(ctx, f, club.ID)
		tx.Rollback()
		if err != nil {
			t.Fatal(err)
		}
		stored += len(evs)
	}
	if stored != len(fanOf) {
		t.Fatalf("%d events stored, want %d", stored, len(fanOf))
	}
}

// Package streamtest is the workload the stream consumers' tests share:
// a club with members, batch message bodies of gift events, and a check
// that every event counted exactly once. A new stream.Source (Kafka)
// reuses it.
package streamtest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"testing"

	"fanclub"
	"fanclub/argon2id"
	"fanclub/policyfile"
	"fanclub/sqlite"
)

// GiftPoints is what one coin of gift value earns in the fair policy the
// fixture's club runs (no daily cap).
const GiftPoints = 10

// Fixture is a club and its member fans.
type Fixture struct {
	ClubID int64
	FanIDs []int64
}

// NewEngine returns an engine over a SQLite store at path (created and
// migrated), with the built-in policies and cheap password hashing.
func NewEngine(ctx context.Context, path string) (*fanclub.Engine, *sqlite.DB, error) {
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, nil, err
	}
	reg, err := policyfile.NewRegistry()
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: argon2id.New(argon2id.TestParams), Random: rand.Reader})
	return eng, db, nil
}

// Setup creates a creator, a club on the fair policy and fans members of
// it.
func Setup(ctx context.Context, eng *fanclub.Engine, fans int) (*Fixture, error) {
	cr, err := eng.CreateCreator(ctx, "streamer")
	if err != nil {
		return nil, fmt.Errorf("create creator: %w", err)
	}
	club, err := eng.CreateClub(ctx, cr.ID, "stream club", "fair")
	if err != nil {
		return nil, fmt.Errorf("create club: %w", err)
	}
	f := &Fixture{ClubID: club.ID}
	for i := range fans {
		fan, err := eng.CreateFan(ctx, fmt.Sprintf("fan%d", i), "correct horse battery")
		if err != nil {
			return nil, fmt.Errorf("create fan: %w", err)
		}
		if _, err := eng.Join(ctx, fan.ID, club.ID); err != nil {
			return nil, fmt.Errorf("join: %w", err)
		}
		f.FanIDs = append(f.FanIDs, fan.ID)
	}
	return f, nil
}

// Workload is a list of batch message bodies and the points each fan
// should have once every event counted once.
type Workload struct {
	// Bodies are the message bodies, Batches their events.
	Bodies  [][]byte
	Batches [][]fanclub.EventInput
	// Events are every batch's events, in order.
	Events []fanclub.EventInput
	// Points are each fan's level points once every event counted.
	Points map[int64]int64
}

// Gifts returns n batches of per gift events each, spread over the
// fixture's fans, with event ids under prefix and amounts that vary, so a
// batch counted twice or lost changes a fan's points.
func (f *Fixture) Gifts(prefix string, n, per int) *Workload {
	w := &Workload{Points: map[int64]int64{}}
	for b := range n {
		var events []fanclub.EventInput
		for e := range per {
			k := b*per + e
			ev := fanclub.EventInput{ID: fmt.Sprintf("%s-%d-%d", prefix, b, e), FanID: f.FanIDs[k%len(f.FanIDs)], ClubID: f.ClubID,
				Action: fanclub.ActionGift, Amount: int64(1 + k%7)}
			events = append(events, ev)
			w.Points[ev.FanID] += GiftPoints * ev.Amount
		}
		body, err := json.Marshal(map[string]any{"events": events})
		if err != nil {
			panic(err)
		}
		w.Bodies = append(w.Bodies, body)
		w.Batches = append(w.Batches, events)
		w.Events = append(w.Events, events...)
	}
	return w
}

// Check fails t unless every event of w counted exactly once: each fan's
// level points are the workload's sum, and ingesting every event again
// (without a producer) finds each one stored already.
func (f *Fixture) Check(ctx context.Context, t testing.TB, eng *fanclub.Engine, w *Workload) {
	t.Helper()
	for _, fan := range f.FanIDs {
		m, err := eng.Membership(ctx, fan, f.ClubID)
		if err != nil {
			t.Fatalf("membership of fan %d: %v", fan, err)
		}
		if m.LevelPoints != w.Points[fan] {
			t.Errorf("fan %d has %d level points, want %d (each event once)", fan, m.LevelPoints, w.Points[fan])
		}
	}
	for start := 0; start < len(w.Events); start += fanclub.MaxBatchEvents {
		end := min(start+fanclub.MaxBatchEvents, len(w.Events))
		res, err := eng.Ingest(ctx, fanclub.Batch{Events: w.Events[start:end]})
		if err != nil {
			t.Fatalf("re-ingest: %v", err)
		}
		if res.Duplicates != end-start {
			t.Errorf("re-ingesting %d events found %d stored (accepted %d, rejected %d): every event should have been stored once",
				end-start, res.Duplicates, res.Accepted, res.Rejected)
		}
	}
}

// CheckKeyed fails t unless message i of w (sequence firstSeq+i) was
// ingested under (producer, its sequence) and accepted every event the
// first time: the batch result stored under the key, which a retry of
// the same batch returns without changing anything.
func (w *Workload) CheckKeyed(ctx context.Context, t testing.TB, eng *fanclub.Engine, producer string, firstSeq int64) {
	t.Helper()
	for i, events := range w.Batches {
		seq := firstSeq + int64(i)
		res, err := eng.Ingest(ctx, fanclub.Batch{Producer: producer, Seq: seq, Events: events})
		if err != nil {
			t.Fatalf("retry of batch %s/%d: %v", producer, seq, err)
		}
		if res.Accepted != len(events) {
			t.Errorf("batch %s/%d: stored result accepted %d of %d events (duplicates %d, rejected %d)",
				producer, seq, res.Accepted, len(events), res.Duplicates, res.Rejected)
		}
	}
}

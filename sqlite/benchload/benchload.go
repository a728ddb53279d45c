// Package benchload generates the ingest benchmark's workload: fans spread
// over clubs by Zipf popularity, each a member of one club, and batches of
// interaction events spread over one day. The same seed always gives the
// same workload, so the go benchmark and 'fanclub bench ingest' measure
// the same thing.
package benchload

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"fanclub"
)

// PolicyName is the policy every benchmark club runs.
const PolicyName = "bench"

// Config describes a workload.
type Config struct {
	Fans      int
	Clubs     int
	Events    int
	BatchSize int
	// ZipfS is the Zipf exponent of club popularity (> 1).
	ZipfS float64
	Seed  uint64
	// Day is the start of the day the events are spread over.
	Day time.Time
}

// DefaultConfig is the reference workload: 100 000 fans over 1 000 clubs,
// Zipf s=1.1, batches of 1 000 events.
func DefaultConfig() Config {
	return Config{
		Fans: 100_000, Clubs: 1_000, Events: 200_000, BatchSize: 1_000,
		ZipfS: 1.1, Seed: 20260301,
		Day: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
	}
}

// Workload is a generated workload.
type Workload struct {
	Config
	// ClubOf is each fan's club: ClubOf[i] is the club of fan i+1.
	ClubOf []int64
	// Batches are the event batches, each with a producer and seq.
	Batches []fanclub.Batch
}

// Generate builds the workload of c. Event ids are unique; actions are
// 70 % like, 20 % watch_minutes, 8 % comment, 2 % share.
func Generate(c Config) *Workload {
	rng := rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))
	zipf := rand.NewZipf(rng, c.ZipfS, 1, uint64(c.Clubs-1))
	w := &Workload{Config: c, ClubOf: make([]int64, c.Fans)}
	for i := range w.ClubOf {
		w.ClubOf[i] = int64(zipf.Uint64()) + 1
	}
	step := 24 * time.Hour / time.Duration(max(c.Events, 1))
	events := make([]fanclub.EventInput, c.Events)
	ats := make([]time.Time, c.Events)
	for i := range events {
		fan := rng.IntN(c.Fans) + 1
		ev := fanclub.EventInput{ID: fmt.Sprintf("ev-%d-%08d", c.Seed, i), FanID: int64(fan), ClubID: w.ClubOf[fan-1], Amount: 1}
		switch r := rng.IntN(100); {
		case r < 70:
			ev.Action = fanclub.ActionLike
		case r < 90:
			ev.Action = fanclub.ActionWatchMinutes
			ev.Amount = int64(1 + rng.IntN(30))
		case r < 98:
			ev.Action = fanclub.ActionComment
		default:
			ev.Action = fanclub.ActionShare
		}
		ats[i] = c.Day.Add(time.Duration(i) * step)
		ev.At = &ats[i]
		events[i] = ev
	}
	for i, seq := 0, int64(1); i < len(events); i, seq = i+c.BatchSize, seq+1 {
		end := min(i+c.BatchSize, len(events))
		w.Batches = append(w.Batches, fanclub.Batch{Producer: "bench", Seq: seq, Events: events[i:end:end]})
	}
	return w
}

// End is a time after every event of the workload, for the store's clock.
func (w *Workload) End() time.Time { return w.Day.Add(24 * time.Hour) }

// Events returns the events of a batch as stored in the behaviour log.
func Events(b fanclub.Batch) []fanclub.Event {
	out := make([]fanclub.Event, len(b.Events))
	for i, e := range b.Events {
		out[i] = fanclub.Event{ID: e.ID, FanID: e.FanID, ClubID: e.ClubID, Action: e.Action, Amount: e.Amount, At: *e.At}
	}
	return out
}

// Seed stores the workload's creator, clubs, fans and active memberships
// (joined the day before), in one transaction.
func (w *Workload) Seed(ctx context.Context, s fanclub.Store) error {
	tx, err := s.BeginTx(ctx, true)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	cr := &fanclub.Creator{Handle: "bench-creator"}
	if err := tx.CreateCreator(ctx, cr); err != nil {
		return err
	}
	for i := range w.Clubs {
		cl := &fanclub.Club{ID: int64(i + 1), CreatorID: cr.ID, Name: fmt.Sprintf("club-%d", i+1), Policy: PolicyName}
		if err := tx.CreateClub(ctx, cl); err != nil {
			return err
		}
	}
	joined := w.Day.Add(-24 * time.Hour)
	ms := make([]*fanclub.Membership, 0, 1000)
	for i := range w.Fans {
		f := &fanclub.Fan{ID: int64(i + 1), Handle: fmt.Sprintf("fan-%d", i+1), PasswordHash: "-"}
		if err := tx.CreateFan(ctx, f); err != nil {
			return err
		}
		ms = append(ms, &fanclub.Membership{FanID: f.ID, ClubID: w.ClubOf[i], Status: fanclub.StatusActive,
			Level: 1, JoinedAt: joined, LastInteractionAt: joined, Version: 1})
		if len(ms) == cap(ms) || i == w.Fans-1 {
			if err := tx.SaveMemberships(ctx, ms); err != nil {
				return err
			}
			ms = ms[:0]
		}
	}
	return tx.Commit()
}

// Policies serves the one policy benchmark clubs run: the presets'
// engagement table (points per action, daily caps, levels) in
// Asia/Shanghai. Ingest reads nothing else of a policy.
type Policies struct{ p *fanclub.Policy }

// NewPolicies returns the benchmark's policy source.
func NewPolicies() *Policies {
	p := &fanclub.Policy{APIVersion: fanclub.PolicyAPIVersion, Kind: fanclub.PolicyKind}
	p.Metadata.Name = PolicyName
	p.Metadata.TimeZone = "Asia/Shanghai"
	p.Engagement = fanclub.Engagement{
		Actions: []fanclub.ActionRule{
			{Action: fanclub.ActionWatchMinutes, Points: 1, DailyCap: 60},
			{Action: fanclub.ActionLike, Points: 1, DailyCap: 30},
			{Action: fanclub.ActionComment, Points: 5, DailyCap: 50},
			{Action: fanclub.ActionShare, Points: 10, DailyCap: 50},
			{Action: fanclub.ActionGift, Points: 10},
		},
		Levels:    []int64{0, 100, 300, 600, 1000, 1500, 2200, 3000, 4000, 5500, 7500, 10000, 13000, 17000, 22000, 28000, 36000, 46000, 60000, 80000},
		LitWindow: fanclub.Days(7),
	}
	return &Policies{p: p}
}

// Policy returns the benchmark policy; other names are not found.
func (ps *Policies) Policy(name string) (*fanclub.Policy, error) {
	if name != PolicyName {
		return nil, fanclub.Errorf(fanclub.ENOTFOUND, "Policy %q not found.", name)
	}
	return ps.p, nil
}

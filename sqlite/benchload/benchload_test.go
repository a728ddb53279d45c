package benchload

import (
	"reflect"
	"testing"

	"fanclub"
)

// smallConfig is a quick workload with the reference shape.
func smallConfig() Config {
	c := DefaultConfig()
	c.Fans, c.Clubs, c.Events, c.BatchSize = 5_000, 100, 20_000, 1_000
	return c
}

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := Generate(smallConfig()), Generate(smallConfig())
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two workloads from the same config differ")
	}
	c := smallConfig()
	c.Seed++
	if reflect.DeepEqual(a.ClubOf, Generate(c).ClubOf) {
		t.Fatal("another seed gave the same club assignment")
	}
}

func TestGenerateShape(t *testing.T) {
	t.Parallel()
	c := smallConfig()
	w := Generate(c)
	if len(w.Batches) != c.Events/c.BatchSize {
		t.Fatalf("%d batches, want %d", len(w.Batches), c.Events/c.BatchSize)
	}
	ids := map[string]bool{}
	actions := map[fanclub.Action]int{}
	for i, b := range w.Batches {
		if b.Producer == "" || b.Seq != int64(i+1) || len(b.Events) != c.BatchSize {
			t.Fatalf("batch %d: producer %q seq %d with %d events", i, b.Producer, b.Seq, len(b.Events))
		}
		for _, e := range b.Events {
			if ids[e.ID] {
				t.Fatalf("event id %s repeated", e.ID)
			}
			ids[e.ID] = true
			if e.ClubID != w.ClubOf[e.FanID-1] {
				t.Fatalf("event %s: fan %d is in club %d, event says %d", e.ID, e.FanID, w.ClubOf[e.FanID-1], e.ClubID)
			}
			if e.At.Before(c.Day) || !e.At.Before(w.End()) {
				t.Fatalf("event %s at %v, outside the day", e.ID, e.At)
			}
			actions[e.Action]++
		}
	}
	for action, pct := range map[fanclub.Action]float64{
		fanclub.ActionLike: 70, fanclub.ActionWatchMinutes: 20, fanclub.ActionComment: 8, fanclub.ActionShare: 2,
	} {
		got := 100 * float64(actions[action]) / float64(c.Events)
		if got < pct*0.85 || got > pct*1.15 {
			t.Errorf("%s: %.1f%% of events, want about %.0f%%", action, got, pct)
		}
	}
	members := make([]int, c.Clubs+1)
	for _, club := range w.ClubOf {
		if club < 1 || club > int64(c.Clubs) {
			t.Fatalf("club %d out of range", club)
		}
		members[club]++
	}
	// Zipf: the first club is the most popular, far above the median.
	for club := 2; club <= c.Clubs; club++ {
		if members[club] > members[1] {
			t.Fatalf("club %d has %d members, more than club 1's %d", club, members[club], members[1])
		}
	}
	if members[1] < 10*members[c.Clubs/2] {
		t.Fatalf("club 1 has %d members, club %d %d: not Zipf-skewed", members[1], c.Clubs/2, members[c.Clubs/2])
	}
}

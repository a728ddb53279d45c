package stream_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"fanclub"
	"fanclub/sqlite"
	"fanclub/stream"
	"fanclub/stream/streamtest"
)

// memSource is an in-memory stream: a queue of deliveries, redelivering
// what is nakked or whose ack fails, recording every outcome.
type memSource struct {
	mu       sync.Mutex
	producer string
	queue    []*memMsg
	outcomes map[int64][]string // seq → "ack", "ack-lost", "nak", "term"
	failAcks map[int64]int      // seq → acks still to lose
	// onEmpty runs when a fetch finds the queue empty (it ends the run).
	onEmpty func()
}

type memMsg struct {
	src  *memSource
	seq  int64
	data []byte
}

func newMemSource(bodies [][]byte, onEmpty func()) *memSource {
	s := &memSource{producer: "mem:test", outcomes: map[int64][]string{}, failAcks: map[int64]int{}, onEmpty: onEmpty}
	for i, b := range bodies {
		s.queue = append(s.queue, &memMsg{src: s, seq: int64(i + 1), data: b})
	}
	return s
}

func (s *memSource) Fetch(ctx context.Context, max int) ([]stream.Message, error) {
	s.mu.Lock()
	if len(s.queue) == 0 {
		s.mu.Unlock()
		s.onEmpty()
		return nil, ctx.Err()
	}
	n := min(max, len(s.queue))
	var out []stream.Message
	for _, m := range s.queue[:n] {
		out = append(out, m)
	}
	s.queue = s.queue[n:]
	s.mu.Unlock()
	return out, nil
}

func (s *memSource) record(m *memMsg, outcome string, redeliver bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outcomes[m.seq] = append(s.outcomes[m.seq], outcome)
	if redeliver {
		s.queue = append(s.queue, m)
	}
}

func (m *memMsg) Data() []byte         { return m.data }
func (m *memMsg) Key() (string, int64) { return m.src.producer, m.seq }

func (m *memMsg) Ack(context.Context) error {
	m.src.mu.Lock()
	lose := m.src.failAcks[m.seq] > 0
	if lose {
		m.src.failAcks[m.seq]--
	}
	m.src.mu.Unlock()
	if lose {
		// As if the process died after the commit: the ack never reached
		// the stream, which delivers the message again.
		m.src.record(m, "ack-lost", true)
		return errors.New("connection lost")
	}
	m.src.record(m, "ack", false)
	return nil
}

func (m *memMsg) Nak(context.Context, time.Duration) error {
	m.src.record(m, "nak", true)
	return nil
}

func (m *memMsg) Term(context.Context, string) error {
	m.src.record(m, "term", false)
	return nil
}

// setup returns an engine on a fresh SQLite file with a club of fans.
func setup(t *testing.T) (*fanclub.Engine, *sqlite.DB, *streamtest.Fixture) {
	t.Helper()
	ctx := context.Background()
	eng, db, err := streamtest.NewEngine(ctx, filepath.Join(t.TempDir(), "fanclub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	fix, err := streamtest.Setup(ctx, eng, 5)
	if err != nil {
		t.Fatal(err)
	}
	return eng, db, fix
}

// run runs stream.Run over src until the source is drained.
func run(t *testing.T, src func(onEmpty func()) *memSource, ing stream.Ingester) *memSource {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := src(cancel)
	if err := stream.Run(ctx, s, ing, stream.Config{FetchSize: 4}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRunIngestsEveryBatchOnceUnderItsKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		failAcks map[int64]int
	}{
		{"every ack arrives", nil},
		// A lost ack is a consumer killed after the commit: the message
		// comes again and must not count twice.
		{"acks lost after the commit", map[int64]int{1: 1, 5: 2, 12: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			eng, _, fix := setup(t)
			w := fix.Gifts("b", 12, 7)
			src := run(t, func(onEmpty func()) *memSource {
				s := newMemSource(w.Bodies, onEmpty)
				for seq, n := range tc.failAcks {
					s.failAcks[seq] = n
				}
				return s
			}, eng)
			for seq := int64(1); seq <= 12; seq++ {
				got := src.outcomes[seq]
				want := append(slices.Repeat([]string{"ack-lost"}, tc.failAcks[seq]), "ack")
				if !slices.Equal(got, want) {
					t.Errorf("message %d: outcomes %v, want %v", seq, got, want)
				}
			}
			ctx := context.Background()
			w.CheckKeyed(ctx, t, eng, "mem:test", 1)
			fix.Check(ctx, t, eng, w)
			// Each message was ingested as a batch under the stream's key:
			// its (producer, seq) is taken.
			_, err := eng.Ingest(ctx, fanclub.Batch{Producer: "mem:test", Seq: 3, Events: []fanclub.EventInput{
				{ID: "other", FanID: fix.FanIDs[0], ClubID: fix.ClubID, Action: fanclub.ActionLike}}})
			if fanclub.ErrorCode(err) != fanclub.ECONFLICT {
				t.Errorf("another batch under the key of message 3: %v, want a conflict", err)
			}
		})
	}
}

func TestRunTerminatesMessagesThatCanNeverBeIngested(t *testing.T) {
	t.Parallel()
	eng, _, fix := setup(t)
	good := fix.Gifts("good", 2, 3)
	ev := func(extra string) []byte {
		return fmt.Appendf(nil, `{"events":[{"id":"p1","fan_id":%d,"club_id":%d,"action":"gift","amount":2%s}]}`, fix.FanIDs[0], fix.ClubID, extra)
	}
	bodies := [][]byte{
		good.Bodies[0],
		[]byte(`{"events":[`), // malformed
		[]byte(`{"producer":"p","seq":1,"events":[]}`), // the stream gives the key
		ev(`,"colour":"red"`),                          // unknown member
		fmt.Appendf(nil, `{"events":[{"id":"p2","fan_id":%d,"club_id":%d,"action":"dance"}]}`, fix.FanIDs[0], fix.ClubID), // invalid action
		fmt.Appendf(nil, `{"events":[{"id":"p3","fan_id":%d,"club_id":%d,"action":"gift","amount":-1}]}`, fix.FanIDs[0], fix.ClubID),
		good.Bodies[1],
	}
	src := run(t, func(onEmpty func()) *memSource { return newMemSource(bodies, onEmpty) }, eng)
	for seq := int64(1); seq <= int64(len(bodies)); seq++ {
		want := []string{"term"}
		if seq == 1 || seq == int64(len(bodies)) {
			want = []string{"ack"}
		}
		if got := src.outcomes[seq]; !slices.Equal(got, want) {
			t.Errorf("message %d (%s): outcomes %v, want %v", seq, bodies[seq-1], got, want)
		}
	}
	fix.Check(context.Background(), t, eng, good)
}

// flaky fails the first ingest of each batch key with an error that is not
// the message's fault, as an unavailable store does.
type flaky struct {
	stream.Ingester
	mu     sync.Mutex
	failed map[int64]bool
}

func (f *flaky) Ingest(ctx context.Context, b fanclub.Batch) (*fanclub.BatchResult, error) {
	f.mu.Lock()
	first := !f.failed[b.Seq]
	f.failed[b.Seq] = true
	f.mu.Unlock()
	if first {
		return nil, fmt.Errorf("begin transaction: %w", context.DeadlineExceeded)
	}
	return f.Ingester.Ingest(ctx, b)
}

func TestRunNaksPassingFailuresAndIngestsOnRedelivery(t *testing.T) {
	t.Parallel()
	eng, _, fix := setup(t)
	w := fix.Gifts("n", 5, 4)
	src := run(t, func(onEmpty func()) *memSource { return newMemSource(w.Bodies, onEmpty) }, &flaky{Ingester: eng, failed: map[int64]bool{}})
	for seq := int64(1); seq <= 5; seq++ {
		if got, want := src.outcomes[seq], []string{"nak", "ack"}; !slices.Equal(got, want) {
			t.Errorf("message %d: outcomes %v, want %v", seq, got, want)
		}
	}
	fix.Check(context.Background(), t, eng, w)
}

// stopping cancels the run's context when its first batch is being
// ingested, as SIGTERM arriving mid-batch does.
type stopping struct {
	stream.Ingester
	stop func()
	once sync.Once
}

func (s *stopping) Ingest(ctx context.Context, b fanclub.Batch) (*fanclub.BatchResult, error) {
	s.once.Do(s.stop)
	return s.Ingester.Ingest(ctx, b)
}

func TestRunOnShutdownFinishesTheBatchInFlightAndHandsBackTheRest(t *testing.T) {
	t.Parallel()
	eng, _, fix := setup(t)
	w := fix.Gifts("s", 3, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := newMemSource(w.Bodies, cancel)
	if err := stream.Run(ctx, src, &stopping{Ingester: eng, stop: cancel}, stream.Config{FetchSize: 3}); err != nil {
		t.Fatal(err)
	}
	want := map[int64][]string{1: {"ack"}, 2: {"nak"}, 3: {"nak"}}
	for seq, w := range want {
		if got := src.outcomes[seq]; !slices.Equal(got, w) {
			t.Errorf("message %d: outcomes %v, want %v", seq, got, w)
		}
	}
	m, err := eng.Membership(context.Background(), fix.FanIDs[0], fix.ClubID)
	if err != nil {
		t.Fatal(err)
	}
	// Batch 1 gave fan 0 its first event (amount 1): 10 points.
	if m.LevelPoints != streamtest.GiftPoints {
		t.Errorf("fan 0 has %d points after the batch in flight, want %d", m.LevelPoints, streamtest.GiftPoints)
	}
}

// cancelAfterFetch is a source whose context ends just as a fetch
// returns its messages.
type cancelAfterFetch struct {
	*memSource
	cancel func()
}

func (s cancelAfterFetch) Fetch(ctx context.Context, max int) ([]stream.Message, error) {
	msgs, err := s.memSource.Fetch(ctx, max)
	s.cancel()
	return msgs, err
}

// TestRunHandsBackWhatItFetchedAsItStops checks that messages a fetch
// returned as the context ended are handed back at once (nak), not left
// to wait for their ack deadline.
func TestRunHandsBackWhatItFetchedAsItStops(t *testing.T) {
	t.Parallel()
	eng, _, fix := setup(t)
	w := fix.Gifts("s", 2, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := cancelAfterFetch{memSource: newMemSource(w.Bodies, cancel), cancel: cancel}
	if err := stream.Run(ctx, src, eng, stream.Config{FetchSize: 2}); err != nil {
		t.Fatal(err)
	}
	for seq := int64(1); seq <= 2; seq++ {
		if got := src.outcomes[seq]; !slices.Equal(got, []string{"nak"}) {
			t.Errorf("message %d: outcomes %v, want [nak]", seq, got)
		}
	}
}

package natsingest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fanclub"
	"fanclub/natsingest"
	"fanclub/natsingest/natstest"
	"fanclub/stream"
	"fanclub/stream/streamtest"
)

// outcomes records what each consumer did with each stream sequence.
type outcomes struct {
	mu   sync.Mutex
	by   map[string]map[int64][]string // consumer → seq → outcomes
	done map[int64]bool                // seqs acked or terminated
}

func newOutcomes() *outcomes {
	return &outcomes{by: map[string]map[int64][]string{}, done: map[int64]bool{}}
}

// handled returns a stream.Config.Handled for consumer name.
func (o *outcomes) handled(name string) func(string, string, int64) {
	return func(outcome, _ string, seq int64) {
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.by[name] == nil {
			o.by[name] = map[int64][]string{}
		}
		o.by[name][seq] = append(o.by[name][seq], outcome)
		if outcome != stream.OutcomeNakked {
			o.done[seq] = true
		}
	}
}

// finished reports whether n sequences are acked or terminated.
func (o *outcomes) finished(n int) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.done) == n
}

// setup returns an engine on a fresh SQLite file with a club of fans.
func setup(t *testing.T) (*fanclub.Engine, *streamtest.Fixture) {
	t.Helper()
	ctx := context.Background()
	eng, db, err := streamtest.NewEngine(ctx, filepath.Join(t.TempDir(), "fanclub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	fix, err := streamtest.Setup(ctx, eng, 6)
	if err != nil {
		t.Fatal(err)
	}
	return eng, fix
}

// consume runs consumers (named) on one durable until n messages are
// acked or terminated, and returns what each did.
func consume(t *testing.T, srv *natstest.Server, name, durable string, eng *fanclub.Engine, n int, consumers ...string) *outcomes {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	o := newOutcomes()
	// Every consumer is open before any runs, so none drains the stream
	// before another has joined the durable.
	srcs := make([]*natsingest.Source, len(consumers))
	for i := range consumers {
		src, err := natsingest.Open(ctx, natsingest.Config{URL: srv.URL, Stream: name, Durable: durable, MaxAckPending: 16, FetchWait: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		srcs[i] = src
	}
	var wg sync.WaitGroup
	for i, c := range consumers {
		src := srcs[i]
		wg.Go(func() {
			defer func() { _ = src.Close() }()
			if err := stream.Run(ctx, src, eng, stream.Config{FetchSize: 4, Handled: o.handled(c)}); err != nil {
				t.Error(err)
			}
		})
	}
	for !o.finished(n) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	if ctx.Err() != nil {
		t.Errorf("consumers did not finish %d messages: %+v", n, o.by)
	}
	cancel()
	wg.Wait()
	return o
}

func TestConsumeCountsEveryEventOnce(t *testing.T) {
	t.Parallel()
	srv := natstest.Connect(t)
	name, subject := srv.NewStream(t)
	eng, fix := setup(t)
	w := fix.Gifts("a", 40, 9)
	srv.Publish(t, subject, w.Bodies...)
	o := consume(t, srv, name, "ingest", eng, len(w.Bodies), "one")
	for seq := int64(1); seq <= int64(len(w.Bodies)); seq++ {
		if got := o.by["one"][seq]; len(got) != 1 || got[0] != stream.OutcomeAcked {
			t.Errorf("message %d: %v, want acked once", seq, got)
		}
	}
	srv.WaitDrained(t, name, "ingest", uint64(len(w.Bodies)), 30*time.Second)
	w.CheckKeyed(context.Background(), t, eng, natsingest.ProducerPrefix+name, 1)
	fix.Check(context.Background(), t, eng, w)
	// The batches went in under the stream's key.
	_, err := eng.Ingest(context.Background(), fanclub.Batch{Producer: natsingest.ProducerPrefix + name, Seq: 7,
		Events: []fanclub.EventInput{{ID: "other", FanID: fix.FanIDs[0], ClubID: fix.ClubID, Action: fanclub.ActionLike}}})
	if fanclub.ErrorCode(err) != fanclub.ECONFLICT {
		t.Errorf("another batch under the key of message 7: %v, want a conflict", err)
	}
}

func TestConsumersOfOneDurableShareTheWork(t *testing.T) {
	t.Parallel()
	srv := natstest.Connect(t)
	name, subject := srv.NewStream(t)
	eng, fix := setup(t)
	w := fix.Gifts("c", 200, 5)
	srv.Publish(t, subject, w.Bodies...)
	o := consume(t, srv, name, "shared", eng, len(w.Bodies), "left", "right")
	for seq := int64(1); seq <= int64(len(w.Bodies)); seq++ {
		acks := 0
		for _, c := range []string{"left", "right"} {
			for _, out := range o.by[c][seq] {
				if out == stream.OutcomeAcked {
					acks++
				}
			}
		}
		if acks != 1 {
			t.Errorf("message %d acked %d times: left %v, right %v", seq, acks, o.by["left"][seq], o.by["right"][seq])
		}
	}
	if len(o.by["left"]) == 0 || len(o.by["right"]) == 0 {
		t.Errorf("one consumer did all the work: left %d messages, right %d", len(o.by["left"]), len(o.by["right"]))
	}
	srv.WaitDrained(t, name, "shared", uint64(len(w.Bodies)), 30*time.Second)
	w.CheckKeyed(context.Background(), t, eng, natsingest.ProducerPrefix+name, 1)
	fix.Check(context.Background(), t, eng, w)
}

func TestConsumeTerminatesAPoisonMessageAndGoesOn(t *testing.T) {
	t.Parallel()
	srv := natstest.Connect(t)
	name, subject := srv.NewStream(t)
	eng, fix := setup(t)
	w := fix.Gifts("p", 4, 3)
	poison := [][]byte{
		[]byte(`not json`),
		fmt.Appendf(nil, `{"events":[{"id":"x","fan_id":%d,"club_id":%d,"action":"dance"}]}`, fix.FanIDs[0], fix.ClubID),
	}
	srv.Publish(t, subject, w.Bodies[0], poison[0], w.Bodies[1], poison[1], w.Bodies[2], w.Bodies[3])
	o := consume(t, srv, name, "poison", eng, 6, "one")
	want := map[int64]string{1: stream.OutcomeAcked, 2: stream.OutcomeTerminated, 3: stream.OutcomeAcked,
		4: stream.OutcomeTerminated, 5: stream.OutcomeAcked, 6: stream.OutcomeAcked}
	for seq, out := range want {
		if got := o.by["one"][seq]; len(got) != 1 || got[0] != out {
			t.Errorf("message %d: %v, want %s once", seq, got, out)
		}
	}
	// Terminated messages are done for the server too: nothing pending.
	srv.WaitDrained(t, name, "poison", 6, 30*time.Second)
	fix.Check(context.Background(), t, eng, w)
}

func TestOpenRefusesAMissingStreamAndBadSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if _, err := natsingest.Open(ctx, natsingest.Config{URL: "nats://127.0.0.1:1", Stream: "s"}); fanclub.ErrorCode(err) != fanclub.EINVALID {
		t.Errorf("no durable: %v, want invalid", err)
	}
	long := fmt.Sprintf("%0129d", 0)
	if _, err := natsingest.Open(ctx, natsingest.Config{URL: "nats://127.0.0.1:1", Stream: long, Durable: "d"}); fanclub.ErrorCode(err) != fanclub.EINVALID {
		t.Errorf("stream name too long for a producer: %v, want invalid", err)
	}
	srv := natstest.Connect(t)
	_, err := natsingest.Open(ctx, natsingest.Config{URL: srv.URL, Stream: "fanclub_test_no_such_stream", Durable: "d"})
	if fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
		t.Errorf("missing stream: %v, want not found", err)
	}
}

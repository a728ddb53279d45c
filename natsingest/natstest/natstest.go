// Package natstest gives tests a JetStream server to use: the one at
// FANCLUB_TEST_NATS_URL, a fresh stream per test (deleted in cleanup),
// publishing and the consumer's progress. Tests skip when the variable is
// unset or the server does not answer.
package natstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// EnvURL names the environment variable with the test server's URL.
const EnvURL = "FANCLUB_TEST_NATS_URL"

// Server is a connection to the test JetStream server.
type Server struct {
	URL string
	nc  *nats.Conn
	js  jetstream.JetStream
}

// Connect connects to the server at FANCLUB_TEST_NATS_URL, or skips t.
func Connect(t testing.TB) *Server {
	t.Helper()
	url := os.Getenv(EnvURL)
	if url == "" {
		t.Skipf("%s is not set: no NATS JetStream server to test against (e.g. %s=nats://127.0.0.1:4222)", EnvURL, EnvURL)
	}
	nc, err := nats.Connect(url, nats.Timeout(2*time.Second), nats.MaxReconnects(0))
	if err != nil {
		t.Skipf("NATS at %s (%s) is not reachable: %v", url, EnvURL, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := js.AccountInfo(ctx); err != nil {
		nc.Close()
		t.Skipf("NATS at %s (%s) has no JetStream: %v", url, EnvURL, err)
	}
	t.Cleanup(nc.Close)
	return &Server{URL: url, nc: nc, js: js}
}

// NewStream creates a stream with a random name on subject NAME.batches
// (file storage) and deletes it when t ends. It returns the name and the
// subject.
func (s *Server) NewStream(t testing.TB) (name, subject string) {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name = "fanclub_test_" + hex.EncodeToString(b[:])
	subject = name + ".batches"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{name + ".>"}, Storage: jetstream.FileStorage}); err != nil {
		t.Fatalf("create stream %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.js.DeleteStream(ctx, name); err != nil {
			t.Errorf("delete stream %s: %v", name, err)
		}
	})
	return name, subject
}

// Publish publishes each body on subject and waits for the stream to
// store it.
func (s *Server) Publish(t testing.TB, subject string, bodies ...[]byte) {
	t.Helper()
	if err := s.PublishAll(context.Background(), subject, bodies...); err != nil {
		t.Fatal(err)
	}
}

// PublishAll is Publish for a goroutine other than the test's: it returns
// the first error.
func (s *Server) PublishAll(ctx context.Context, subject string, bodies ...[]byte) error {
	for i, b := range bodies {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := s.js.Publish(pctx, subject, b)
		cancel()
		if err != nil {
			return fmt.Errorf("publish message %d: %w", i+1, err)
		}
	}
	return nil
}

// Progress is where a durable consumer stands.
type Progress struct {
	// AckFloor is the stream sequence up to which every message is acked
	// or terminated.
	AckFloor uint64
	// Pending counts messages not yet delivered, AckPending those
	// delivered and not yet acked.
	Pending    uint64
	AckPending int
}

// Progress returns the durable consumer's progress on stream.
func (s *Server) Progress(ctx context.Context, stream, durable string) (Progress, error) {
	c, err := s.js.Consumer(ctx, stream, durable)
	if err != nil {
		return Progress{}, err
	}
	info, err := c.Info(ctx)
	if err != nil {
		return Progress{}, err
	}
	return Progress{AckFloor: info.AckFloor.Stream, Pending: info.NumPending, AckPending: info.NumAckPending}, nil
}

// WaitDrained waits until the durable consumer has acked or terminated
// every one of the stream's n messages, or fails t at the deadline.
func (s *Server) WaitDrained(t testing.TB, stream, durable string, n uint64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last Progress
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		p, err := s.Progress(ctx, stream, durable)
		cancel()
		if err == nil {
			last = p
			if p.AckFloor >= n && p.Pending == 0 && p.AckPending == 0 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("stream %s not drained by %s after %s: %+v", stream, durable, timeout, last)
}

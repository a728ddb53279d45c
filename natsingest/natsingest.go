// Package natsingest is the NATS JetStream stream.Source: a durable pull
// consumer on a stream, shared by every process that opens it under the
// same durable name. It is the only package that imports nats.go.
package natsingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"fanclub"
	"fanclub/stream"
)

// ProducerPrefix starts the producer name of every batch read from a
// stream: the producer is ProducerPrefix + the stream's name, the batch's
// seq its stream sequence.
const ProducerPrefix = "jetstream:"

// Defaults of Config.
const (
	DefaultAckWait       = 30 * time.Second
	DefaultMaxAckPending = 256
	DefaultFetchWait     = time.Second
)

// Config names the stream and the durable consumer to read.
type Config struct {
	// URL is the NATS server URL (nats://127.0.0.1:4222).
	URL string
	// Stream is the JetStream stream to read; it must exist.
	Stream string
	// Durable is the consumer's durable name: processes opening the same
	// one share its messages.
	Durable string
	// Subject, when set, reads only the stream's messages on that subject
	// (wildcards allowed).
	Subject string
	// AckWait is how long a delivered message waits for its ack before it
	// is delivered again (default 30s).
	AckWait time.Duration
	// MaxAckPending bounds the messages delivered and not yet acked, over
	// every process of the durable (default 256).
	MaxAckPending int
	// FetchWait is how long one Fetch waits for a first message (default
	// 1s); shutdown waits at most this long for a fetch to return.
	FetchWait time.Duration
	// Logger receives connection events.
	Logger *slog.Logger
}

// Source is a durable pull consumer on a JetStream stream.
type Source struct {
	nc *nats.Conn
	// closeConn closes nc and waits for its last callback.
	closeConn func()
	cons      jetstream.Consumer
	producer  string
	fetchWait time.Duration
}

// Open connects to NATS and creates or updates the durable consumer: a
// pull consumer with explicit acks, delivering the whole stream from its
// start the first time, redelivering without limit what is not acked.
func Open(ctx context.Context, c Config) (*Source, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if c.AckWait == 0 {
		c.AckWait = DefaultAckWait
	}
	if c.MaxAckPending == 0 {
		c.MaxAckPending = DefaultMaxAckPending
	}
	if c.FetchWait == 0 {
		c.FetchWait = DefaultFetchWait
	}
	log := c.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// The connection's callbacks run on a goroutine of the client: a
	// close is not logged as a disconnection, and closeConn returns only
	// after the last callback ran, so none writes to a logger its caller
	// has moved on from.
	var closing atomic.Bool
	closed := make(chan struct{})
	nc, err := nats.Connect(c.URL,
		nats.Name("fanclub consume"),
		nats.MaxReconnects(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if !closing.Load() {
				log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { log.Info("nats reconnected", "url", nc.ConnectedUrl()) }),
		nats.ClosedHandler(func(*nats.Conn) { close(closed) }),
	)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s: %w", c.URL, err)
	}
	closeConn := func() {
		closing.Store(true)
		nc.Close()
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
		}
	}
	js, err := jetstream.New(nc)
	if err != nil {
		closeConn()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, c.Stream, jetstream.ConsumerConfig{
		Durable:       c.Durable,
		Description:   "fanclub consume: interaction batches",
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       c.AckWait,
		MaxDeliver:    -1,
		MaxAckPending: c.MaxAckPending,
		FilterSubject: c.Subject,
	})
	if err != nil {
		closeConn()
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return nil, fanclub.Errorf(fanclub.ENOTFOUND, "JetStream stream %q does not exist on %s; create it first.", c.Stream, c.URL)
		}
		return nil, fmt.Errorf("create consumer %q on stream %q: %w", c.Durable, c.Stream, err)
	}
	return &Source{nc: nc, closeConn: closeConn, cons: cons, producer: ProducerPrefix + c.Stream, fetchWait: c.FetchWait}, nil
}

// check refuses a config without its names, or whose producer name would
// be too long for the engine.
func (c Config) check() error {
	var fields []fanclub.FieldError
	need := func(path, v, what string) {
		if v == "" {
			fields = append(fields, fanclub.FieldError{Path: path, Message: "required", Allowed: what})
		}
	}
	need("nats", c.URL, "a NATS URL such as nats://127.0.0.1:4222")
	need("stream", c.Stream, "a JetStream stream name")
	need("durable", c.Durable, "a durable consumer name")
	if n := len(ProducerPrefix) + len(c.Stream); n > fanclub.MaxProducerLen {
		fields = append(fields, fanclub.FieldError{Path: "stream", Message: "name too long", Found: fmt.Sprintf("%d bytes", len(c.Stream)),
			Allowed: fmt.Sprintf("at most %d bytes", fanclub.MaxProducerLen-len(ProducerPrefix))})
	}
	if c.AckWait < 0 || c.MaxAckPending < 0 || c.FetchWait < 0 {
		fields = append(fields, fanclub.FieldError{Path: "ack-wait", Message: "negative setting", Allowed: "0 (the default) or more"})
	}
	if len(fields) > 0 {
		return fanclub.InvalidFields("Invalid stream consumer settings.", fields)
	}
	return nil
}

// Close flushes what was sent (naks, terms) to the server and closes the
// connection.
func (s *Source) Close() error {
	err := s.nc.FlushTimeout(5 * time.Second)
	s.closeConn()
	if err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		return fmt.Errorf("flush NATS connection: %w", err)
	}
	return nil
}

// Fetch returns up to max messages, waiting up to the fetch wait for the
// first. When ctx ends it naks what it received and returns ctx.Err().
func (s *Source) Fetch(ctx context.Context, max int) ([]stream.Message, error) {
	fctx, cancel := context.WithTimeout(ctx, s.fetchWait)
	defer cancel()
	batch, err := s.cons.Fetch(max, jetstream.FetchContext(fctx))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("fetch: %w", err)
	}
	var out []stream.Message
	for m := range batch.Messages() {
		msg, err := s.message(m)
		if err != nil {
			// No metadata: not a JetStream delivery; it cannot be keyed.
			_ = m.Term()
			continue
		}
		out = append(out, msg)
	}
	if ctx.Err() != nil {
		for _, m := range out {
			_ = m.Nak(context.Background(), 0)
		}
		return nil, ctx.Err()
	}
	if err := batch.Error(); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) && len(out) == 0 {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	return out, nil
}

// message wraps a delivered message with its key.
func (s *Source) message(m jetstream.Msg) (*message, error) {
	md, err := m.Metadata()
	if err != nil {
		return nil, err
	}
	return &message{m: m, producer: s.producer, seq: int64(md.Sequence.Stream)}, nil
}

// message is a delivered JetStream message.
type message struct {
	m        jetstream.Msg
	producer string
	seq      int64
}

func (m *message) Data() []byte { return m.m.Data() }

func (m *message) Key() (string, int64) { return m.producer, m.seq }

// Ack acks and waits for the server to confirm it.
func (m *message) Ack(ctx context.Context) error { return m.m.DoubleAck(ctx) }

func (m *message) Nak(_ context.Context, delay time.Duration) error {
	if delay <= 0 {
		return m.m.Nak()
	}
	return m.m.NakWithDelay(delay)
}

// Term terminates the message. The reason is in the consumer's log only:
// a server before 2.10 ignores a terminate that carries one.
func (m *message) Term(_ context.Context, _ string) error {
	return m.m.Term()
}

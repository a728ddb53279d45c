// Package stream ingests interaction batches read from a message stream
// (NATS JetStream today; Kafka would be one more Source) through the
// engine, exactly once.
//
// A Source hands out messages from a durable, shared subscription; each
// message carries one batch body (the JSON of POST /v1/events:batch,
// without producer and seq) and a key: a producer name for the stream and
// the message's position in it. Run ingests each message as a
// fanclub.Batch under that key, and acknowledges it only after the
// transaction committed. A consumer killed between commit and ack gets the
// message again, and the engine answers the retried (producer, seq) with
// the stored result: the batch counts once. See docs/stream.md.
package stream

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"fanclub"
)

// Message is one message of a stream, delivered until it is acked or
// terminated.
type Message interface {
	// Data is the message body.
	Data() []byte
	// Key is the message's exactly-once key: a producer name for the
	// stream and the message's position in it, the same on every
	// redelivery and never reused for another message.
	Key() (producer string, seq int64)
	// Ack confirms the message: it is not delivered again.
	Ack(ctx context.Context) error
	// Nak hands the message back for redelivery after delay.
	Nak(ctx context.Context, delay time.Duration) error
	// Term drops the message for good (it cannot be ingested); reason
	// says why.
	Term(ctx context.Context, reason string) error
}

// Source reads messages from a durable subscription that several
// consumers may share, each message going to one of them at a time.
type Source interface {
	// Fetch returns up to max messages, waiting a while (the source's
	// choice) for the first; none when none arrived. It returns ctx.Err()
	// once ctx ends, after handing back what it had fetched.
	Fetch(ctx context.Context, max int) ([]Message, error)
}

// Ingester applies a batch exactly once; *fanclub.Engine is one.
type Ingester interface {
	Ingest(ctx context.Context, b fanclub.Batch) (*fanclub.BatchResult, error)
}

// Config tunes Run; zero fields take their defaults.
type Config struct {
	// Logger receives a line per terminated message and per error.
	Logger *slog.Logger
	// FetchSize is how many messages one Fetch asks for (default 16).
	FetchSize int
	// NakDelay is how long a message that failed for a passing reason (the
	// store unavailable, a deadline) waits before redelivery (default 5s).
	NakDelay time.Duration
	// IngestTimeout bounds one message's ingest (default 1m).
	IngestTimeout time.Duration
	// Handled, when set, is called after each message's outcome (for
	// tests and metrics): "acked", "terminated" or "nakked".
	Handled func(outcome string, producer string, seq int64)
}

// Outcomes of one message, as Config.Handled reports them.
const (
	OutcomeAcked      = "acked"
	OutcomeTerminated = "terminated"
	OutcomeNakked     = "nakked"
)

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.FetchSize <= 0 {
		c.FetchSize = 16
	}
	if c.NakDelay <= 0 {
		c.NakDelay = 5 * time.Second
	}
	if c.IngestTimeout <= 0 {
		c.IngestTimeout = time.Minute
	}
}

// fetchRetry bounds the wait between failed fetches (the stream server
// away, reconnecting).
const fetchRetry = 2 * time.Second

// Run ingests src's messages into ing until ctx ends, then returns nil. A
// message whose batch commits is acked; one that can never be ingested
// (malformed JSON, invalid events, a key reused for other events) is
// terminated and logged; any other failure naks it for redelivery after
// cfg.NakDelay. When ctx ends, the message being ingested is finished and
// acked, the fetched messages not yet begun are handed back, and Run
// returns.
func Run(ctx context.Context, src Source, ing Ingester, cfg Config) error {
	cfg.defaults()
	for ctx.Err() == nil {
		msgs, err := src.Fetch(ctx, cfg.FetchSize)
		if ctx.Err() != nil {
			// Messages fetched as ctx ended go back at once rather than
			// waiting out their ack deadline.
			handBack(msgs, cfg.Logger)
			break
		}
		if err != nil {
			cfg.Logger.Warn("stream fetch failed; retrying", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(fetchRetry):
			}
			continue
		}
		for i, m := range msgs {
			if ctx.Err() != nil {
				handBack(msgs[i:], cfg.Logger)
				break
			}
			handle(context.WithoutCancel(ctx), m, ing, &cfg)
		}
	}
	return nil
}

// handBack naks messages fetched but not begun, for prompt redelivery to
// another consumer.
func handBack(msgs []Message, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, m := range msgs {
		if err := m.Nak(ctx, 0); err != nil {
			producer, seq := m.Key()
			log.Warn("stream nak on shutdown failed; the message is redelivered after the ack wait", "producer", producer, "seq", seq, "err", err)
		}
	}
}

// handle ingests one message and acks, terminates or naks it. ctx is not
// cancelled by shutdown: the message in flight is finished.
func handle(ctx context.Context, m Message, ing Ingester, cfg *Config) {
	producer, seq := m.Key()
	log := cfg.Logger.With("producer", producer, "seq", seq)
	outcome := func(o string) {
		if cfg.Handled != nil {
			cfg.Handled(o, producer, seq)
		}
	}
	b, err := DecodeBatch(m.Data())
	if err == nil {
		b.Producer, b.Seq = producer, seq
		ictx, cancel := context.WithTimeout(ctx, cfg.IngestTimeout)
		var res *fanclub.BatchResult
		res, err = ing.Ingest(ictx, b)
		cancel()
		if err == nil {
			if aerr := m.Ack(ctx); aerr != nil {
				// Committed but not acked: the message comes back and its
				// (producer, seq) returns the stored result.
				log.Warn("stream ack failed; the redelivery will count once", "err", aerr)
			}
			log.Debug("batch ingested", "accepted", res.Accepted, "duplicates", res.Duplicates, "rejected", res.Rejected)
			outcome(OutcomeAcked)
			return
		}
	}
	if Permanent(err) {
		reason := describe(err)
		log.Error("stream message terminated: it cannot be ingested", "reason", reason)
		if terr := m.Term(ctx, reason); terr != nil {
			log.Warn("stream term failed; the message will be redelivered and terminated again", "err", terr)
		}
		outcome(OutcomeTerminated)
		return
	}
	log.Warn("stream ingest failed; redelivering later", "err", err, "delay", cfg.NakDelay)
	if nerr := m.Nak(ctx, cfg.NakDelay); nerr != nil {
		log.Warn("stream nak failed; the message is redelivered after the ack wait", "err", nerr)
	}
	outcome(OutcomeNakked)
}

// Permanent reports whether err means the message can never be ingested,
// however often it is retried: its body is invalid, or its key was
// already applied with other events.
func Permanent(err error) bool {
	switch fanclub.ErrorCode(err) {
	case fanclub.EINVALID, fanclub.ECONFLICT:
		return true
	}
	return false
}

// describe renders err with its first field errors, for the log and the
// terminate reason.
func describe(err error) string {
	s := fanclub.ErrorMessage(err)
	if fanclub.ErrorCode(err) == fanclub.EINTERNAL {
		s = err.Error()
	}
	fields := fanclub.ErrorFields(err)
	for i, f := range fields {
		if i == 5 {
			s += fmt.Sprintf("; and %d more", len(fields)-i)
			break
		}
		s += "; " + f.String()
	}
	return s
}

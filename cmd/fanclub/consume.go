package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"fanclub"
	"fanclub/argon2id"
	"fanclub/natsingest"
	"fanclub/policyfile"
	"fanclub/stream"
)

// consumeConfig is what 'fanclub consume' runs with.
type consumeConfig struct {
	db, policies string
	limits       fanclub.Limits
	dedupe       time.Duration
	nats         natsingest.Config
	nakDelay     time.Duration
	// jobs says whether and how often consume runs due jobs.
	jobs jobSettings
}

// parseConsume reads consume's flags, with FANCLUB_ environment variables
// as defaults.
func parseConsume(args []string, stdout, stderr io.Writer) (consumeConfig, error) {
	fs := flag.NewFlagSet("fanclub consume", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := consumeConfig{db: envOr("FANCLUB_DB", "fanclub.db")}
	fs.StringVar(&c.db, "db", c.db, "SQLite database `path`, or a postgres:// URL (env FANCLUB_DB)")
	fs.StringVar(&c.policies, "policies", os.Getenv("FANCLUB_POLICIES"), "`directory` of custom policy files to load (env FANCLUB_POLICIES)")
	fs.StringVar(&c.nats.URL, "nats", envOr("FANCLUB_NATS_URL", "nats://127.0.0.1:4222"), "NATS server `URL` (env FANCLUB_NATS_URL)")
	fs.StringVar(&c.nats.Stream, "stream", os.Getenv("FANCLUB_NATS_STREAM"), "JetStream stream `name` to read (env FANCLUB_NATS_STREAM; required)")
	fs.StringVar(&c.nats.Durable, "durable", os.Getenv("FANCLUB_NATS_DURABLE"), "durable consumer `name`; processes with the same one share the stream (env FANCLUB_NATS_DURABLE; required)")
	fs.StringVar(&c.nats.Subject, "subject", "", "read only the stream's messages on this `subject` (wildcards allowed; default all)")
	fs.DurationVar(&c.nats.AckWait, "ack-wait", natsingest.DefaultAckWait, "how long a delivered message waits for its ack before it is delivered again")
	fs.IntVar(&c.nats.MaxAckPending, "max-ack-pending", natsingest.DefaultMaxAckPending, "most messages delivered and not yet acked, over every process of the durable")
	fs.DurationVar(&c.nakDelay, "nak-delay", 5*time.Second, "how long a message that failed for a passing reason (store unavailable) waits before redelivery")
	c.jobs.register(fs)
	if err := limitFlags(fs, &c.limits); err != nil {
		fmt.Fprintln(stderr, err)
		return c, err
	}
	if err := dedupeFlag(fs, &c.dedupe); err != nil {
		fmt.Fprintln(stderr, err)
		return c, err
	}
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: fanclub consume --stream NAME --durable NAME [--nats URL] [--subject S] [--db PATH|URL] [--policies DIR] [--ack-wait DUR] [--max-ack-pending N] [--nak-delay DUR] [--jobs=false] [--jobs-every DUR] [--dedupe-window DUR]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return c, err
	}
	bad := func(err error) (consumeConfig, error) {
		fmt.Fprintln(stderr, "fanclub consume:", err)
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		fs.Usage()
		return bad(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	case c.nats.Stream == "" || c.nats.Durable == "":
		return bad(errors.New("--stream and --durable are required"))
	case c.nats.AckWait < time.Second:
		return bad(fmt.Errorf("--ack-wait %s: want at least 1s", c.nats.AckWait))
	case c.nats.MaxAckPending < 1:
		return bad(fmt.Errorf("--max-ack-pending %d: want 1 or more", c.nats.MaxAckPending))
	case c.nakDelay <= 0:
		return bad(fmt.Errorf("--nak-delay %s: want a positive duration", c.nakDelay))
	}
	if err := checkDSN(c.db); err != nil {
		return bad(err)
	}
	if err := checkNATSURL(c.nats.URL); err != nil {
		return bad(err)
	}
	if err := checkLimits(c.limits); err != nil {
		return bad(err)
	}
	if err := checkDedupe(c.dedupe, c.limits.EventWindow); err != nil {
		return bad(err)
	}
	if err := c.jobs.check(); err != nil {
		return bad(err)
	}
	return c, nil
}

// runConsume runs 'fanclub consume': it ingests interaction batches from
// a JetStream stream until ctx ends (SIGINT or SIGTERM), then finishes the
// batch in flight and stops.
func runConsume(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConsume(args, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if err := consume(ctx, cfg, log); err != nil {
		reportPolicyErrors(err, stderr)
		log.Error("consume", "err", err)
		return 1
	}
	return 0
}

// checkNATSURL refuses a --nats value that is not a NATS server URL
// (nats://, tls://, ws:// or wss://, with a host), so that a typo fails
// before anything is opened.
func checkNATSURL(s string) error {
	for u := range strings.SplitSeq(s, ",") {
		p, err := url.Parse(strings.TrimSpace(u))
		if err != nil || p.Host == "" || !slices.Contains([]string{"nats", "tls", "ws", "wss"}, p.Scheme) {
			return fmt.Errorf("--nats %q: want a server URL such as nats://127.0.0.1:4222 (schemes nats, tls, ws, wss; several separated by commas)", s)
		}
	}
	return nil
}

// consume opens the stream and the store and ingests until ctx ends. The
// policies and the stream come first: a mistake in either leaves the
// database untouched and runs no job.
func consume(ctx context.Context, cfg consumeConfig, log *slog.Logger) error {
	reg, err := policyfile.NewRegistry()
	if err != nil {
		return fmt.Errorf("load policies: %w", err)
	}
	if err := loadPolicyDir(reg, cfg.policies, log); err != nil {
		return fmt.Errorf("--policies: %w", err)
	}
	cfg.nats.Logger = log
	src, err := natsingest.Open(ctx, cfg.nats)
	if err != nil {
		return err
	}
	defer func() {
		if err := src.Close(); err != nil {
			log.Error("close NATS connection", "err", err)
		}
	}()
	db, err := openStore(ctx, cfg.db, storeOptions{Logger: log, DedupeWindow: cfg.dedupe})
	if err != nil {
		return err
	}
	defer func() {
		if err := db.Close(); err != nil {
			log.Error("close store", "db", displayDSN(cfg.db), "err", err)
		}
	}()
	eng := fanclub.NewEngine(fanclub.EngineConfig{
		Store: db, Policies: reg, Passwords: argon2id.New(argon2id.DefaultParams), Random: rand.Reader, Logger: log, Limits: cfg.limits,
	})
	if err := eng.CheckClubPolicies(ctx); err != nil {
		return fmt.Errorf("club policies: %w", err)
	}
	// Stopped before the store closes (deferred after its Close).
	defer startJobs(ctx, eng, cfg.jobs, log)()
	var acked, terminated, nakked atomic.Int64
	counts := map[string]*atomic.Int64{stream.OutcomeAcked: &acked, stream.OutcomeTerminated: &terminated, stream.OutcomeNakked: &nakked}
	log.Info("consuming", "nats", cfg.nats.URL, "stream", cfg.nats.Stream, "durable", cfg.nats.Durable, "subject", cfg.nats.Subject, "db", displayDSN(cfg.db))
	err = stream.Run(ctx, src, eng, stream.Config{Logger: log, NakDelay: cfg.nakDelay, Handled: func(outcome, _ string, _ int64) {
		counts[outcome].Add(1)
	}})
	log.Info("stopped", "acked", acked.Load(), "terminated", terminated.Load(), "nakked", nakked.Load())
	return err
}

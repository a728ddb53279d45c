package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"fanclub"
)

// limitFlags registers serve's flags for the engine's limits on fs, with
// FANCLUB_EVENT_WINDOW and FANCLUB_IDEMPOTENCY_RETENTION as defaults (and
// the engine's defaults without them). A bad environment value is an error.
func limitFlags(fs *flag.FlagSet, l *fanclub.Limits) error {
	window, err := envDuration("FANCLUB_EVENT_WINDOW", fanclub.DefaultEventWindow)
	if err != nil {
		return err
	}
	retention, err := envDuration("FANCLUB_IDEMPOTENCY_RETENTION", fanclub.DefaultIdempotencyRetention)
	if err != nil {
		return err
	}
	fs.DurationVar(&l.EventWindow, "event-window", window,
		"how far in the past an event's time may be; older events are rejected as too_old (env FANCLUB_EVENT_WINDOW)")
	fs.DurationVar(&l.IdempotencyRetention, "idempotency-retention", retention,
		"how long a response stored under an Idempotency-Key answers retries (env FANCLUB_IDEMPOTENCY_RETENTION)")
	return nil
}

// checkLimits refuses limits that are not positive.
func checkLimits(l fanclub.Limits) error {
	if l.EventWindow <= 0 {
		return fmt.Errorf("--event-window %s: want a positive duration such as 24h", l.EventWindow)
	}
	if l.IdempotencyRetention <= 0 {
		return fmt.Errorf("--idempotency-retention %s: want a positive duration such as 24h", l.IdempotencyRetention)
	}
	return nil
}

// envDuration reads a duration from the environment variable key, def
// when it is empty.
func envDuration(key string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(key)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as 24h", key, v)
	}
	return d, nil
}

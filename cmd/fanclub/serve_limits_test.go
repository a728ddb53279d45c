package main

import (
	"io"
	"testing"
	"time"

	"fanclub"
)

func TestServeLimitsDefaultsAndFlags(t *testing.T) {
	t.Parallel()
	c, err := parseServe(nil, io.Discard, io.Discard)
	if err != nil || c.limits.EventWindow != fanclub.DefaultEventWindow || c.limits.IdempotencyRetention != fanclub.DefaultIdempotencyRetention {
		t.Fatalf("defaults: %+v, %v", c.limits, err)
	}
	c, err = parseServe([]string{"--event-window", "2h", "--idempotency-retention", "30m"}, io.Discard, io.Discard)
	if err != nil || c.limits.EventWindow != 2*time.Hour || c.limits.IdempotencyRetention != 30*time.Minute {
		t.Fatalf("flags: %+v, %v", c.limits, err)
	}
	for _, args := range [][]string{{"--event-window", "0s"}, {"--event-window", "-1h"}, {"--idempotency-retention", "0s"}} {
		if _, err := parseServe(args, io.Discard, io.Discard); err == nil {
			t.Errorf("parseServe(%v) accepted a non-positive duration", args)
		}
	}
}

func TestServeLimitsFromEnv(t *testing.T) {
	t.Setenv("FANCLUB_EVENT_WINDOW", "6h")
	t.Setenv("FANCLUB_IDEMPOTENCY_RETENTION", "48h")
	c, err := parseServe(nil, io.Discard, io.Discard)
	if err != nil || c.limits.EventWindow != 6*time.Hour || c.limits.IdempotencyRetention != 48*time.Hour {
		t.Fatalf("env: %+v, %v", c.limits, err)
	}
	c, err = parseServe([]string{"--event-window", "1h"}, io.Discard, io.Discard)
	if err != nil || c.limits.EventWindow != time.Hour {
		t.Fatalf("flag over env: %+v, %v", c.limits, err)
	}
	t.Setenv("FANCLUB_EVENT_WINDOW", "a day")
	if _, err := parseServe(nil, io.Discard, io.Discard); err == nil {
		t.Fatal("a bad FANCLUB_EVENT_WINDOW was accepted")
	}
}

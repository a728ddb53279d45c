package main

import (
	"io"
	"testing"
	"time"

	"fanclub"
)

// TestDedupeWindowFlag reads --dedupe-window on the commands that ingest:
// its default, a flag, and the refusal of a window shorter than the event
// window or not a duration.
func TestDedupeWindowFlag(t *testing.T) {
	t.Parallel()
	consume := func(args ...string) []string {
		return append([]string{"--stream", "s", "--durable", "d"}, args...)
	}
	tests := []struct {
		name    string
		parse   func(args []string) (time.Duration, error)
		args    []string
		want    time.Duration
		refused bool
	}{
		{"serve default", parseServeDedupe, nil, fanclub.DefaultDedupeWindow, false},
		{"serve flag", parseServeDedupe, []string{"--dedupe-window", "72h"}, 72 * time.Hour, false},
		{"serve equal to the event window", parseServeDedupe, []string{"--dedupe-window", "2h", "--event-window", "2h"}, 2 * time.Hour, false},
		{"serve shorter than the event window", parseServeDedupe, []string{"--dedupe-window", "1h"}, 0, true},
		{"serve not a duration", parseServeDedupe, []string{"--dedupe-window", "a week"}, 0, true},
		{"consume default", parseConsumeDedupe, consume(), fanclub.DefaultDedupeWindow, false},
		{"consume flag", parseConsumeDedupe, consume("--dedupe-window", "240h"), 240 * time.Hour, false},
		{"consume shorter than the event window", parseConsumeDedupe, consume("--dedupe-window", "23h"), 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.parse(tc.args)
			if tc.refused {
				if err == nil {
					t.Fatalf("%v accepted (window %v)", tc.args, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("%v: window %v, %v; want %v", tc.args, got, err, tc.want)
			}
		})
	}
}

// parseServeDedupe is serve's dedupe window for args.
func parseServeDedupe(args []string) (time.Duration, error) {
	c, err := parseServe(args, io.Discard, io.Discard)
	return c.dedupe, err
}

// parseConsumeDedupe is consume's dedupe window for args.
func parseConsumeDedupe(args []string) (time.Duration, error) {
	c, err := parseConsume(args, io.Discard, io.Discard)
	return c.dedupe, err
}

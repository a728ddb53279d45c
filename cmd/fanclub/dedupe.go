package main

import (
	"flag"
	"fmt"
	"time"

	"fanclub"
)

// dedupeFlag registers --dedupe-window on fs, the store's retry window of
// event ids (sqlite.Options.DedupeWindow, postgres.Options.DedupeWindow),
// with FANCLUB_DEDUPE_WINDOW as its default (fanclub.DefaultDedupeWindow
// without it). A bad environment value is an error.
func dedupeFlag(fs *flag.FlagSet, d *time.Duration) error {
	def, err := envDuration("FANCLUB_DEDUPE_WINDOW", fanclub.DefaultDedupeWindow)
	if err != nil {
		return err
	}
	fs.DurationVar(d, "dedupe-window", def,
		"how long after an event's time its id is still recognised as a duplicate: the producers' retry window; at least --event-window (env FANCLUB_DEDUPE_WINDOW)")
	return nil
}

// checkDedupe refuses a dedupe window shorter than the event window: an
// event retried after its id was forgotten but before ingest refuses it
// as too old would be stored twice.
func checkDedupe(d, eventWindow time.Duration) error {
	if d < eventWindow {
		return fmt.Errorf("--dedupe-window %s: want at least the event window %s", d, eventWindow)
	}
	return nil
}

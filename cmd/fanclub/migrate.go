package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"fanclub"
)

const migrateUsage = `usage: fanclub migrate [--db PATH|URL] [--dedupe-window DUR]

Applies the database's pending schema migrations and exits: a SQLite file
(created if missing) or a postgres:// URL. serve applies them on start too;
running this first lets a deploy pipeline migrate once before starting
several servers.
`

// runMigrate runs 'fanclub migrate'.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fanclub migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), migrateUsage+"\nflags:\n")
		fs.PrintDefaults()
	}
	db := fs.String("db", envOr("FANCLUB_DB", "fanclub.db"), "SQLite database `path`, or postgres:// URL (env FANCLUB_DB)")
	var dedupe time.Duration
	if err := dedupeFlag(fs, &dedupe); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	pos, code := parseArgs(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "fanclub migrate: unexpected argument %q\n", pos[0])
		fs.Usage()
		return 2
	}
	if err := checkDSN(*db); err != nil {
		fmt.Fprintln(stderr, "fanclub migrate:", err)
		return 2
	}
	// The window the server will run with: at least its event window.
	window, err := envDuration("FANCLUB_EVENT_WINDOW", fanclub.DefaultEventWindow)
	if err == nil {
		err = checkDedupe(dedupe, window)
	}
	if err != nil {
		fmt.Fprintln(stderr, "fanclub migrate:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	s, err := openStore(ctx, *db, storeOptions{Logger: log, DedupeWindow: dedupe})
	if err != nil {
		log.Error("migrate", "err", err)
		return 1
	}
	if err := s.Close(); err != nil {
		log.Error("migrate: close", "db", displayDSN(*db), "err", err)
		return 1
	}
	fmt.Fprintf(stdout, "database %s migrated\n", displayDSN(*db))
	return 0
}

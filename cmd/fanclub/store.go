package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"fanclub"
	"fanclub/postgres"
	"fanclub/sqlite"
)

// storeOptions configures openStore.
type storeOptions struct {
	Logger *slog.Logger
	// ReadCheckInterval is sqlite.Options.ReadCheckInterval.
	ReadCheckInterval time.Duration
	// DedupeWindow is the store's retry window of event ids (0: the
	// default, fanclub.DefaultDedupeWindow).
	DedupeWindow time.Duration
	// MustExist refuses a SQLite path naming no file (instead of creating
	// an empty database).
	MustExist bool
	// Now is the store's clock (nil: the wall clock).
	Now func() time.Time
}

// isPostgresDSN reports whether dsn names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func isPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// checkDSN refuses a --db value that names no database plainly: an
// empty one, or a PostgreSQL URL without a host or a database name (the
// driver would take both from its defaults, and the command would write
// into a database nobody named).
func checkDSN(dsn string) error {
	if dsn == "" {
		return fmt.Errorf("--db is empty: want a SQLite file path or a postgres://HOST/DATABASE URL")
	}
	if !isPostgresDSN(dsn) {
		return nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Errorf("--db %s: not a URL: want postgres://[USER@]HOST[:PORT]/DATABASE[?OPTIONS]", displayDSN(dsn))
	}
	q := u.Query()
	if u.Hostname() == "" && q.Get("host") == "" {
		return fmt.Errorf("--db %s: no host: want postgres://[USER@]HOST[:PORT]/DATABASE[?OPTIONS]", displayDSN(dsn))
	}
	if strings.Trim(u.Path, "/") == "" && q.Get("dbname") == "" {
		return fmt.Errorf("--db %s: no database name: want postgres://[USER@]HOST[:PORT]/DATABASE[?OPTIONS]", displayDSN(dsn))
	}
	return nil
}

// openStore opens the store dsn names, applying its pending migrations:
// PostgreSQL for a postgres:// or postgresql:// URL, else the SQLite
// database file at dsn. Every command that takes --db opens it here.
func openStore(ctx context.Context, dsn string, o storeOptions) (fanclub.Store, error) {
	if err := checkDSN(dsn); err != nil {
		return nil, err
	}
	if isPostgresDSN(dsn) {
		db, err := postgres.Open(ctx, dsn, postgres.Options{Logger: o.Logger, DedupeWindow: o.DedupeWindow, Now: o.Now})
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", displayDSN(dsn), err)
		}
		return db, nil
	}
	if o.MustExist {
		if _, err := os.Stat(dsn); err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
	}
	db, err := sqlite.Open(ctx, dsn, sqlite.Options{Logger: o.Logger, ReadCheckInterval: o.ReadCheckInterval, DedupeWindow: o.DedupeWindow, Now: o.Now})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dsn, err)
	}
	return db, nil
}

// displayDSN is dsn as it may be printed and logged: a URL's password is
// masked.
func displayDSN(dsn string) string {
	if !isPostgresDSN(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

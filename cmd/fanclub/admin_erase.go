package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"fanclub"
)

// adminEraseUsage describes 'fanclub admin erase'.
const adminEraseUsage = `usage: fanclub admin erase --fan ID [--confirm] [--db PATH|URL] [--policies DIR] [--payments sandbox]

erase  previews (without --confirm) or runs (with it) the erasure of a
       fan's whole account, as POST /v1/admin/fans/{fan}/erasure does, and
       prints the result as JSON (see docs/privacy.md)
`

// runAdminErase runs 'fanclub admin erase'.
func runAdminErase(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fanclub admin erase", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), adminEraseUsage+"\nflags:\n")
		fs.PrintDefaults()
	}
	db := fs.String("db", envOr("FANCLUB_DB", "fanclub.db"), "SQLite database `path`, or postgres:// URL (env FANCLUB_DB)")
	policies := fs.String("policies", os.Getenv("FANCLUB_POLICIES"), "`directory` of custom policy files the clubs may run (env FANCLUB_POLICIES)")
	pay := fs.String("payments", envOr("FANCLUB_PAYMENTS", "sandbox"), "payment provider refunds of exited subscriptions go through: "+paymentProviders)
	fan := fs.Int64("fan", 0, "the fan's `id`")
	confirm := fs.Bool("confirm", false, "run the erasure (without it: a preview that changes nothing)")
	pos, code := parseArgs(fs, args, stdout)
	if code >= 0 {
		return code
	}
	switch {
	case len(pos) > 0:
		fmt.Fprintf(stderr, "fanclub admin erase: unexpected argument %q\n", pos[0])
		return 2
	case *fan < 1:
		fmt.Fprintf(stderr, "fanclub admin erase: --fan %d: want the fan's id (1 or more)\n", *fan)
		return 2
	}
	if err := checkDSN(*db); err != nil {
		fmt.Fprintln(stderr, "fanclub admin erase:", err)
		return 2
	}
	if _, _, err := openPayments(*pay, nil); err != nil {
		fmt.Fprintln(stderr, "fanclub admin erase:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	er, err := eraseFan(ctx, *db, *policies, *pay, *fan, *confirm, log)
	if err != nil {
		log.Error("admin erase", "db", displayDSN(*db), "fan", *fan, "err", err)
		if fanclub.ErrorCode(err) == fanclub.ENOTFOUND {
			return 2
		}
		return 1
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(er); err != nil {
		return 1
	}
	return 0
}

// eraseFan opens the database (which must exist) with the policies and
// payment provider an erasure's exits need, and previews or runs it.
func eraseFan(ctx context.Context, path, policyDir, pay string, fanID int64, confirm bool, log *slog.Logger) (*fanclub.Erasure, error) {
	eng, closeStore, err := openAdminEngine(ctx, path, policyDir, pay, log)
	if err != nil {
		return nil, err
	}
	defer closeStore()
	return eng.EraseAccount(ctx, fanID, fanclub.ErasureRequest{Confirm: confirm})
}

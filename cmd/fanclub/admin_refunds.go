package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"

	"fanclub"
	"fanclub/payments/sandbox"
)

// runAdminRefunds runs 'fanclub admin refunds': it prints the guardian
// refund requests with a status (default pending: the approval queue) as
// JSON lines, or records an operator's decision on one and prints it.
func runAdminRefunds(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fanclub admin refunds", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), adminUsage+"\nflags:\n")
		fs.PrintDefaults()
	}
	db := fs.String("db", envOr("FANCLUB_DB", "fanclub.db"), "SQLite database `path`, or postgres:// URL (env FANCLUB_DB)")
	status := fs.String("status", fanclub.RefundPending, "list the requests with this `status` (pending, refunded, rejected; empty: all)")
	approve := fs.Int64("approve", 0, "approve the pending request with this `id` (its refund is made through the sandbox provider)")
	reject := fs.Int64("reject", 0, "reject the pending request with this `id`")
	operator := fs.String("operator", "", "`name` of the operator deciding (required with --approve or --reject)")
	note := fs.String("note", "", "a `note` kept with the decision")
	policies := fs.String("policies", os.Getenv("FANCLUB_POLICIES"), "`directory` of custom policy files the clubs may run (env FANCLUB_POLICIES)")
	pos, code := parseArgs(fs, args, stdout)
	if code >= 0 {
		return code
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if msg := refundsUsageError(pos, *status, *approve, *reject, *operator, *note); msg != "" {
		fmt.Fprintln(stderr, "fanclub admin refunds:", msg)
		return 2
	}
	if err := checkDSN(*db); err != nil {
		fmt.Fprintln(stderr, "fanclub admin refunds:", err)
		return 2
	}
	eng, closeStore, err := openAdminEngine(ctx, *db, *policies, sandbox.Name, log)
	if err != nil {
		log.Error("admin refunds", "db", displayDSN(*db), "err", err)
		return 1
	}
	defer closeStore()
	enc := json.NewEncoder(stdout)
	if id := max(*approve, *reject); id != 0 {
		res, err := eng.DecideGuardianRefund(ctx, id, *operator, *approve != 0, *note)
		if err != nil {
			log.Error("admin refunds", "request", id, "err", err)
			return 1
		}
		_ = enc.Encode(res)
		return 0
	}
	rs, err := eng.GuardianRefunds(ctx, 0, *status)
	if err != nil {
		log.Error("admin refunds", "err", err)
		return 1
	}
	for _, r := range rs {
		_ = enc.Encode(r)
	}
	return 0
}

// refundsUsageError says what is wrong with admin refunds' arguments, ""
// when nothing is.
func refundsUsageError(pos []string, status string, approve, reject int64, operator, note string) string {
	decides := approve != 0 || reject != 0
	switch {
	case len(pos) > 0:
		return fmt.Sprintf("unexpected argument %q", pos[0])
	case !slices.Contains([]string{"", fanclub.RefundPending, fanclub.RefundRefunded, fanclub.RefundRejected}, status):
		return fmt.Sprintf("--status %q: want pending, refunded, rejected or empty (all)", status)
	case approve < 0 || reject < 0:
		return fmt.Sprintf("--approve %d, --reject %d: want a request id (1 or more)", approve, reject)
	case approve != 0 && reject != 0:
		return "want one of --approve and --reject, not both"
	case decides && operator == "":
		return "--operator is required with --approve or --reject"
	case !decides && (operator != "" || note != ""):
		return "--operator and --note go with --approve or --reject"
	}
	return ""
}

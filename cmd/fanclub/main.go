// Command fanclub is the fan-club membership engine: it serves the API,
// manages and audits exit policies, simulates journeys and runs benchmarks.
// Every operations task is a subcommand of this one binary.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand: it gets the arguments after its name and
// returns the process exit status.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands is the table of subcommands, in the order help lists them.
func commands() []command {
	return []command{
		{"serve", "run the HTTP API on SQLite or PostgreSQL (--demo seeds demo clubs and fans)", runServe},
		{"migrate", "apply the database's pending migrations and exit (migrate --db PATH|URL)", runMigrate},
		{"admin", "operations: admin token (a fresh admin token), admin refunds (guardian refund requests), admin erase (a fan's erasure)", runAdmin},
		{"policy", "list, show and validate exit policies", runPolicy},
		{"compare", "compare policies dimension by dimension (md, html, json)", runCompare},
		{"audit", "audit policies against the exit regulations", runAudit},
		{"simulate", "run a journey on a virtual clock and print each step", runSimulate},
		{"export", "verify a downloaded export offline against an instance's public key (export verify --key KEY FILE)", runExport},
		{"consume", "ingest interaction batches from a NATS JetStream stream", runConsume},
		{"bench", "run the project's benchmarks (bench ingest, gifts, exitstorm, http, nodes)", runBench},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "fanclub: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// parseArgs parses flags that may come before, between or after the
// positional arguments ("--" ends flag parsing) and returns the positional
// ones. When parsing ends the command it also returns the exit status to
// use (0 after -h, its usage on stdout; 2 on a bad flag); otherwise the
// status is -1.
func parseArgs(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, int) {
	var positional []string
	for {
		if err := parseFlags(fs, args, stdout); errors.Is(err, flag.ErrHelp) {
			return nil, 0
		} else if err != nil {
			return nil, 2
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, -1
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), -1
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// parseFlags is fs.Parse(args) with what the flag set prints held back
// until the outcome is known: help that was asked for (-h) goes to stdout
// like any requested output, and a bad flag's message and usage to the
// flag set's own output (stderr).
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	out := fs.Output()
	var held bytes.Buffer
	fs.SetOutput(&held)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		out = stdout
	}
	_, _ = held.WriteTo(out)
	return err
}

// usage writes the list of commands.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: fanclub COMMAND [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'fanclub COMMAND -h' for a command's flags.")
}

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"fanclub"
	"fanclub/policyfile"
	"fanclub/simulate"
)

// runSimulate runs 'fanclub simulate FILE [--policy NAME|FILE]': it runs a
// journey on a virtual clock and prints one JSON line per step. FILE "-"
// reads standard input. A malformed journey, an unknown policy or a bad
// flag exits 2; steps the engine refuses are output, not failures (exit 0);
// a simulation failure (an exit that did not do what its preview showed)
// exits 1.
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fanclub simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	policy := fs.String("policy", "", "policy `NAME|FILE` replacing the journey's policy (steps that name their own keep it)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: fanclub simulate FILE [--policy NAME|FILE]")
		fmt.Fprintln(fs.Output(), "\nRuns a journey (see docs/journeys.md) on a virtual clock against a fresh in-memory")
		fmt.Fprintln(fs.Output(), "store and prints one JSON line per step. FILE - reads standard input.\n\nflags:")
		fs.PrintDefaults()
	}
	files, code := parseArgs(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "fanclub simulate: want exactly one journey FILE (or - for standard input)")
		fs.Usage()
		return 2
	}
	name := files[0]
	j, err := readJourney(name)
	if err != nil {
		printSimulateError(stderr, name, err)
		return 2
	}
	reg, err := policyfile.NewRegistry()
	if err != nil {
		printSimulateError(stderr, name, err)
		return 1
	}
	if *policy != "" {
		p, err := reg.Resolve(*policy)
		if err != nil {
			printPolicyLoadError(stderr, "simulate --policy", *policy, err)
			return 2
		}
		if existing, err := reg.Policy(p.Metadata.Name); err != nil {
			if err := reg.Add(p); err != nil {
				printSimulateError(stderr, "--policy", err)
				return 2
			}
		} else if existing != p {
			fmt.Fprintf(stderr, "fanclub simulate: --policy: file %s names policy %q, which is already a preset; rename it\n", *policy, p.Metadata.Name)
			return 2
		}
		j.Policy = p.Metadata.Name
	}
	if err := simulate.Run(ctx, j, reg, stdout); err != nil {
		printSimulateError(stderr, name, err)
		if fanclub.ErrorCode(err) == fanclub.EINVALID {
			return 2
		}
		return 1
	}
	return 0
}

// readJourney parses the journey in a file, or standard input for "-".
func readJourney(name string) (*simulate.Journey, error) {
	if name == "-" {
		return simulate.ParseJourney(os.Stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fanclub.Errorf(fanclub.EINVALID, "open journey: %v", err)
	}
	defer f.Close()
	return simulate.ParseJourney(f)
}

// printSimulateError prints an error, one line per field problem.
func printSimulateError(w io.Writer, where string, err error) {
	for _, line := range strings.Split(simulate.FormatError(err), "\n") {
		fmt.Fprintf(w, "fanclub simulate: %s: %s\n", where, line)
	}
}

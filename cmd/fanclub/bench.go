package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"fanclub/sqlite/benchload"
)

// benchUsage describes 'fanclub bench'.
const benchUsage = `usage: fanclub bench ingest [flags]
       fanclub bench gifts [flags] (gifts through the engine against raw inserts; -h for more)
       fanclub bench exitstorm [flags] (ingest while wrong exit passwords arrive; -h for more)
       fanclub bench http [flags]   (the read path against hello-world net/http; see bench http -h)
       fanclub bench nodes --db postgres://… [flags] (ingest over HTTP, one serve process vs two; -h for more)

Measures ingest into a file-backed SQLite database on a fixed-seed workload
(fans spread over clubs by Zipf popularity, 70% like, 20% watch_minutes,
8% comment, 2% share, timestamps over one day), in three modes:

  engine  engine.Ingest, one transaction per batch (durable at ack)
  naive   engine.Ingest of one-event batches: a transaction per event
  raw     multi-row INSERT of the batch's rows into a plain table

and prints, per run, events/s until the last batch is acknowledged, and
the medians of that and of the rate including the store's Close (whose
final checkpoint writes the write-behind state into its tables). Each
mode first runs --warmup times untimed.

With --db postgres://… the same workload runs on that PostgreSQL server:
seeded once into a template schema, each run in a fresh schema of its own
(dropped afterwards), with two more modes: copy (COPY of the batch's
rows into a plain table) and floor (per batch, only each event's id into
a unique index and one update of each membership the batch touches, in
one round trip: the least any ingest that answers every event exactly
across processes must write), and the engine's and the floor's rates
over each raw baseline.
`

// benchScratch returns the SQLite file a benchmark seeds, copies and
// removes: --db's path, which must not exist (the benchmark would replace
// it), or one in a temporary directory. done removes what the benchmark
// left there; code is the exit code when it cannot go on (-1 otherwise).
func benchScratch(cmd, dbPath, name string, stderr io.Writer) (path string, done func(), code int) {
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "fanclub-bench-")
		if err != nil {
			fmt.Fprintf(stderr, "fanclub bench %s: %v\n", cmd, err)
			return "", nil, 1
		}
		return filepath.Join(dir, name), func() { os.RemoveAll(dir) }, -1
	}
	if _, err := os.Lstat(dbPath); err == nil || !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "fanclub bench %s: --db %s exists: the benchmark creates its own database there and removes it; give a path that does not exist, or none for a temporary one\n", cmd, dbPath)
		return "", nil, 2
	}
	return dbPath, func() { removeSQLite(dbPath) }, -1
}

// runBench runs 'fanclub bench ingest'.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, benchUsage)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, benchUsage)
		return 0
	case "ingest":
		return runBenchIngest(ctx, args[1:], stdout, stderr)
	case "gifts":
		return runBenchGifts(ctx, args[1:], stdout, stderr)
	case "exitstorm":
		return runBenchExitStorm(ctx, args[1:], stdout, stderr)
	case "http":
		return runBenchHTTP(ctx, args[1:], stdout, stderr)
	case "nodes":
		return runBenchNodes(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "fanclub bench: unknown benchmark %q\n\n%s", args[0], benchUsage)
	return 2
}

// runBenchIngest runs 'fanclub bench ingest'.
func runBenchIngest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := benchload.DefaultConfig()
	fs := benchFlagSet("fanclub bench ingest", benchUsage, stderr)
	fs.IntVar(&cfg.Events, "events", cfg.Events, "events per run (engine and raw modes)")
	fs.IntVar(&cfg.Fans, "fans", cfg.Fans, "fans, each a member of one club")
	fs.IntVar(&cfg.Clubs, "clubs", cfg.Clubs, "clubs")
	fs.IntVar(&cfg.BatchSize, "batch", cfg.BatchSize, "events per batch")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "workload seed")
	naive := fs.Int("naive", 2000, "events of the naive (transaction per event) mode; 0 skips it")
	runs := fs.Int("runs", 3, "runs of each mode; the median is reported")
	warmup := fs.Int("warmup", 1, "untimed runs of each mode first (the first run in a process also pays for the memory the heap takes from the system)")
	dbPath := fs.String("db", "", "database file to seed and copy for each run (default: in a temporary directory), or a postgres:// server URL")
	syncMode := fs.String("sync", "normal", "commit durability: normal (survives a process kill) or full (fsync per commit, survives power loss)")
	if code := parseBenchFlags(fs, args, stdout); code >= 0 {
		return code
	}
	if *syncMode != "normal" && *syncMode != "full" {
		fmt.Fprintf(stderr, "fanclub bench ingest: --sync must be normal or full, not %q\n", *syncMode)
		return 2
	}
	if fs.NArg() > 0 || cfg.Events < 1 || cfg.Fans < 1 || cfg.Clubs < 2 || cfg.BatchSize < 1 || *runs < 1 || *naive < 0 || *warmup < 0 {
		fmt.Fprintln(stderr, "fanclub bench ingest: --events, --fans, --batch and --runs must be positive, --clubs at least 2, --naive and --warmup not negative, and no arguments")
		return 2
	}
	if isPostgresDSN(*dbPath) {
		if err := checkDSN(*dbPath); err != nil {
			fmt.Fprintln(stderr, "fanclub bench ingest:", err)
			return 2
		}
		return runBenchIngestPostgres(ctx, cfg, *dbPath, benchRounds{runs: *runs, warmup: *warmup, naive: *naive}, stdout, stderr)
	}
	path, done, code := benchScratch("ingest", *dbPath, "bench.db", stderr)
	if code >= 0 {
		return code
	}
	defer done()

	fmt.Fprintf(stdout, "workload: %d events, %d fans, %d clubs (Zipf s=%.1f), batches of %d, seed %d\n",
		cfg.Events, cfg.Fans, cfg.Clubs, cfg.ZipfS, cfg.BatchSize, cfg.Seed)
	fmt.Fprintf(stdout, "machine: %d CPUs, %s, %s/%s, database %s\n", runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, path)
	start := time.Now()
	w := benchload.Generate(cfg)
	b, err := benchload.NewBench(ctx, path, w, nil)
	if err != nil {
		fmt.Fprintf(stderr, "fanclub bench ingest: seed: %v\n", err)
		return 1
	}
	b.SyncFull = *syncMode == "full"
	fmt.Fprintf(stdout, "seeded in %s; synchronous=%s\n\n", time.Since(start).Round(time.Millisecond), strings.ToUpper(*syncMode))

	modes := []benchMode{
		{benchload.ModeEngine, func() (benchload.Result, error) { return b.Engine(ctx) }},
		{benchload.ModeNaive, func() (benchload.Result, error) { return b.Naive(ctx, *naive) }},
		{benchload.ModeRaw, func() (benchload.Result, error) { return b.Raw(ctx) }},
	}
	if _, err := runBenchModes(ctx, modes, benchRounds{runs: *runs, warmup: *warmup, naive: *naive}, stdout); err != nil {
		fmt.Fprintf(stderr, "\nfanclub bench ingest: %v\n", err)
		return 1
	}
	return 0
}

// benchMode is one mode of the ingest benchmark: run does one run.
type benchMode struct {
	name string
	run  func() (benchload.Result, error)
}

// benchRounds says how often each mode runs: warmup untimed runs, then
// runs timed ones; naive is the naive mode's event count (0 skips it).
type benchRounds struct{ runs, warmup, naive int }

// runBenchModes runs each mode and prints a table of each run's rate and
// the medians; it returns each mode's median acked rate.
func runBenchModes(ctx context.Context, modes []benchMode, r benchRounds, stdout io.Writer) (map[string]float64, error) {
	medians := map[string]float64{}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	defer tw.Flush()
	fmt.Fprint(tw, "mode\tevents\t")
	for i := range r.runs {
		fmt.Fprintf(tw, "run %d\t", i+1)
	}
	fmt.Fprint(tw, "median acked/s\tmedian closed/s\t\n")
	for _, m := range modes {
		if m.name == benchload.ModeNaive && r.naive == 0 {
			continue
		}
		rates := make([]float64, 0, r.runs)
		closed := make([]float64, 0, r.runs)
		events := 0
		fmt.Fprintf(tw, "%s\t", m.name)
		for i := range r.warmup + r.runs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			res, err := m.run()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", m.name, err)
			}
			if i < r.warmup {
				continue
			}
			events = res.Events
			rates = append(rates, res.PerSecond())
			closed = append(closed, res.PerSecondClosed())
		}
		fmt.Fprintf(tw, "%d\t", events)
		for _, x := range rates {
			fmt.Fprintf(tw, "%.0f\t", x)
		}
		medians[m.name] = median(rates)
		fmt.Fprintf(tw, "%.0f\t%.0f\t\n", medians[m.name], median(closed))
	}
	return medians, nil
}

// median returns the median of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// benchFlagSet returns the flag set of a benchmark command: errors and
// -h go to stderr, the usage text followed by the flags.
func benchFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage+"\nflags:\n")
		fs.PrintDefaults()
	}
	return fs
}

// parseBenchFlags parses a benchmark's flags: it returns the exit status
// when the command must stop there (0 after -h, its usage on stdout; 2 on
// a bad flag), -1 to go on.
func parseBenchFlags(fs *flag.FlagSet, args []string, stdout io.Writer) int {
	if err := parseFlags(fs, args, stdout); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	return -1
}

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"fanclub"
	"fanclub/policyfile"
	"fanclub/sqlite/benchload"
)

// benchNodesUsage describes 'fanclub bench nodes'.
const benchNodesUsage = `usage: fanclub bench nodes --db postgres://… [flags]

Starts two 'fanclub serve' processes (this binary) on a fresh schema of
the PostgreSQL server, seeded with the ingest workload's fans and clubs
(the clubs run the fair preset), and has --clients concurrent clients post
admin batches (POST /v1/events:batch, --batch events each, producer and
seq) for --duration, first all to one process, then spread over the two,
alternating for --rounds rounds. Prints accepted events per second, batch
latency p50 and p99 of each round, the medians and the ratio of two
processes to one. Loopback only; the schema is dropped at the end.
`

// runBenchNodes runs 'fanclub bench nodes'.
func runBenchNodes(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := benchFlagSet("fanclub bench nodes", benchNodesUsage, stderr)
	url := fs.String("db", os.Getenv("FANCLUB_DB"), "PostgreSQL server `URL` (postgres://…)")
	clients := fs.Int("clients", 8, "concurrent clients")
	batch := fs.Int("batch", 100, "events per batch")
	duration := fs.Duration("duration", 5*time.Second, "load time per round")
	rounds := fs.Int("rounds", 3, "rounds of each setup (one process, two)")
	fans := fs.Int("fans", 20_000, "fans, each a member of one club")
	clubs := fs.Int("clubs", 200, "clubs")
	bin := fs.String("bin", "", "the fanclub `binary` to run serve from (default: this one)")
	if code := parseBenchFlags(fs, args, stdout); code >= 0 {
		return code
	}
	if fs.NArg() > 0 || !isPostgresDSN(*url) || *clients < 1 || *batch < 1 || *duration <= 0 || *rounds < 1 || *fans < 1 || *clubs < 2 {
		fmt.Fprintln(stderr, "fanclub bench nodes: --db must be a postgres:// URL; --clients, --batch, --duration, --rounds and --fans positive, --clubs at least 2")
		return 2
	}
	if err := checkDSN(*url); err != nil {
		fmt.Fprintln(stderr, "fanclub bench nodes:", err)
		return 2
	}
	if *bin == "" {
		exe, err := os.Executable()
		if err != nil {
			fmt.Fprintf(stderr, "fanclub bench nodes: %v\n", err)
			return 1
		}
		*bin = exe
	}
	c := nodesBenchConfig{clients: *clients, batch: *batch, duration: *duration, rounds: *rounds, fans: *fans, clubs: *clubs, bin: *bin}
	if err := benchNodes(ctx, *url, c, stdout); err != nil {
		fmt.Fprintf(stderr, "fanclub bench nodes: %v\n", err)
		return 1
	}
	return 0
}

// nodesBenchConfig is the load of 'fanclub bench nodes'.
type nodesBenchConfig struct {
	clients, batch, rounds, fans, clubs int
	duration                            time.Duration
	// bin is the fanclub binary the serve processes run.
	bin string
}

// nodesRound is one timed round.
type nodesRound struct {
	rate     float64
	p50, p99 time.Duration
	errors   int64
}

// benchNodes seeds a fresh schema, starts two serve processes and runs
// the rounds.
func benchNodes(ctx context.Context, url string, c nodesBenchConfig, stdout io.Writer) error {
	wcfg := benchload.DefaultConfig()
	wcfg.Fans, wcfg.Clubs, wcfg.Events, wcfg.BatchSize = c.fans, c.clubs, 200_000, c.batch
	w := benchload.Generate(wcfg)
	b, err := newPGBench(ctx, url, w)
	if err != nil {
		return fmt.Errorf("%s: %w", displayDSN(url), err)
	}
	defer b.close()
	// serve loads the presets: the clubs run fair, whose engagement table
	// is the benchmark policy's.
	if _, err := b.admin.Exec(ctx, "UPDATE "+pgx.Identifier{b.template, "clubs"}.Sanitize()+" SET policy = 'fair'"); err != nil {
		return err
	}
	schemaURL, err := withSearchPath(url, b.template)
	if err != nil {
		return err
	}
	reg, err := policyfile.NewRegistry()
	if err != nil {
		return err
	}
	db, err := openStore(ctx, schemaURL, storeOptions{})
	if err != nil {
		return err
	}
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Random: rand.Reader})
	admin, err := eng.IssueToken(ctx, fanclub.RoleAdmin, 0)
	_ = db.Close()
	if err != nil {
		return fmt.Errorf("admin token: %w", err)
	}
	var bases []string
	for range 2 {
		base, stop, err := startServeProcess(ctx, c.bin, schemaURL)
		if err != nil {
			return err
		}
		defer stop()
		bases = append(bases, base)
	}
	fmt.Fprintf(stdout, "machine: %d CPUs, %s, PostgreSQL %s; %d clients posting batches of %d events, %s per round, loopback\n\n",
		runtime.NumCPU(), runtime.Version(), b.serverVersion(ctx), c.clients, c.batch, c.duration)
	// Events of the workload, at the time they are sent.
	var events []fanclub.EventInput
	for _, bt := range w.Batches {
		events = append(events, bt.Events...)
	}
	results := map[int][]nodesRound{}
	for r := range c.rounds {
		for _, n := range []int{1, 2} {
			res, err := nodesLoad(ctx, bases[:n], admin, events, fmt.Sprintf("r%d-n%d", r, n), c)
			if err != nil {
				return err
			}
			results[n] = append(results[n], res)
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "processes\t")
	for i := range c.rounds {
		fmt.Fprintf(tw, "round %d events/s (p50, p99)\t", i+1)
	}
	fmt.Fprint(tw, "median events/s\terrors\t\n")
	medians := map[int]float64{}
	for _, n := range []int{1, 2} {
		fmt.Fprintf(tw, "%d\t", n)
		var rates []float64
		var errs int64
		for _, r := range results[n] {
			fmt.Fprintf(tw, "%.0f (%s, %s)\t", r.rate, r.p50.Round(100*time.Microsecond), r.p99.Round(100*time.Microsecond))
			rates = append(rates, r.rate)
			errs += r.errors
		}
		medians[n] = median(rates)
		fmt.Fprintf(tw, "%.0f\t%d\t\n", medians[n], errs)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\ntwo processes / one %.2f\n", medians[2]/medians[1])
	return nil
}

// withSearchPath returns url with search_path set to schema.
func withSearchPath(raw, schema string) (string, error) {
	u, err := neturl.Parse(raw)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// startServeProcess starts 'bin serve' on url at a free loopback port,
// without access log or token cache, and returns its base URL and a stop
// function.
func startServeProcess(ctx context.Context, bin, url string) (string, func(), error) {
	cmd := exec.CommandContext(ctx, bin, "serve", "--db", url, "--addr", "127.0.0.1:0", "--access-log", "off")
	out := &syncWriter{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			return m[1], stop, nil
		}
	}
	stop()
	return "", nil, fmt.Errorf("serve did not start:\n%s", out.String())
}

// syncWriter is a buffer safe for concurrent writers and readers.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// nodesLoad has c.clients clients post batches of events (new ids, tagged
// with tag) to bases, client i to bases[i % len(bases)], for c.duration.
func nodesLoad(ctx context.Context, bases []string, admin string, events []fanclub.EventInput, tag string, c nodesBenchConfig) (nodesRound, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c.clients}}
	var (
		accepted, failures atomic.Int64
		mu                 sync.Mutex
		lat                []time.Duration
		wg                 sync.WaitGroup
	)
	start := time.Now()
	end := start.Add(c.duration)
	for i := range c.clients {
		wg.Go(func() {
			base := bases[i%len(bases)]
			var mine []time.Duration
			for seq := int64(1); time.Now().Before(end) && ctx.Err() == nil; seq++ {
				off := (int(seq)*c.clients + i) * c.batch % max(len(events)-c.batch, 1)
				bt := fanclub.Batch{Producer: fmt.Sprintf("bench-%s-%d", tag, i), Seq: seq, Events: make([]fanclub.EventInput, c.batch)}
				for j := range bt.Events {
					ev := events[off+j]
					ev.ID, ev.At = fmt.Sprintf("%s-%d-%d-%d", tag, i, seq, j), nil
					bt.Events[j] = ev
				}
				body, _ := json.Marshal(bt)
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, "POST", base+"/v1/events:batch", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+admin)
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					failures.Add(1)
					continue
				}
				var r fanclub.BatchResult
				err = json.NewDecoder(res.Body).Decode(&r)
				res.Body.Close()
				if err != nil || res.StatusCode != 200 {
					failures.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
				accepted.Add(int64(r.Accepted))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	client.CloseIdleConnections()
	if len(lat) == 0 {
		return nodesRound{}, fmt.Errorf("no batch succeeded (%d failures)", failures.Load())
	}
	slices.Sort(lat)
	return nodesRound{
		rate: float64(accepted.Load()) / elapsed.Seconds(),
		p50:  lat[len(lat)/2], p99: lat[len(lat)*99/100], errors: failures.Load(),
	}, ctx.Err()
}

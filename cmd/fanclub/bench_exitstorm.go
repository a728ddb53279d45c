package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"fanclub"
	"fanclub/argon2id"
	fanhttp "fanclub/http"
	"fanclub/policyfile"
	"fanclub/sqlite"
)

// exitStormUsage describes 'fanclub bench exitstorm'.
const exitStormUsage = `usage: fanclub bench exitstorm [flags]

Measures HTTP ingest (POST /v1/events:batch, one client, one batch in
flight) on a file-backed SQLite database served on 127.0.0.1, alone and
while storm clients send wrong exit passwords as fast as they can, in
alternating phases of --duration each (after --warmup untimed pairs),
and prints the batches/s of each
phase, their medians and the ratio (storm / alone).

Each storm client cycles through its own fans (members of a douyin club,
whose exit asks for a slider and then the password): it requests an exit,
answers the slider right (read from the store, as a fan solving the
puzzle would) and the password wrong until the request is void, and
starts again. Every wrong answer costs a full argon2id check (default
parameters, 64 MiB) in a password slot. Login throttling is off by
default (--throttle turns it on): with it, a storm on a few fans gets
cheap 429s after five failures each, which would hide the cost this
benchmark measures - that no password check runs inside the store's
single write transaction.
`

// runBenchExitStorm runs 'fanclub bench exitstorm'.
func runBenchExitStorm(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := benchFlagSet("fanclub bench exitstorm", exitStormUsage, stderr)
	duration := fs.Duration("duration", 5*time.Second, "length of each phase")
	rounds := fs.Int("rounds", 3, "pairs of phases (alone, then with the storm); the median is reported")
	warmup := fs.Int("warmup", 1, "untimed pairs of phases first (the first storm grows the heap by the checks' memory)")
	batch := fs.Int("batch", 100, "events per ingest batch")
	members := fs.Int("members", 1000, "fans the ingest events are spread over")
	stormClients := fs.Int("storm-clients", 1, "concurrent storm clients, one request in flight each")
	stormFans := fs.Int("storm-fans", 8, "fans each storm client cycles through")
	slots := fs.Int("password-concurrency", fanclub.DefaultPasswordConcurrency(), "password checks at once (as serve --password-concurrency)")
	memKiB := fs.Uint("argon2-memory", uint(argon2id.DefaultParams.Memory), "argon2id memory in KiB (the default is production's)")
	throttle := fs.Bool("throttle", false, "keep login throttling on (see above)")
	if code := parseBenchFlags(fs, args, stdout); code >= 0 {
		return code
	}
	if fs.NArg() > 0 || *duration <= 0 || *rounds < 1 || *warmup < 0 || *batch < 1 || *members < 1 || *stormClients < 1 || *stormFans < 1 || *slots < 1 || *memKiB < 64 {
		fmt.Fprintln(stderr, "fanclub bench exitstorm: --duration, --rounds, --batch, --members, --storm-clients, --storm-fans and --password-concurrency must be positive, --argon2-memory at least 64, and no arguments")
		return 2
	}
	params := argon2id.DefaultParams
	params.Memory = uint32(*memKiB)
	s, err := newExitStorm(ctx, params, *slots, !*throttle, *members, *stormClients**stormFans)
	if err != nil {
		fmt.Fprintf(stderr, "fanclub bench exitstorm: %v\n", err)
		return 1
	}
	defer s.close()
	fmt.Fprintf(stdout, "machine: %d CPUs, %s, %s/%s\n", runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(stdout, "ingest: 1 client, batches of %d over %d members; storm: %d clients x %d fans; argon2id m=%d KiB t=%d p=%d, %d password slots, throttle %v; phases of %s\n\n",
		*batch, *members, *stormClients, *stormFans, params.Memory, params.Time, params.Threads, *slots, *throttle, *duration)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "round\talone batches/s\tstorm batches/s\tratio\twrong confirms/s\tother storm answers\t\n")
	for range *warmup {
		for _, clients := range []int{0, *stormClients} {
			if _, err := s.phase(ctx, *duration, *batch, clients); err != nil {
				fmt.Fprintf(stderr, "fanclub bench exitstorm: warmup: %v\n", err)
				return 1
			}
		}
	}
	var alone, storm []float64
	for r := range *rounds {
		a, err := s.phase(ctx, *duration, *batch, 0)
		if err != nil {
			fmt.Fprintf(stderr, "fanclub bench exitstorm: %v\n", err)
			return 1
		}
		w, err := s.phase(ctx, *duration, *batch, *stormClients)
		if err != nil {
			fmt.Fprintf(stderr, "fanclub bench exitstorm: %v\n", err)
			return 1
		}
		alone, storm = append(alone, a.batchesPerSec()), append(storm, w.batchesPerSec())
		fmt.Fprintf(tw, "%d\t%.1f\t%.1f\t%.2f\t%.1f\t%d\t\n", r+1, a.batchesPerSec(), w.batchesPerSec(),
			w.batchesPerSec()/a.batchesPerSec(), float64(w.wrong)/w.elapsed.Seconds(), w.other)
	}
	ma, ms := median(alone), median(storm)
	fmt.Fprintf(tw, "median\t%.1f\t%.1f\t%.2f\t\t\t\n", ma, ms, ms/ma)
	tw.Flush()
	return 0
}

// exitStorm is the served database with its fans, clubs and tokens.
type exitStorm struct {
	dir      string
	db       *sqlite.DB
	srv      *http.Server
	base     string
	admin    string
	ingestTo int64   // the fair club of the ingest members
	members  []int64 // ingest member ids
	douyin   int64
	storm    []stormFan
	seq      atomic.Int64
}

// stormFan is a fan of the storm with a session token.
type stormFan struct {
	id    int64
	token string
}

// newExitStorm seeds a database in a temporary directory and serves it
// on a loopback port.
func newExitStorm(ctx context.Context, params argon2id.Params, slots int, noThrottle bool, members, stormFans int) (*exitStorm, error) {
	dir, err := os.MkdirTemp("", "fanclub-exitstorm-")
	if err != nil {
		return nil, err
	}
	s := &exitStorm{dir: dir}
	log := slog.New(slog.DiscardHandler)
	if s.db, err = sqlite.Open(ctx, filepath.Join(dir, "bench.db"), sqlite.Options{Logger: log}); err != nil {
		s.close()
		return nil, err
	}
	reg, err := policyfile.NewRegistry()
	if err != nil {
		s.close()
		return nil, err
	}
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: s.db, Policies: reg, Passwords: argon2id.New(params), Random: rand.Reader, Logger: log,
		Auth: fanclub.AuthConfig{PasswordConcurrency: slots, Throttle: fanclub.ThrottleConfig{Disabled: noThrottle}}})
	if err := s.seed(ctx, eng, members, stormFans); err != nil {
		s.close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.close()
		return nil, err
	}
	s.base = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: fanhttp.NewServer(fanhttp.Config{Engine: eng, Policies: reg, Logger: log}).Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// seed creates the clubs, the ingest members and the storm fans (whose
// passwords are hashed once each, before any phase).
func (s *exitStorm) seed(ctx context.Context, eng *fanclub.Engine, members, stormFans int) error {
	var err error
	if s.admin, err = eng.IssueToken(ctx, fanclub.RoleAdmin, 0); err != nil {
		return err
	}
	cr, err := eng.CreateCreator(ctx, "bench_creator")
	if err != nil {
		return err
	}
	fair, err := eng.CreateClub(ctx, cr.ID, "ingest", "fair")
	if err != nil {
		return err
	}
	douyin, err := eng.CreateClub(ctx, cr.ID, "storm", "douyin")
	if err != nil {
		return err
	}
	s.ingestTo, s.douyin = fair.ID, douyin.ID
	// Ingest members need no password check: one shared hash is enough.
	hash, err := argon2id.New(argon2id.TestParams).Hash("bench member, never logs in")
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, true)
	if err != nil {
		return err
	}
	for i := range members {
		f := &fanclub.Fan{Handle: fmt.Sprintf("member_%d", i), PasswordHash: hash, CreatedAt: tx.Now()}
		if err := tx.CreateFan(ctx, f); err != nil {
			_ = tx.Rollback()
			return err
		}
		s.members = append(s.members, f.ID)
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, id := range s.members {
		if _, err := eng.Join(ctx, id, fair.ID); err != nil {
			return err
		}
	}
	for i := range stormFans {
		f, err := eng.CreateFan(ctx, fmt.Sprintf("storm_%d", i), "storm-password")
		if err != nil {
			return err
		}
		if _, err := eng.Join(ctx, f.ID, douyin.ID); err != nil {
			return err
		}
		tok, err := eng.IssueToken(ctx, fanclub.RoleFan, f.ID)
		if err != nil {
			return err
		}
		s.storm = append(s.storm, stormFan{id: f.ID, token: tok})
	}
	return nil
}

// close stops the server and removes the database.
func (s *exitStorm) close() {
	if s.srv != nil {
		_ = s.srv.Close()
	}
	if s.db != nil {
		_ = s.db.Close()
	}
	_ = os.RemoveAll(s.dir)
}

// phaseResult is what one phase did.
type phaseResult struct {
	batches      int
	elapsed      time.Duration
	wrong, other int64
}

func (p phaseResult) batchesPerSec() float64 { return float64(p.batches) / p.elapsed.Seconds() }

// phase runs the ingest client for d, with clients storm clients beside it.
func (s *exitStorm) phase(ctx context.Context, d time.Duration, batch, clients int) (phaseResult, error) {
	var res phaseResult
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var stormErr atomic.Value
	for c := range clients {
		fans := s.storm[c*len(s.storm)/clients : (c+1)*len(s.storm)/clients]
		wg.Go(func() {
			if err := s.stormClient(ctx, fans, stop, &res.wrong, &res.other); err != nil {
				stormErr.Store(err)
			}
		})
	}
	start := time.Now()
	var err error
	for time.Since(start) < d && err == nil {
		err = s.ingestBatch(ctx, batch)
		if err == nil {
			res.batches++
		}
	}
	res.elapsed = time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil {
		return res, err
	}
	if e, ok := stormErr.Load().(error); ok {
		return res, e
	}
	return res, nil
}

// ingestBatch posts one batch of likes and watch minutes.
func (s *exitStorm) ingestBatch(ctx context.Context, n int) error {
	seq := s.seq.Add(1)
	events := make([]fanclub.EventInput, n)
	for i := range events {
		a := fanclub.ActionLike
		if i%3 == 0 {
			a = fanclub.ActionWatchMinutes
		}
		events[i] = fanclub.EventInput{ID: fmt.Sprintf("b%d-%d", seq, i), FanID: s.members[(int(seq)*n+i)%len(s.members)], ClubID: s.ingestTo, Action: a, Amount: 1}
	}
	status, err := s.post(ctx, "/v1/events:batch", s.admin, fanclub.Batch{Events: events}, nil)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("ingest answered %d", status)
	}
	return nil
}

// stormClient cycles through fans sending wrong exit passwords until stop.
func (s *exitStorm) stormClient(ctx context.Context, fans []stormFan, stop <-chan struct{}, wrong, other *int64) error {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return nil
		default:
		}
		f := fans[i%len(fans)]
		var req struct {
			ID string `json:"id"`
		}
		status, err := s.post(ctx, fmt.Sprintf("/v1/clubs/%d/exit-requests", s.douyin), f.token, map[string]any{}, &req)
		if err != nil {
			return err
		}
		if status != http.StatusCreated {
			return fmt.Errorf("exit request answered %d", status)
		}
		target, err := s.sliderTarget(ctx, req.ID)
		if err != nil {
			return err
		}
		// The request's attempts are used up (it ends void) before the
		// client stops, so each phase starts with no request pending.
		for range fanclub.DefaultMaxAttempts {
			status, err := s.post(ctx, "/v1/exit-requests/"+req.ID+"/confirm", f.token,
				fanclub.ExitAnswers{Confirm: true, Slider: &target, Password: "not-the-password"}, nil)
			if err != nil {
				return err
			}
			if status == http.StatusUnprocessableEntity {
				atomic.AddInt64(wrong, 1)
			} else {
				atomic.AddInt64(other, 1)
				break
			}
		}
	}
}

// sliderTarget reads an exit request's slider target from the store.
func (s *exitStorm) sliderTarget(ctx context.Context, id string) (int, error) {
	tx, err := s.db.BeginTx(ctx, false)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }()
	r, err := tx.FindExitRequest(ctx, id)
	if err != nil {
		return 0, err
	}
	return r.SliderTarget, nil
}

// post sends a JSON POST and decodes a JSON answer into out (if not nil).
func (s *exitStorm) post(ctx context.Context, path, token string, body, out any) (int, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", s.base+path, bytes.NewReader(data))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode < 300 {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			return 0, err
		}
	} else {
		_, _ = io.Copy(io.Discard, res.Body)
	}
	return res.StatusCode, nil
}

// Package httpbench measures the API's read path against a hello-world
// net/http server under the same load generator in the same run: n
// keep-alive connections on loopback, each sending its next request as
// soon as the previous answer is read, for a fixed time per target.
package httpbench

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"fanclub"
	"fanclub/argon2id"
	fanhttp "fanclub/http"
	"fanclub/metrics"
	"fanclub/policyfile"
	"fanclub/sqlite"
)

// Config is one benchmark run.
type Config struct {
	// Conns is the number of concurrent keep-alive connections.
	Conns int
	// Duration is how long each target is loaded.
	Duration time.Duration
	// Dir holds the SQLite file.
	Dir string
	// Fans is how many fans (and tokens) the requests rotate over.
	Fans int
	// AccessLog is the API's access-log setting during the run.
	AccessLog string
	// TokenCache is the API's token cache TTL (0: off).
	TokenCache time.Duration
	// ReadCheck is the store's ReadCheckInterval, as 'fanclub serve'
	// sets it.
	ReadCheck time.Duration
	// CPUProfile, when set, is a file for a CPU profile of the
	// membership phase.
	CPUProfile string
}

// DefaultConfig is the documented run: 64 connections, 20 s per target.
func DefaultConfig() Config {
	return Config{Conns: 64, Duration: 20 * time.Second, Fans: 64, AccessLog: "off", TokenCache: 2 * time.Second, ReadCheck: time.Second}
}

// Stats is one target's load: requests per second and latency percentiles.
type Stats struct {
	Requests int
	Errors   int
	RPS      float64
	P50, P99 time.Duration
}

// Result is a run's two targets and their ratio.
type Result struct {
	Hello, Membership Stats
	// Ratio is Membership.RPS / Hello.RPS.
	Ratio float64
}

// Run starts both servers on loopback, loads the hello-world server and
// then GET /v1/clubs/{club}/membership with fan tokens, and returns both.
func Run(ctx context.Context, c Config) (*Result, error) {
	hello, err := listen(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "hello, world\n")
	}))
	if err != nil {
		return nil, err
	}
	defer hello.Close()
	api, paths, tokens, closeAPI, err := startAPI(ctx, c)
	if err != nil {
		return nil, err
	}
	defer closeAPI()
	defer api.Close()
	res := &Result{}
	res.Hello = load(ctx, c, func(i int) (string, string) { return "http://" + hello.Addr().String() + "/", "" })
	if c.CPUProfile != "" {
		f, err := os.Create(c.CPUProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	res.Membership = load(ctx, c, func(i int) (string, string) {
		k := i % len(tokens)
		return "http://" + api.Addr().String() + paths[k], tokens[k]
	})
	if res.Hello.RPS > 0 {
		res.Ratio = res.Membership.RPS / res.Hello.RPS
	}
	return res, nil
}

// server is a running HTTP server.
type server struct {
	ln  net.Listener
	srv *http.Server
}

func (s *server) Addr() net.Addr { return s.ln.Addr() }
func (s *server) Close()         { _ = s.srv.Close() }

// listen serves h on a loopback port.
func listen(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &server{ln: ln, srv: srv}, nil
}

// startAPI opens a store in c.Dir with one club and c.Fans members, and
// serves the API as 'fanclub serve' does; it returns each fan's
// membership path and token.
func startAPI(ctx context.Context, c Config) (*server, []string, []string, func(), error) {
	db, err := sqlite.Open(ctx, filepath.Join(c.Dir, "bench-http.db"), sqlite.Options{ReadCheckInterval: c.ReadCheck})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	closeDB := func() { _ = db.Close() }
	reg, err := policyfile.NewRegistry()
	if err != nil {
		closeDB()
		return nil, nil, nil, nil, err
	}
	m := metrics.New()
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: argon2id.New(argon2id.TestParams),
		Random: rand.Reader, Observer: m})
	cr, err := eng.CreateCreator(ctx, "bench_creator")
	if err != nil {
		closeDB()
		return nil, nil, nil, nil, err
	}
	club, err := eng.CreateClub(ctx, cr.ID, "Bench", "fair")
	if err != nil {
		closeDB()
		return nil, nil, nil, nil, err
	}
	var paths, tokens []string
	for i := range max(c.Fans, 1) {
		f, err := eng.CreateFan(ctx, fmt.Sprintf("bench_fan_%d", i), "bench-password")
		if err != nil {
			closeDB()
			return nil, nil, nil, nil, err
		}
		if _, err := eng.Join(ctx, f.ID, club.ID); err != nil {
			closeDB()
			return nil, nil, nil, nil, err
		}
		tok, err := eng.IssueToken(ctx, fanclub.RoleFan, f.ID)
		if err != nil {
			closeDB()
			return nil, nil, nil, nil, err
		}
		paths = append(paths, fmt.Sprintf("/v1/clubs/%d/membership", club.ID))
		tokens = append(tokens, tok)
	}
	al, err := fanhttp.ParseAccessLog(c.AccessLog)
	if err != nil {
		closeDB()
		return nil, nil, nil, nil, err
	}
	h := fanhttp.NewServer(fanhttp.Config{Engine: eng, Policies: reg, Logger: slog.New(slog.DiscardHandler), AccessLog: al,
		Metrics: m, MetricsHandler: m.Handler(), TokenCacheTTL: c.TokenCache}).Handler()
	s, err := listen(h)
	if err != nil {
		closeDB()
		return nil, nil, nil, nil, err
	}
	return s, paths, tokens, closeDB, nil
}

// load runs c.Conns workers against target for c.Duration; worker i's
// j-th request goes to target(i+j).
func load(ctx context.Context, c Config, target func(i int) (url, token string)) Stats {
	ctx, cancel := context.WithTimeout(ctx, c.Duration)
	defer cancel()
	tr := &http.Transport{MaxIdleConns: c.Conns, MaxIdleConnsPerHost: c.Conns, MaxConnsPerHost: c.Conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	lat := make([][]time.Duration, c.Conns)
	errs := make([]int, c.Conns)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range c.Conns {
		wg.Go(func() {
			buf := make([]byte, 4096)
			for j := 0; ctx.Err() == nil; j++ {
				url, tok := target(w + j)
				req, _ := http.NewRequest("GET", url, nil)
				if tok != "" {
					req.Header.Set("Authorization", "Bearer "+tok)
				}
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					errs[w]++
					continue
				}
				for {
					if _, err := res.Body.Read(buf); err != nil {
						break
					}
				}
				res.Body.Close()
				if ctx.Err() != nil {
					break // answered after the end: not counted
				}
				if res.StatusCode != http.StatusOK {
					errs[w]++
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := min(time.Since(start), c.Duration)
	var all []time.Duration
	st := Stats{}
	for w := range lat {
		all = append(all, lat[w]...)
		st.Errors += errs[w]
	}
	slices.Sort(all)
	st.Requests = len(all)
	st.RPS = float64(len(all)) / elapsed.Seconds()
	if len(all) > 0 {
		st.P50 = all[len(all)/2]
		st.P99 = all[len(all)*99/100]
	}
	return st
}

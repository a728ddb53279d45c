package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	fanhttp "fanclub/http"
	"fanclub/httpbench"
)

// benchHTTPUsage describes 'fanclub bench http'.
const benchHTTPUsage = `usage: fanclub bench http [flags]

Loads, on loopback and with the same Go load generator, a hello-world
net/http server and then GET /v1/clubs/{club}/membership with fan tokens
(the API as 'fanclub serve' runs it, on a SQLite file in a temporary
directory), each for --duration over --conns keep-alive connections, and
prints requests per second, p50 and p99 latency of both and their ratio.
`

// runBenchHTTP runs 'fanclub bench http'.
func runBenchHTTP(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := httpbench.DefaultConfig()
	fs := benchFlagSet("fanclub bench http", benchHTTPUsage, stderr)
	fs.IntVar(&c.Conns, "conns", c.Conns, "concurrent connections")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "load time per target")
	fs.IntVar(&c.Fans, "fans", c.Fans, "fans (tokens) the requests rotate over")
	fs.StringVar(&c.AccessLog, "access-log", c.AccessLog, "the API's access log: all, errors, off, sample:N")
	fs.DurationVar(&c.TokenCache, "token-cache", c.TokenCache, "the API's token cache TTL (0: off)")
	fs.DurationVar(&c.ReadCheck, "read-check", c.ReadCheck, "the store's read check interval (0: every read transaction)")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of the membership phase to `file`")
	if code := parseBenchFlags(fs, args, stdout); code >= 0 {
		return code
	}
	msg := ""
	switch {
	case fs.NArg() > 0:
		msg = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case c.Conns < 1 || c.Fans < 1:
		msg = fmt.Sprintf("--conns %d, --fans %d: want 1 or more", c.Conns, c.Fans)
	case c.Duration <= 0:
		msg = fmt.Sprintf("--duration %s: want a positive duration", c.Duration)
	case c.TokenCache < 0 || c.TokenCache > time.Minute:
		msg = fmt.Sprintf("--token-cache %s: want a duration from 0 to 1m, as serve takes", c.TokenCache)
	case c.ReadCheck < 0:
		msg = fmt.Sprintf("--read-check %s: want 0 or a positive duration", c.ReadCheck)
	}
	if msg == "" {
		if _, err := fanhttp.ParseAccessLog(c.AccessLog); err != nil {
			msg = "--access-log: " + err.Error()
		}
	}
	if msg != "" {
		fmt.Fprintln(stderr, "fanclub bench http:", msg)
		return 2
	}
	dir, err := os.MkdirTemp("", "fanclub-bench-http-")
	if err != nil {
		fmt.Fprintln(stderr, "fanclub bench http:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	c.Dir = dir
	fmt.Fprintf(stdout, "GOMAXPROCS %d, %d connections, %s per target, loopback\n", runtime.GOMAXPROCS(0), c.Conns, c.Duration)
	res, err := httpbench.Run(ctx, c)
	if err != nil {
		fmt.Fprintln(stderr, "fanclub bench http:", err)
		return 1
	}
	for _, row := range []struct {
		name string
		s    httpbench.Stats
	}{{"hello-world net/http", res.Hello}, {"GET membership (fan token)", res.Membership}} {
		fmt.Fprintf(stdout, "%-28s %9.0f req/s  p50 %8s  p99 %8s  (%d requests, %d errors)\n",
			row.name, row.s.RPS, row.s.P50, row.s.P99, row.s.Requests, row.s.Errors)
	}
	fmt.Fprintf(stdout, "ratio %.2f\n", res.Ratio)
	return 0
}

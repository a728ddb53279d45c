package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"fanclub"
	"fanclub/argon2id"
	fanhttp "fanclub/http"
	"fanclub/metrics"
	"fanclub/policyfile"
	vsandbox "fanclub/verify/sandbox"
)

// serveConfig is what 'fanclub serve' runs with.
type serveConfig struct {
	db, addr string
	demo     bool
	limits   fanclub.Limits
	policies string // directory of custom policy files; empty for none
	auth     authSettings
	// accessLog says which requests are logged; tokenCache how long an
	// authenticated token is remembered.
	accessLog  *fanhttp.AccessLog
	tokenCache time.Duration
	// dedupe is the store's retry window of event ids (--dedupe-window).
	dedupe time.Duration
	// payments names the payment provider (--payments).
	payments string
	// jobs says whether and how often serve runs due jobs.
	jobs jobSettings
	// webhook is where notifications are sent, if anywhere.
	webhook webhookSettings
	// minors configures dimension 7 (minors and guardians).
	minors minorsSettings
	// export is the export signing key and the trusted import keys.
	export exportSettings
	// giftWriters bounds the gift batches run at once (0: the engine's
	// default).
	giftWriters int
}

// parseServe reads serve's flags, with FANCLUB_DB and FANCLUB_ADDR as
// defaults.
func parseServe(args []string, stdout, stderr io.Writer) (serveConfig, error) {
	fs := flag.NewFlagSet("fanclub serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := serveConfig{db: envOr("FANCLUB_DB", "fanclub.db"), addr: envOr("FANCLUB_ADDR", "127.0.0.1:8080")}
	fs.StringVar(&c.db, "db", c.db, "SQLite database `path`, or postgres:// URL (env FANCLUB_DB)")
	fs.StringVar(&c.addr, "addr", c.addr, "listen `address` (env FANCLUB_ADDR)")
	fs.BoolVar(&c.demo, "demo", false, "create a demo creator, one club per preset and fans alice, bob and carol")
	if err := limitFlags(fs, &c.limits); err != nil {
		fmt.Fprintln(stderr, err)
		return c, err
	}
	if err := dedupeFlag(fs, &c.dedupe); err != nil {
		fmt.Fprintln(stderr, err)
		return c, err
	}
	fs.StringVar(&c.policies, "policies", os.Getenv("FANCLUB_POLICIES"), "`directory` of custom policy files to load (env FANCLUB_POLICIES)")
	c.auth.register(fs)
	c.jobs.register(fs)
	c.webhook.register(fs)
	if err := c.minors.register(fs); err != nil {
		fmt.Fprintln(stderr, "fanclub serve:", err)
		return c, err
	}
	c.export.register(fs)
	accessLog := fs.String("access-log", envOr("FANCLUB_ACCESS_LOG", "all"), "which requests get a log line: all, errors, off or sample:N (env FANCLUB_ACCESS_LOG)")
	fs.StringVar(&c.payments, "payments", envOr("FANCLUB_PAYMENTS", "sandbox"), "payment `provider`: "+paymentProviders+" (env FANCLUB_PAYMENTS)")
	giftWriters := fs.String("gift-writers", envOr("FANCLUB_GIFT_WRITERS", "0"), "gift batches run at once; 0 means 1 on SQLite and 2 on PostgreSQL (env FANCLUB_GIFT_WRITERS)")
	tokenCache := fs.String("token-cache", envOr("FANCLUB_TOKEN_CACHE", "2s"), "how long an authenticated token is remembered; 0 turns the cache off (env FANCLUB_TOKEN_CACHE)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: fanclub serve [--db PATH|URL] [--addr ADDR] [--policies DIR] [--demo] [--access-log all|errors|off|sample:N] [--token-cache DUR] [--payments sandbox] [--jobs=false] [--jobs-every DUR] [--webhook-url URL] [limit, token and password flags]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected argument %q", fs.Arg(0))
		fmt.Fprintln(stderr, "fanclub serve:", err)
		fs.Usage()
		return c, err
	}
	if err := checkDSN(c.db); err != nil {
		fmt.Fprintln(stderr, "fanclub serve:", err)
		return c, err
	}
	if err := checkLimits(c.limits); err != nil {
		fmt.Fprintln(stderr, err)
		return c, err
	}
	if err := checkDedupe(c.dedupe, c.limits.EventWindow); err != nil {
		fmt.Fprintln(stderr, err)
		return c, err
	}
	if err := c.auth.check(); err != nil {
		fmt.Fprintln(stderr, "fanclub serve:", err)
		return c, err
	}
	if err := c.jobs.check(); err != nil {
		fmt.Fprintln(stderr, "fanclub serve:", err)
		return c, err
	}
	if err := c.webhook.check(); err != nil {
		fmt.Fprintln(stderr, "fanclub serve:", err)
		return c, err
	}
	if err := c.export.check(); err != nil {
		fmt.Fprintln(stderr, "fanclub serve:", err)
		return c, err
	}
	var err error
	if c.accessLog, err = fanhttp.ParseAccessLog(*accessLog); err != nil {
		fmt.Fprintln(stderr, "fanclub serve: --access-log:", err)
		return c, err
	}
	if c.tokenCache, err = time.ParseDuration(*tokenCache); err != nil || c.tokenCache < 0 || c.tokenCache > time.Minute {
		err = fmt.Errorf("--token-cache %q: want a duration from 0 to 1m", *tokenCache)
		fmt.Fprintln(stderr, "fanclub serve:", err)
		return c, err
	}
	if c.giftWriters, err = strconv.Atoi(*giftWriters); err != nil || c.giftWriters < 0 || c.giftWriters > 64 {
		err = fmt.Errorf("--gift-writers %q: want a number from 0 (the default for the store) to 64", *giftWriters)
		fmt.Fprintln(stderr, "fanclub serve:", err)
		return c, err
	}
	if _, _, err := openPayments(c.payments, nil); err != nil {
		fmt.Fprintln(stderr, "fanclub serve:", err)
		return c, err
	}
	return c, nil
}

// serveReadCheck is how long the server's reads answered from memory
// trust it without checking the database file for another process's
// writes (sqlite.Options.ReadCheckInterval).
const serveReadCheck = time.Second

// envOr returns the environment variable key, or def when it is empty.
func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// runServe runs 'fanclub serve': the HTTP API on a SQLite or PostgreSQL
// database until
// ctx ends (SIGINT or SIGTERM), then shuts down gracefully.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseServe(args, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	log := fanhttp.WithRequestIDs(slog.New(slog.NewTextHandler(stderr, nil)))
	if err := serve(ctx, cfg, log, stdout); err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			log.Info("stopped while starting")
			return 0
		}
		reportPolicyErrors(err, stderr)
		log.Error("serve", "err", err)
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

// usageError is an error a command's flags caused, found after parsing
// (a --minors-policy no loaded policy has): the command exits with 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// servePolicies loads the policies serve runs with: the presets, the
// --policies directory, and the --minors-policy among them.
func servePolicies(cfg serveConfig, log *slog.Logger) (*policyfile.Registry, error) {
	reg, err := policyfile.NewRegistry()
	if err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	if err := loadPolicyDir(reg, cfg.policies, log); err != nil {
		// A file that does not load exits 1, as policy validate does.
		return nil, fmt.Errorf("--policies: %w", err)
	}
	if _, err := reg.Policy(cfg.minors.policy); err != nil {
		return nil, usageError{fmt.Errorf("--minors-policy: %w", err)}
	}
	return reg, nil
}

// serve opens the store, prints an admin token (and the demo), and serves
// until ctx ends.
func serve(ctx context.Context, cfg serveConfig, log *slog.Logger, stdout io.Writer) error {
	// Policies and the address first: a mistake in either leaves the
	// database untouched and issues no admin token nobody sees.
	reg, err := servePolicies(cfg, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on --addr %s: %w", cfg.addr, err)
	}
	defer ln.Close() // closed by the server's shutdown already when it ran
	db, err := openStore(ctx, cfg.db, storeOptions{Logger: log, ReadCheckInterval: serveReadCheck, DedupeWindow: cfg.dedupe})
	if err != nil {
		return err
	}
	shown := displayDSN(cfg.db)
	defer func() {
		// SQLite's Close checkpoints the write-behind state; a failure
		// leaves it in the journal, replayed on the next start, but must
		// be seen.
		if err := db.Close(); err != nil {
			log.Error("close store", "db", shown, "err", err)
		}
	}()
	pay, sandboxControls, err := openPayments(cfg.payments, db)
	if err != nil {
		return err
	}
	vfy := vsandbox.New(db)
	m := metrics.New()
	eng := fanclub.NewEngine(fanclub.EngineConfig{
		Store: db, Policies: reg, Passwords: argon2id.New(argon2id.DefaultParams), Random: rand.Reader, Logger: log,
		Limits:   cfg.limits,
		Auth:     cfg.auth.engineConfig(),
		Observer: m,
		Payments: pay,
		Webhooks: cfg.webhook.enabled(),
		Verifier: vfy,
		Minors:   cfg.minors.config(),
		// Concurrent gifts commit in batches (docs/money.md).
		GiftWriters: cfg.giftWriters,
	})
	if err := eng.CheckClubPolicies(ctx); err != nil {
		return fmt.Errorf("club policies: %w", err)
	}
	// Stopped before the store closes (deferred after its Close).
	defer startJobs(ctx, eng, cfg.jobs, log)()
	admin, err := bootstrapAdmin(ctx, eng)
	if err != nil {
		return err
	}
	dctx, stopDeliverer := context.WithCancel(ctx)
	waitDeliverer, err := cfg.webhook.start(dctx, eng, log)
	if err != nil {
		stopDeliverer()
		return fmt.Errorf("webhook: %w", err)
	}
	defer func() { stopDeliverer(); waitDeliverer() }()
	base := "http://" + ln.Addr().String()
	var d *demo
	if cfg.demo {
		if d, err = seedDemo(ctx, eng, reg.Names()); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	hcfg := fanhttp.Config{Engine: eng, Policies: reg, Logger: log, TrustForwardedFor: cfg.auth.trustForwardedFor,
		AccessLog: cfg.accessLog, Metrics: m, MetricsHandler: m.Handler(), TokenCacheTTL: cfg.tokenCache,
		Payments: pay, Sandbox: sandboxControls, VerifySandbox: vfy}
	if err := cfg.export.apply(ctx, eng, &hcfg); err != nil {
		return fmt.Errorf("export signing key: %w", err)
	}
	srv := &http.Server{
		Handler:           fanhttp.NewServer(hcfg).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// Printed once everything is ready: whoever waits for this line (a
	// script, a test) may stop the server at once.
	fmt.Fprintf(stdout, "fanclub API listening on %s (database %s)\n", base, shown)
	if admin != "" {
		fmt.Fprintf(stdout, "admin token: %s\n", admin)
	} else {
		fmt.Fprintln(stdout, "an admin token is live already; 'fanclub admin token' prints a new one")
	}
	if d != nil {
		d.print(stdout, base, admin)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "db", shown)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// Demo accounts.
const (
	demoCreator  = "demo_creator"
	demoPassword = "fanclub-demo"
	demoProducer = "fanclub-demo"
)

// demoFans are the demo fans, in the order they are shown.
var demoFans = []string{"alice", "bob", "carol"}

// demo is what seedDemo made or found, with fresh tokens.
type demo struct {
	creatorToken string
	fans         []demoFan
	clubs        []*fanclub.Club
}

// demoFan is a demo fan with a fresh token.
type demoFan struct {
	fan   *fanclub.Fan
	token string
}

// seedDemo creates, unless they exist, the demo creator, one club per
// policy (named after it), and the demo fans; joins every fan to every club
// and records a few interactions (idempotent per club through the batch
// producer sequence).
func seedDemo(ctx context.Context, eng *fanclub.Engine, policies []string) (*demo, error) {
	creatorID, err := demoCreatorID(ctx, eng, policies)
	if err != nil {
		return nil, err
	}
	d := &demo{}
	if d.creatorToken, err = eng.IssueToken(ctx, fanclub.RoleCreator, creatorID); err != nil {
		return nil, err
	}
	existing, err := eng.ListClubs(ctx, creatorID)
	if err != nil {
		return nil, err
	}
	byName := map[string]*fanclub.Club{}
	for _, c := range existing {
		byName[c.Name] = c
	}
	for _, p := range policies {
		c, ok := byName[p]
		if !ok {
			if c, err = eng.CreateClub(ctx, creatorID, p, p); err != nil {
				return nil, fmt.Errorf("create club %s: %w", p, err)
			}
		}
		d.clubs = append(d.clubs, c)
	}
	for _, h := range demoFans {
		if _, err := eng.CreateFan(ctx, h, demoPassword); err != nil && fanclub.ErrorCode(err) != fanclub.ECONFLICT {
			return nil, fmt.Errorf("create fan %s: %w", h, err)
		}
		tok, f, err := eng.LoginFan(ctx, h, demoPassword, "")
		if err != nil {
			return nil, fmt.Errorf("log in %s: %w", h, err)
		}
		d.fans = append(d.fans, demoFan{fan: f, token: tok.Token})
	}
	for _, c := range d.clubs {
		var events []fanclub.EventInput
		for i, f := range d.fans {
			_, err := eng.Join(ctx, f.fan.ID, c.ID)
			switch fanclub.ErrorCode(err) {
			case "", fanclub.EALREADYMEMBER, fanclub.ECOOLDOWN:
			default:
				return nil, fmt.Errorf("join %s to %s: %w", f.fan.Handle, c.Name, err)
			}
			for n, a := range []fanclub.Action{fanclub.ActionWatchMinutes, fanclub.ActionLike, fanclub.ActionComment} {
				events = append(events, fanclub.EventInput{
					ID: fmt.Sprintf("demo-%d-%d-%d", c.ID, f.fan.ID, n), FanID: f.fan.ID, ClubID: c.ID,
					Action: a, Amount: int64(10 * (len(d.fans) - i)),
				})
			}
		}
		if _, err := eng.Ingest(ctx, fanclub.Batch{Producer: demoProducer, Seq: c.ID, Events: events}); err != nil {
			return nil, fmt.Errorf("demo interactions in %s: %w", c.Name, err)
		}
	}
	return d, nil
}

// demoCreatorID creates the demo creator, or finds it through its clubs
// when a previous run created it.
func demoCreatorID(ctx context.Context, eng *fanclub.Engine, policies []string) (int64, error) {
	c, err := eng.CreateCreator(ctx, demoCreator)
	if err == nil {
		return c.ID, nil
	}
	if fanclub.ErrorCode(err) != fanclub.ECONFLICT {
		return 0, fmt.Errorf("create creator: %w", err)
	}
	clubs, err := eng.ListClubs(ctx, 0)
	if err != nil {
		return 0, err
	}
	for _, c := range clubs {
		for _, p := range policies {
			if c.Name == p && c.Policy == p {
				return c.CreatorID, nil
			}
		}
	}
	return 0, fmt.Errorf("creator %s exists but owns no demo club", demoCreator)
}

// print writes the demo's tokens, clubs and a curl line to try.
func (d *demo) print(w io.Writer, base, admin string) {
	fmt.Fprintln(w, "\ndemo (password for every fan: "+demoPassword+"):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tWHO\tTOKEN")
	if admin != "" {
		fmt.Fprintf(tw, "admin\t-\t%s\n", admin)
	}
	fmt.Fprintf(tw, "creator\t%s\t%s\n", demoCreator, d.creatorToken)
	for _, f := range d.fans {
		fmt.Fprintf(tw, "fan\t%s (id %d)\t%s\n", f.fan.Handle, f.fan.ID, f.token)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\nCLUB ID  POLICY")
	for _, c := range d.clubs {
		fmt.Fprintf(w, "%7d  %s\n", c.ID, c.Policy)
	}
	if len(d.fans) > 0 && len(d.clubs) > 0 {
		c := d.clubs[len(d.clubs)-1]
		fmt.Fprintf(w, "\ntry: curl -s -X POST -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -d '{}' %s/v1/clubs/%d/exit-requests\n",
			d.fans[0].token, base, c.ID)
	}
}

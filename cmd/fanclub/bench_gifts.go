package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fanclub"
	"fanclub/ledger"
	"fanclub/sqlite"
	"fanclub/sqlite/benchload"
)

// benchGiftsUsage describes 'fanclub bench gifts'.
const benchGiftsUsage = `usage: fanclub bench gifts [--db PATH|postgres://…] [flags]

Measures gifts through the engine, each durable at acknowledgement,
against raw inserts of the same rows in the same run. The workload: fans
over clubs by Zipf popularity (one creator per club, the club's policy
gives the creator half of a gift's value), each fan a member of one club
with coins bought beforehand (seeded untimed through ledger.Post); then
gifts on uniformly drawn fans in their club, 1 to 10 coins each.

Modes:

  engine-cN  engine.SendGift from N goroutines, each acknowledged after
             the commit of the transaction holding its gift (concurrent
             gifts share one: --writers batches at once; --concurrency
             lists the Ns)
  raw-cN     per gift, in a transaction of its own, its two ledger
             transfer rows (coins fan→platform, share platform
             revenue→creator pending) and its gift row inserted into plain
             tables (no key, no index); on SQLite from one connection
  raw-batch  the same rows, --batch gifts per transaction: multi-row
             INSERTs on SQLite, COPY on PostgreSQL
  keyed-batch (SQLite) raw-batch into tables with a unique index on the
             transfer and the gift key: the least a durable, idempotent
             store of the same rows costs, with no lookup and no check

Each run starts from a copy of the seeded database (SQLite) or a fresh
schema with the seeded rows (PostgreSQL). Prints gifts/s per run, the
medians, and the engine's median over each raw median.
`

// Modes of the gift benchmark besides engine-cN and raw-cN.
const (
	modeRawBatch   = "raw-batch"
	modeKeyedBatch = "keyed-batch" // SQLite only
)

// giftLoad is the gift benchmark's workload.
type giftLoad struct {
	// w holds the fans, clubs and each fan's club (it has no events).
	w *benchload.Workload
	// coinsEach is each fan's coin balance before the gifts.
	coinsEach int64
	gifts     []giftSpec
	// share is the creators' share of gift value.
	share float64
	// writers is the engine's GiftWriters (0: its default).
	writers int
}

// giftSpec is one gift of the workload.
type giftSpec struct{ fan, club, coins int64 }

// newGiftLoad draws the workload.
func newGiftLoad(cfg benchload.Config, gifts int) *giftLoad {
	cfg.Events = 0
	w := benchload.Generate(cfg)
	rng := rand.New(rand.NewPCG(cfg.Seed^0x5eed, cfg.Seed))
	l := &giftLoad{w: w, coinsEach: 100_000, gifts: make([]giftSpec, gifts), share: 0.5}
	for i := range l.gifts {
		fan := int64(rng.IntN(cfg.Fans) + 1)
		l.gifts[i] = giftSpec{fan: fan, club: w.ClubOf[fan-1], coins: int64(1 + rng.IntN(10))}
	}
	return l
}

// giftKey is gift i's idempotency key.
func giftKey(i int) string { return "bench-gift-" + strconv.Itoa(i) }

// seed stores a creator per club, the clubs, the fans and their active
// memberships (joined the day before), and each fan's coins, bought from
// the platform's issuer through ledger.Post.
func (l *giftLoad) seed(ctx context.Context, s fanclub.Store) error {
	tx, err := s.BeginTx(ctx, true)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	w := l.w
	for i := range w.Clubs {
		cr := &fanclub.Creator{Handle: fmt.Sprintf("bench-creator-%d", i+1)}
		if err := tx.CreateCreator(ctx, cr); err != nil {
			return err
		}
		cl := &fanclub.Club{ID: int64(i + 1), CreatorID: cr.ID, Name: fmt.Sprintf("club-%d", i+1), Policy: benchload.PolicyName}
		if err := tx.CreateClub(ctx, cl); err != nil {
			return err
		}
	}
	joined := w.Day.Add(-24 * time.Hour)
	ms := make([]*fanclub.Membership, 0, 1000)
	ts := make([]ledger.Transfer, 0, 1000)
	for i := range w.Fans {
		f := &fanclub.Fan{ID: int64(i + 1), Handle: fmt.Sprintf("fan-%d", i+1), PasswordHash: "-"}
		if err := tx.CreateFan(ctx, f); err != nil {
			return err
		}
		ms = append(ms, &fanclub.Membership{FanID: f.ID, ClubID: w.ClubOf[i], Status: fanclub.StatusActive,
			Level: 1, JoinedAt: joined, LastInteractionAt: joined, Version: 1})
		ts = append(ts, ledger.Transfer{Key: fmt.Sprintf("bench-coins/%d", f.ID), Debit: ledger.PlatformCoins().ID,
			Credit: ledger.FanCoins(f.ID).ID, Asset: ledger.Coin, Amount: l.coinsEach, Code: "coins"})
		if len(ms) == cap(ms) || i == w.Fans-1 {
			if err := tx.SaveMemberships(ctx, ms); err != nil {
				return err
			}
			if _, err := ledger.Post(ctx, tx, tx.Now(), ts...); err != nil {
				return err
			}
			ms, ts = ms[:0], ts[:0]
		}
	}
	return tx.Commit()
}

// giftPolicies serves the benchmark policy with a creator share.
type giftPolicies struct{ p *fanclub.Policy }

// newGiftPolicies returns benchload's policy with the creators' share.
func newGiftPolicies(share float64) *giftPolicies {
	p, err := benchload.NewPolicies().Policy(benchload.PolicyName)
	if err != nil {
		panic(err)
	}
	q := *p
	q.Revenue.CreatorShare = share
	return &giftPolicies{p: &q}
}

// Policy returns the benchmark policy; other names are not found.
func (ps *giftPolicies) Policy(name string) (*fanclub.Policy, error) {
	if name != benchload.PolicyName {
		return nil, fanclub.Errorf(fanclub.ENOTFOUND, "Policy %q not found.", name)
	}
	return ps.p, nil
}

// sendGifts sends every gift of l through eng from conc goroutines and
// returns how many were acknowledged and how many failed with a
// retryable error (a conflict the engine's retries did not get past);
// any other error stops the run.
func (l *giftLoad) sendGifts(ctx context.Context, eng *fanclub.Engine, conc int) (acked, failed int, err error) {
	var next, done, lost atomic.Int64
	var once sync.Once
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(l.gifts) {
					return
				}
				g := l.gifts[i]
				if _, gerr := eng.SendGift(ctx, g.fan, g.club, g.coins, giftKey(i)); fanclub.IsRetryable(gerr) {
					lost.Add(1)
					continue
				} else if gerr != nil {
					once.Do(func() { err = fmt.Errorf("gift %d: %w", i, gerr) })
					next.Store(int64(len(l.gifts)))
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	return int(done.Load()), int(lost.Load()), err
}

// failures counts, per mode, the gifts that failed with a retryable error.
type failures map[string]int

// print reports the modes with failed gifts.
func (f failures) print(w io.Writer) {
	for m, n := range f {
		if n > 0 {
			fmt.Fprintf(w, "%s: %d gifts failed with a retryable conflict over all its runs (not counted in its rate)\n", m, n)
		}
	}
}

// giftRows are the rows raw modes insert for one gift: its two ledger
// transfers and its gift row, with the engine's keys and values.
type giftRows struct {
	transfers [2][]any
	gift      []any
}

// rawRows builds every gift's rows before the clock starts.
func (l *giftLoad) rawRows() []giftRows {
	at := l.w.End().UnixNano()
	cur := ledger.Asset(fanclub.DefaultCurrency)
	out := make([]giftRows, len(l.gifts))
	for i, g := range l.gifts {
		key := fmt.Sprintf("gift/%d/%s", g.fan, fanclub.KeyedEventID(g.fan, "gift:"+giftKey(i)))
		value := g.coins * fanclub.DefaultCoinPrice
		share := int64(float64(value) * l.share)
		creator := g.club // one creator per club, created in club order
		out[i] = giftRows{
			transfers: [2][]any{
				{key + "/coins", string(ledger.FanCoins(g.fan).ID), string(ledger.PlatformCoins().ID), string(ledger.Coin), g.coins, int64(0), "", "posted", "gift", key, at},
				{key + "/share", string(ledger.PlatformRevenue(cur).ID), string(ledger.CreatorPending(creator, cur).ID), string(cur), share, int64(0), "", "posted", "gift_share", key, at},
			},
			gift: []any{key, g.fan, g.club, creator, g.coins, value, share, string(cur), 10 * g.coins, fanclub.KeyedEventID(g.fan, "gift-event:"+giftKey(i)), at},
		}
	}
	return out
}

// Columns of the raw modes' plain tables.
var (
	rawTransferCols = []string{"key", "debit_account", "credit_account", "asset", "amount", "flags", "pending_key", "state", "code", "ref", "at"}
	rawGiftCols     = []string{"key", "fan_id", "club_id", "creator_id", "coins", "value", "share", "currency", "points", "event_id", "at"}
)

// runBenchGifts runs 'fanclub bench gifts'.
func runBenchGifts(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := benchload.DefaultConfig()
	fs := benchFlagSet("fanclub bench gifts", benchGiftsUsage, stderr)
	gifts := fs.Int("gifts", 200_000, "gifts per run")
	fs.IntVar(&cfg.Fans, "fans", cfg.Fans, "fans, each a member of one club")
	fs.IntVar(&cfg.Clubs, "clubs", cfg.Clubs, "clubs, each with a creator of its own")
	fs.IntVar(&cfg.BatchSize, "batch", cfg.BatchSize, "gifts per transaction of the raw-batch mode")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "workload seed")
	concList := fs.String("concurrency", "1,8", "comma-separated goroutine counts of the engine (and, on PostgreSQL, raw) modes")
	runs := fs.Int("runs", 3, "runs of each mode; the median is reported")
	warmup := fs.Int("warmup", 1, "untimed runs of each mode first")
	dbPath := fs.String("db", "", "database file to seed and copy for each run (default: in a temporary directory), or a postgres:// server URL")
	writers := fs.Int("writers", 0, "gift batches the engine runs at once (0: its default, 1 on SQLite and 2 on PostgreSQL)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the timed and warm-up runs (not the seeding) to this file")
	if code := parseBenchFlags(fs, args, stdout); code >= 0 {
		return code
	}
	var concs []int
	for f := range strings.SplitSeq(*concList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "fanclub bench gifts: --concurrency: %q is not a positive number\n", f)
			return 2
		}
		concs = append(concs, n)
	}
	if fs.NArg() > 0 || *gifts < 1 || cfg.Fans < 1 || cfg.Clubs < 2 || cfg.BatchSize < 1 || *runs < 1 || *warmup < 0 {
		fmt.Fprintln(stderr, "fanclub bench gifts: --gifts, --fans, --batch and --runs must be positive, --clubs at least 2, --warmup not negative, and no arguments")
		return 2
	}
	if *writers < 0 || *writers > 64 {
		fmt.Fprintf(stderr, "fanclub bench gifts: --writers %d: want a number from 0 (the default for the store) to 64, as serve's --gift-writers\n", *writers)
		return 2
	}
	if isPostgresDSN(*dbPath) {
		if err := checkDSN(*dbPath); err != nil {
			fmt.Fprintln(stderr, "fanclub bench gifts:", err)
			return 2
		}
	}
	l := newGiftLoad(cfg, *gifts)
	l.writers = *writers
	fmt.Fprintf(stdout, "workload: %d gifts of 1-10 coins, %d fans with %d coins each, %d clubs (Zipf s=%.1f) with a creator each, creator share %.2f, seed %d\n",
		len(l.gifts), cfg.Fans, l.coinsEach, cfg.Clubs, cfg.ZipfS, l.share, cfg.Seed)
	r := benchRounds{runs: *runs, warmup: *warmup}
	if isPostgresDSN(*dbPath) {
		return runBenchGiftsPostgres(ctx, l, *dbPath, concs, r, *cpuProfile, stdout, stderr)
	}
	path, done, code := benchScratch("gifts", *dbPath, "gifts.db", stderr)
	if code >= 0 {
		return code
	}
	defer done()
	fmt.Fprintf(stdout, "machine: %d CPUs, %s, %s/%s, database %s\n", runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, path)
	start := time.Now()
	b, err := newSQLiteGifts(ctx, path, l)
	if err != nil {
		fmt.Fprintf(stderr, "fanclub bench gifts: seed: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "seeded in %s; synchronous=NORMAL; rates are gifts/s (events = gifts)\n\n", time.Since(start).Round(time.Millisecond))
	stop, err := startCPUProfile(*cpuProfile)
	if err != nil {
		fmt.Fprintf(stderr, "fanclub bench gifts: %v\n", err)
		return 1
	}
	defer stop()
	var modes []benchMode
	for _, c := range concs {
		modes = append(modes, benchMode{fmt.Sprintf("engine-c%d", c), func() (benchload.Result, error) { return b.engine(ctx, c) }})
	}
	modes = append(modes,
		benchMode{"raw-c1", func() (benchload.Result, error) { return b.raw(ctx, 1, false) }},
		benchMode{modeRawBatch, func() (benchload.Result, error) { return b.raw(ctx, cfg.BatchSize, false) }},
		benchMode{modeKeyedBatch, func() (benchload.Result, error) { return b.raw(ctx, cfg.BatchSize, true) }})
	med, err := runBenchModes(ctx, modes, r, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "\nfanclub bench gifts: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout)
	b.failed.print(stdout)
	for _, c := range concs {
		m := fmt.Sprintf("engine-c%d", c)
		fmt.Fprintf(stdout, "%s / raw-c1 %.2f; %s / raw-batch %.3f; %s / keyed-batch %.3f\n", m, med[m]/med["raw-c1"], m, med[m]/med[modeRawBatch], m, med[m]/med[modeKeyedBatch])
	}
	return 0
}

// sqliteGifts runs the gift modes on copies of one seeded SQLite file.
type sqliteGifts struct {
	l        *giftLoad
	failed   failures
	template string
	log      *slog.Logger
}

// newSQLiteGifts seeds the database file path (replacing it) for l.
func newSQLiteGifts(ctx context.Context, path string, l *giftLoad) (*sqliteGifts, error) {
	b := &sqliteGifts{l: l, failed: failures{}, template: path, log: slog.New(slog.DiscardHandler)}
	removeSQLite(path)
	db, err := sqlite.Open(ctx, path, sqlite.Options{Now: l.w.End, Logger: b.log})
	if err != nil {
		return nil, err
	}
	if err := l.seed(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return b, db.Close()
}

// fresh copies the template to PATH.gifts and opens it.
func (b *sqliteGifts) fresh(ctx context.Context) (*sqlite.DB, string, error) {
	path := b.template + ".gifts"
	removeSQLite(path)
	if err := copyFile(b.template, path); err != nil {
		return nil, "", err
	}
	db, err := sqlite.Open(ctx, path, sqlite.Options{Now: b.l.w.End, Logger: b.log})
	return db, path, err
}

// engine sends every gift through engine.SendGift from conc goroutines.
func (b *sqliteGifts) engine(ctx context.Context, conc int) (benchload.Result, error) {
	db, path, err := b.fresh(ctx)
	if err != nil {
		return benchload.Result{}, err
	}
	defer removeSQLite(path)
	defer db.Close()
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: newGiftPolicies(b.l.share), Logger: b.log, GiftWriters: b.l.writers})
	r := benchload.Result{Mode: "engine"}
	start := time.Now()
	n, failed, err := b.l.sendGifts(ctx, eng, conc)
	b.failed[fmt.Sprintf("engine-c%d", conc)] += failed
	if r.Events = n; err != nil {
		return r, err
	}
	r.Acked = time.Since(start)
	if err := db.Close(); err != nil {
		return r, fmt.Errorf("close: %w", err)
	}
	r.Elapsed = time.Since(start)
	return r, nil
}

// startCPUProfile starts a CPU profile into path ("" profiles nothing)
// and returns the function that stops it.
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// copyFile copies the file src to dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// removeSQLite removes a database file and its WAL and shared-memory files.
func removeSQLite(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

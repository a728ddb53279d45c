package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	crand "crypto/rand"

	"fanclub"
	"fanclub/argon2id"
	"fanclub/policyfile"
)

// Sizes of the crash test of creator revenue.
const (
	crashRevFans     = 12
	crashRevBuys     = 2   // coin purchases per fan
	crashRevBuyCoins = 300 // coins per purchase
	crashRevKills    = 4   // runs killed before one runs to the end
	crashRevPayout   = 600 // minor units per scripted payout
	// crashRevKillSpread bounds the commits a run makes past the start of
	// the step its kill is drawn at.
	crashRevKillSpread = 8
	// crashRevTail is how many steps at the script's end no kill is drawn
	// at: each commits more than crashRevKillSpread times together.
	crashRevTail = 5
)

// crashRevPresets are the clubs of the test, one creator each: the
// flagging and freezing presets, the reversing one and fair.
var crashRevPresets = []string{"fair", "douyin", "kuaishou", "wechat-channels"}

// revenueWorld is the data of the crash test of creator revenue: a
// creator and club per preset, the fans (members of every club) and the
// script every child process runs from the start.
type revenueWorld struct {
	Creators map[string]int64 `json:"creators"`
	Clubs    map[string]int64 `json:"clubs"`
	Fans     []int64          `json:"fans"`
	Steps    []revenueStep    `json:"steps"`
}

// revenueStep is one step of the script at its time on the child's
// manual clock: "buy" coin purchases and "gifts" (Reqs, sent four at a
// time), a fan's "exit" from a club, "jobs" (every due job), an
// operator's "release" or "void" of the hold a fan's exit made, "close"
// of the review a fan's exit opened (then the due jobs), and a creator's
// "payout" of Amount under Key.
type revenueStep struct {
	At      time.Time   `json:"at"`
	Kind    string      `json:"kind"`
	Reqs    []*moneyReq `json:"reqs,omitempty"`
	Fan     int64       `json:"fan,omitempty"`
	Club    int64       `json:"club,omitempty"`
	Creator int64       `json:"creator,omitempty"`
	Amount  int64       `json:"amount,omitempty"`
	Key     string      `json:"key,omitempty"`
}

// TestCrashRevenue kills the process that runs creator revenue with
// SIGKILL at random points, on a SQLite file and on PostgreSQL
// (FANCLUB_TEST_POSTGRES_URL).
//
// A creator per preset (fair, douyin, kuaishou, wechat-channels) has a
// club every fan joined. The test binary, re-executed with a manual
// clock, runs a script over two Mondays in Asia/Shanghai: the fans buy
// coins and send gifts (the last round minutes before Monday 00:00, the
// next seconds after it); fans leave the douyin club (their share is
// frozen), the kuaishou club (the creator is flagged, the fan charged
// damages) and the wechat-channels club (reversed at settlement); the
// weekly settlement jobs run; an operator releases and voids holds and
// closes reviews (the held weeks catch up); the creators are paid out
// through the sandbox provider's two-phase payouts. The process is killed
// four times after a random number of commits; each restart runs the
// script again from its start (every step is keyed or finds its work
// done, and its clock is two minutes later than the previous run's, so
// the leases the killed run left have run out) and the jobs resume; a
// fifth run goes to the end. Then, on the store: the ledger passes
// ledger.Audit; every gift of the script is stored once; each club has
// one settlement per week, settled, whose lines account for every gift
// of the week and whose pending → available transfer is the only one of
// its club-week, with its amount; each provider payout record has one
// posted payout of its key and amount in the ledger and no payout is
// left pending; no fan's coins are below zero; each creator's pending,
// frozen, released and available money plus the money paid out equals
// the shares booked less the reversed and voided ones, in the ledger and
// in CreatorRevenue; the settlement and payout jobs ended.
func TestCrashRevenue(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test re-executes the test binary and kills it")
	}
	t.Parallel()
	for _, tc := range storeDSNs {
		t.Run(tc.store, func(t *testing.T) {
			t.Parallel()
			testCrashRevenue(t, tc.dsn(t))
		})
	}
}

func testCrashRevenue(t *testing.T, dsn string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	w := seedCrashRevenue(ctx, t, dsn)
	seed := uint64(time.Now().UnixNano())
	rnd := rand.New(rand.NewPCG(seed, 0))
	// Each kill is drawn at a step (later for each run) and a number of
	// commits past its start.
	steps := make([]int, crashRevKills)
	for i := range steps {
		steps[i] = 1 + rnd.IntN(len(w.Steps)-crashRevTail-1)
	}
	slices.Sort(steps)
	t.Logf("seed %d: kills at steps %v", seed, steps)
	mw := &moneyWorld{dsn: dsn}
	for round := range crashRevKills + 1 {
		c := startMoneyChild(t, mw, crashMoneyConfig{Role: "revenue", Round: round, Revenue: w})
		if round == crashRevKills {
			c.wait(t)
			t.Logf("run %d finished after %d commits", round+1, c.commits.Load())
			break
		}
		for lastStep(c) < steps[round] {
			if c.exited() {
				t.Fatalf("run %d ended before step %d:\n%s", round+1, steps[round], c.stderr)
			}
			time.Sleep(100 * time.Microsecond)
		}
		c.waitCommits(t, c.commitsAtStep(steps[round])+rnd.Int64N(crashRevKillSpread))
		c.kill(t)
		t.Logf("run %d killed after %d commits in step %d", round+1, c.commits.Load(), lastStep(c))
	}
	db, err := openStore(ctx, dsn, storeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkCrashRevenue(ctx, t, db, w)
	t.Logf("%s: %d steps, %d kills, in %s", filepath.Base(dsn), len(w.Steps), crashRevKills, time.Since(start).Round(time.Millisecond))
}

// lastStep is the index of the last step a child started ("s N KIND"),
// -1 before the first.
func lastStep(c *moneyChild) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.lines) - 1; i >= 0; i-- {
		if f := strings.Fields(c.lines[i]); len(f) == 3 && f[0] == "s" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return -1
}

// seedCrashRevenue creates the creators, clubs and fans (members of
// every club, password "password1"), writes the script and closes the
// store.
func seedCrashRevenue(ctx context.Context, t *testing.T, dsn string) *revenueWorld {
	t.Helper()
	db, err := openStore(ctx, dsn, storeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: argon2id.New(argon2id.TestParams), Random: crand.Reader})
	w := &revenueWorld{Creators: map[string]int64{}, Clubs: map[string]int64{}}
	for _, p := range crashRevPresets {
		cr, err := eng.CreateCreator(ctx, "crash_rev_"+p[:4])
		if err != nil {
			t.Fatal(err)
		}
		c, err := eng.CreateClub(ctx, cr.ID, p, p)
		if err != nil {
			t.Fatal(err)
		}
		w.Creators[p], w.Clubs[p] = cr.ID, c.ID
	}
	for i := range crashRevFans {
		f, err := eng.CreateFan(ctx, fmt.Sprintf("crash_rev_fan_%d", i), "password1")
		if err != nil {
			t.Fatal(err)
		}
		w.Fans = append(w.Fans, f.ID)
		for _, p := range crashRevPresets {
			if _, err := eng.Join(ctx, f.ID, w.Clubs[p]); err != nil {
				t.Fatal(err)
			}
		}
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	// Wednesday 10:00 of next week, after the joins.
	week1 := fanclub.WeekStart(time.Now().AddDate(0, 0, 7), loc)
	w.Steps = crashRevenueScript(w, week1)
	return w
}

// crashRevenueScript is the script of the test from the Monday week1
// (00:00 in Asia/Shanghai, as a UTC instant): see TestCrashRevenue. The
// fans who leave are the first ones of each club; later gift rounds
// leave them out of the clubs they left.
func crashRevenueScript(w *revenueWorld, week1 time.Time) []revenueStep {
	day := 24 * time.Hour
	week2, week3 := week1.Add(7*day), week1.Add(14*day)
	left := map[string]int{} // preset → fans who left, the first ones
	var steps []revenueStep
	gifts := func(at time.Time, round int) {
		s := revenueStep{At: at, Kind: "gifts"}
		for i, f := range w.Fans {
			for k, p := range crashRevPresets {
				if i < left[p] {
					continue
				}
				s.Reqs = append(s.Reqs, &moneyReq{Fan: f, Kind: "gift", Club: w.Clubs[p], Coins: int64(5 + (i+k+round)%17),
					Key: fmt.Sprintf("rev-gift-%d-%s-%d", f, p, round)})
			}
		}
		steps = append(steps, s)
	}
	exits := func(at time.Time, p string, n int) {
		for ; left[p] < n; left[p]++ {
			steps = append(steps, revenueStep{At: at, Kind: "exit", Fan: w.Fans[left[p]], Club: w.Clubs[p]})
		}
	}
	op := func(at time.Time, kind, p string, fan int) {
		steps = append(steps, revenueStep{At: at, Kind: kind, Fan: w.Fans[fan], Club: w.Clubs[p], Creator: w.Creators[p]})
	}
	payouts := func(at time.Time, n int, presets ...string) {
		steps = append(steps, revenueStep{At: at, Kind: "jobs"})
		for _, p := range presets {
			steps = append(steps, revenueStep{At: at, Kind: "payout", Creator: w.Creators[p], Amount: crashRevPayout,
				Key: "rev-payout-" + p + "-" + strconv.Itoa(n)})
		}
	}
	buy := revenueStep{At: week1.Add(2*day + 10*time.Hour), Kind: "buy"}
	for _, f := range w.Fans {
		for k := range crashRevBuys {
			buy.Reqs = append(buy.Reqs, &moneyReq{Fan: f, Kind: "coins", Coins: crashRevBuyCoins, Key: fmt.Sprintf("rev-coins-%d-%d", f, k)})
		}
	}
	steps = append(steps, buy)
	gifts(week1.Add(2*day+11*time.Hour), 1)
	gifts(week1.Add(4*day+20*time.Hour), 2)
	sat := week1.Add(5*day + 12*time.Hour)
	exits(sat, "douyin", 3)
	exits(sat, "kuaishou", 1)
	exits(sat, "wechat-channels", 2)
	gifts(week2.Add(-30*time.Minute), 3) // minutes before Monday
	steps = append(steps, revenueStep{At: week2.Add(20 * time.Second), Kind: "jobs"})
	gifts(week2.Add(40*time.Second), 4) // seconds after it
	mon := week2.Add(10 * time.Hour)
	op(mon, "release", "douyin", 0)
	op(mon, "void", "douyin", 1)
	payouts(mon, 1, "fair", "douyin", "wechat-channels")
	wed := week2.Add(2*day + 10*time.Hour)
	op(wed, "close", "kuaishou", 0)
	payouts(wed.Add(time.Hour), 1, "kuaishou")
	gifts(wed.Add(2*time.Hour), 5)
	exits(wed.Add(3*time.Hour), "douyin", 4)
	exits(wed.Add(3*time.Hour), "kuaishou", 2)
	exits(wed.Add(3*time.Hour), "wechat-channels", 3)
	steps = append(steps, revenueStep{At: week3.Add(20 * time.Second), Kind: "jobs"})
	gifts(week3.Add(time.Minute), 6)
	mon3 := week3.Add(9 * time.Hour)
	op(mon3, "release", "douyin", 2)
	op(mon3, "release", "douyin", 3)
	op(mon3, "close", "kuaishou", 1)
	payouts(mon3.Add(time.Hour), 2, crashRevPresets...)
	// The payout jobs of requests a kill interrupted are due five
	// minutes after them.
	steps = append(steps, revenueStep{At: mon3.Add(3 * time.Hour), Kind: "jobs"})
	return steps
}

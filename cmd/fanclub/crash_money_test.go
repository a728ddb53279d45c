package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	crand "crypto/rand"

	"fanclub"
	"fanclub/argon2id"
	"fanclub/policyfile"
)

// crashMoneyEnv names the JSON file that tells a re-executed test binary
// what to do (crashMoneyChild).
const crashMoneyEnv = "FANCLUB_CRASH_MONEY"

// Sizes of the crash test of money.
const (
	crashMoneyFans       = 24
	crashMoneyBuys       = 2   // coin purchases per fan
	crashMoneyBuyCoins   = 300 // coins per purchase
	crashMoneyGifts      = 10  // gifts per fan through serve
	crashMoneyJobGifts   = 6   // gifts per fan in the renewal process
	crashMoneyMonths     = 3   // renewal months the renewal process runs
	crashMoneyKillAfter  = 150 // write commits of a renewal process before its kill
	crashMoneyRenewKills = 2   // renewal processes killed before one runs to the end
)

// crashMoneyServeKills say when serve is killed, one kill per entry:
// once this share of the requests of this kind is acknowledged.
var crashMoneyServeKills = []struct {
	kind  string
	share float64
}{{"coins", 0.5}, {"sub", 0.5}, {"gift", 0.25}, {"gift", 0.6}}

// moneyReq is one keyed money-moving request of a fan: a coin purchase
// ("coins"), a subscription ("sub") or a gift ("gift").
type moneyReq struct {
	Fan   int64  `json:"fan"`
	Kind  string `json:"kind"`
	Club  int64  `json:"club,omitempty"`
	Coins int64  `json:"coins,omitempty"`
	Key   string `json:"key"`
	// acked is set once an answer 200 came back; id is the gift's or the
	// payment's id it named.
	acked bool
	id    int64
	last  string
}

// moneyWorld is the crash test's data: the clubs (fair, douyin,
// kuaishou), the fans with their tokens, and each fan's requests in the
// order the fan sends them.
type moneyWorld struct {
	dsn    string
	clubs  []int64
	fans   []int64
	tokens map[int64]string
	// reqs are sent through serve; jobGifts by the renewal process.
	reqs     map[int64][]*moneyReq
	jobGifts []*moneyReq
}

// TestCrashMoney kills money-moving processes with SIGKILL and checks
// that no acknowledged transfer is lost and none is doubled, on a SQLite
// file and on PostgreSQL (FANCLUB_TEST_POSTGRES_URL).
//
// Fans of a fair, a douyin and a kuaishou club (renewals on a payment
// agreement) buy coins, subscribe monthly with auto-renew and send gifts
// through 'fanclub serve' (the test binary re-executed as the serve
// command, jobs on), all fans at once. Serve is killed four times (once
// half the coin purchases are answered, half the subscribes, a quarter
// and 60% of the gifts), each time restarted on the same database with
// every request sent again under its Idempotency-Key: an answered request
// must name the same gift or payment again. Then a process with a manual
// clock runs three months of due jobs (renewal charges through the
// sandbox provider, reconcile jobs) while it sends more gifts; it is
// killed twice after 150 commits and a third run finishes, each run
// re-sending every gift. Finally, through a restarted serve (GET
// /v1/me/wallet) and the store opened directly: each fan's wallet is the
// coins bought minus the coins of the gifts stored; every gift request is
// stored exactly once, with the id its acknowledgement named; every coin
// purchase and subscription has one succeeded payment and none is left
// pending; each subscription's succeeded renewal payments equal its
// period index and its current period holds the last clock (no period
// charged twice, none skipped); every charge the sandbox provider made is
// a succeeded payment of the same key and amount, and no payment lacks
// one; the ledger passes ledger.Audit (unique keys, balanced transfers,
// per-asset sums zero, balances equal to the log), has one transfer per
// gift, per coin purchase and per charge, and the payment clearing
// account is minus the money charged less the money refunded.
func TestCrashMoney(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test re-executes the test binary and kills it")
	}
	t.Parallel()
	for _, tc := range storeDSNs {
		t.Run(tc.store, func(t *testing.T) {
			t.Parallel()
			testCrashMoney(t, tc.dsn(t))
		})
	}
}

func testCrashMoney(t *testing.T, dsn string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	w := seedCrashMoney(ctx, t, dsn)

	// Serve, killed twice while fans buy, subscribe and send gifts (the
	// second time while they also send again what was answered), then
	// run to the end: every request is sent again with its key.
	for round, kill := range crashMoneyServeKills {
		srv := startMoneyChild(t, w, crashMoneyConfig{Role: "serve"})
		var newAcked atomic.Int64
		before := countAcked(w, kill.kind)
		var wg sync.WaitGroup
		for _, f := range w.fans {
			wg.Go(func() {
				for _, r := range w.reqs[f] {
					was := r.acked
					if !resendMoneyReq(t, srv.base, w.tokens[f], r) {
						return // the server is gone: the rest waits for the next round
					}
					if r.Kind == kill.kind && !was {
						newAcked.Add(1)
					}
				}
			})
		}
		// The fans stop at their first failed request: when all have
		// stopped before the target, kill now rather than wait for ever.
		sending := make(chan struct{})
		go func() { wg.Wait(); close(sending) }()
		target := int64(float64(countReqsOf(w, kill.kind))*kill.share) - int64(before)
	wait:
		for newAcked.Load() < target && !srv.exited() {
			select {
			case <-sending:
				break wait
			case <-ctx.Done():
				t.Fatalf("serve kill %d: %d of %d %s requests acknowledged before the test's deadline", round+1, newAcked.Load(), target, kill.kind)
			case <-time.After(time.Millisecond):
			}
		}
		srv.kill(t)
		wg.Wait()
		acked := countAcked(w, "")
		t.Logf("serve kill %d (%s): %d of %d requests acknowledged, %d gifts; %s", round+1, kill.kind, acked, countReqs(w), countAcked(w, "gift"), crashState(ctx, t, w))
		if acked == countReqs(w) {
			t.Fatalf("serve kill %d came after every request was answered", round+1)
		}
	}
	srv := startMoneyChild(t, w, crashMoneyConfig{Role: "serve"})
	var wg sync.WaitGroup
	for _, f := range w.fans {
		wg.Go(func() {
			for _, r := range w.reqs[f] {
				retryMoneyReq(t, srv.base, w.tokens[f], r)
			}
		})
	}
	wg.Wait()
	srv.kill(t)
	if t.Failed() {
		t.FailNow()
	}

	// Renewals and gifts in a process with a manual clock, killed twice,
	// then run again to the end; each run sends every gift.
	base := time.Now().UTC()
	cfg := crashMoneyConfig{Role: "renew", Base: base, Months: crashMoneyMonths, Gifts: w.jobGifts}
	acked := map[string]int64{}
	for round := range crashMoneyRenewKills + 1 {
		c := startMoneyChild(t, w, cfg)
		if round < crashMoneyRenewKills {
			c.waitCommits(t, crashMoneyKillAfter)
			c.kill(t)
		} else {
			c.wait(t)
		}
		ids := c.giftIDs()
		for key, id := range ids {
			if prev, ok := acked[key]; ok && prev != id {
				t.Errorf("gift %s: acknowledged as gift %d, re-sent it is gift %d", key, prev, id)
			}
			acked[key] = id
		}
		if round < crashMoneyRenewKills {
			t.Logf("renewal process kill %d after %d commits: %d of %d gifts acknowledged in this run (%d in all, %d through serve); %s",
				round+1, crashMoneyKillAfter, len(ids), len(w.jobGifts), len(acked), countAcked(w, "gift"), crashState(ctx, t, w))
		}
	}
	for _, r := range w.jobGifts {
		id, ok := acked[r.Key]
		if !ok {
			t.Errorf("gift %s: not acknowledged by the last renewal process", r.Key)
		}
		r.acked, r.id = ok, id
	}

	// Wallets through a last serve, then the store.
	srv = startMoneyChild(t, w, crashMoneyConfig{Role: "serve"})
	wallets := map[int64]int64{}
	for _, f := range w.fans {
		var wl fanclub.Wallet
		if code, body := moneyHTTP(srv.base, "GET", "/v1/me/wallet", w.tokens[f], nil, ""); code != 200 {
			t.Fatalf("wallet of fan %d: %d %s", f, code, body)
		} else if err := json.Unmarshal(body, &wl); err != nil {
			t.Fatal(err)
		}
		wallets[f] = wl.Coins
	}
	srv.kill(t)
	db, err := openStore(ctx, dsn, storeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkCrashMoney(ctx, t, db, w, wallets, base.AddDate(0, crashMoneyMonths, 2))
	t.Logf("%s: %d requests through serve, %d gifts in the renewal process, %d months of renewals, in %s",
		filepath.Base(dsn), countReqs(w), len(w.jobGifts), crashMoneyMonths, time.Since(start).Round(time.Millisecond))
}

// seedCrashMoney creates the clubs, the fans (members of every club),
// their tokens and requests, and closes the store.
func seedCrashMoney(ctx context.Context, t *testing.T, dsn string) *moneyWorld {
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
	cr, err := eng.CreateCreator(ctx, "crash_money")
	if err != nil {
		t.Fatal(err)
	}
	w := &moneyWorld{dsn: dsn, tokens: map[int64]string{}, reqs: map[int64][]*moneyReq{}}
	for _, p := range []string{"fair", "douyin", "kuaishou"} {
		c, err := eng.CreateClub(ctx, cr.ID, p, p)
		if err != nil {
			t.Fatal(err)
		}
		w.clubs = append(w.clubs, c.ID)
	}
	tx, err := db.BeginTx(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	for i := range crashMoneyFans {
		f := &fanclub.Fan{Handle: fmt.Sprintf("crash_fan_%d", i), PasswordHash: "-"}
		if err := tx.CreateFan(ctx, f); err != nil {
			t.Fatal(err)
		}
		w.fans = append(w.fans, f.ID)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for i, f := range w.fans {
		for _, c := range w.clubs {
			if _, err := eng.Join(ctx, f, c); err != nil {
				t.Fatal(err)
			}
		}
		if w.tokens[f], err = eng.IssueToken(ctx, fanclub.RoleFan, f); err != nil {
			t.Fatal(err)
		}
		// Coins first, then two subscriptions, then gifts into every club.
		for k := range crashMoneyBuys {
			w.reqs[f] = append(w.reqs[f], &moneyReq{Fan: f, Kind: "coins", Coins: crashMoneyBuyCoins, Key: fmt.Sprintf("coins-%d-%d", f, k)})
		}
		for k, c := range w.clubs {
			if (i+k)%3 != 0 {
				w.reqs[f] = append(w.reqs[f], &moneyReq{Fan: f, Kind: "sub", Club: c, Key: fmt.Sprintf("sub-%d-%d", f, c)})
			}
		}
		for k := range crashMoneyGifts {
			w.reqs[f] = append(w.reqs[f], &moneyReq{Fan: f, Kind: "gift", Club: w.clubs[k%3], Coins: int64(1 + (i+k)%5), Key: fmt.Sprintf("gift-%d-%d", f, k)})
		}
		for k := range crashMoneyJobGifts {
			w.jobGifts = append(w.jobGifts, &moneyReq{Fan: f, Kind: "gift", Club: w.clubs[(i+k)%3], Coins: int64(1 + k%5), Key: fmt.Sprintf("job-gift-%d-%d", f, k)})
		}
	}
	return w
}

// moneyHTTP sends a request with a bearer token (and an Idempotency-Key
// when key is set); status 0 is a transport error.
func moneyHTTP(base, method, path, token string, body any, key string) (int, []byte) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return 0, []byte(err.Error())
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	c := &http.Client{Timeout: 20 * time.Second}
	res, err := c.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw
}

// sendMoneyReq sends r once and reports whether it was acknowledged; it
// sets r.acked and r.id then, and r.last to any other answer.
func sendMoneyReq(base, token string, r *moneyReq) bool {
	var path string
	var body any
	switch r.Kind {
	case "coins":
		path, body = "/v1/me/coins", map[string]any{"coins": r.Coins}
	case "sub":
		path, body = fmt.Sprintf("/v1/clubs/%d/subscription", r.Club), map[string]any{"tier": "vip", "plan": "monthly", "auto_renew": true}
	case "gift":
		path, body = fmt.Sprintf("/v1/clubs/%d/gifts", r.Club), map[string]any{"coins": r.Coins}
	}
	code, raw := moneyHTTP(base, "POST", path, token, body, r.Key)
	if code != 200 {
		r.last = fmt.Sprintf("%d %s", code, raw)
		return false
	}
	var res struct {
		Payment *struct{ ID int64 } `json:"payment"`
		Gift    *struct{ ID int64 } `json:"gift"`
	}
	if json.Unmarshal(raw, &res) != nil {
		return false
	}
	switch {
	case res.Gift != nil:
		r.id = res.Gift.ID
	case res.Payment != nil:
		r.id = res.Payment.ID
	}
	r.acked = true
	return true
}

// resendMoneyReq sends r (again) once and reports whether it was
// acknowledged; a request acknowledged before must name the same gift or
// payment.
func resendMoneyReq(t *testing.T, base, token string, r *moneyReq) bool {
	was, prev := r.acked, r.id
	if !sendMoneyReq(base, token, r) {
		return false
	}
	if was && r.id != prev {
		t.Errorf("%s %s: acknowledged as %d, sent again as %d", r.Kind, r.Key, prev, r.id)
	}
	return true
}

// retryMoneyReq sends r again until it is acknowledged (a few tries, for
// a server still warming up); it fails the test otherwise.
func retryMoneyReq(t *testing.T, base, token string, r *moneyReq) {
	for try := 0; !resendMoneyReq(t, base, token, r); try++ {
		if try == 20 {
			t.Errorf("%s %s: not acknowledged after the restart: %s", r.Kind, r.Key, r.last)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// countReqs counts the requests sent through serve, countReqsOf those of
// a kind; countAcked those acknowledged, of a kind (all with "").
func countReqs(w *moneyWorld) int {
	n := 0
	for _, rs := range w.reqs {
		n += len(rs)
	}
	return n
}

func countReqsOf(w *moneyWorld, kind string) int {
	n := 0
	for _, rs := range w.reqs {
		for _, r := range rs {
			if r.Kind == kind {
				n++
			}
		}
	}
	return n
}

func countAcked(w *moneyWorld, kind string) int {
	n := 0
	for _, rs := range w.reqs {
		for _, r := range rs {
			if r.acked && (kind == "" || r.Kind == kind) {
				n++
			}
		}
	}
	return n
}

// crashState describes the database a kill left: the payments left
// pending (their charge in flight) and the gifts committed beyond those
// acknowledged (answers lost with the process), which a retry must not
// store again.
func crashState(ctx context.Context, t *testing.T, w *moneyWorld) string {
	t.Helper()
	db, err := openStore(ctx, w.dsn, storeOptions{})
	if err != nil {
		t.Fatalf("reopen after the kill: %v", err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	pending, renewals, gifts := map[string]int{}, 0, 0
	for _, f := range w.fans {
		ps, err := tx.ListPayments(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.Status == fanclub.PaymentPending {
				pending[p.Purpose]++
			} else if p.Purpose == fanclub.PurposeRenewal {
				renewals++
			}
		}
		gs, err := tx.ListGifts(ctx, f, 0, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		gifts += len(gs)
	}
	return fmt.Sprintf("payments pending %v, %d renewals settled, %d gifts stored", pending, renewals, gifts)
}

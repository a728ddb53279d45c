package fanclub_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/internal/teststores"
	"fanclub/ledger"
	"fanclub/payments/sandbox"
	"fanclub/policyfile"
)

// gatedStore holds every write transaction while its gate is shut, so
// that a test can queue gifts behind a batch that waits.
type gatedStore struct {
	fanclub.Store
	mu      sync.Mutex
	gate    chan struct{}
	waiting int
	// begun counts the write transactions begun since shut.
	begun int
}

// waiters counts the transactions waiting at the gate.
func (s *gatedStore) waiters() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waiting
}

// shut makes later write transactions wait until open.
func (s *gatedStore) shut() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate = make(chan struct{})
	s.begun = 0
}

// writes counts the write transactions begun since shut.
func (s *gatedStore) writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.begun
}

// open lets write transactions start.
func (s *gatedStore) open() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gate != nil {
		close(s.gate)
		s.gate = nil
	}
}

// wait blocks while the gate is shut.
func (s *gatedStore) wait() {
	s.mu.Lock()
	g := s.gate
	s.begun++
	if g != nil {
		s.waiting++
	}
	s.mu.Unlock()
	if g != nil {
		<-g
		s.mu.Lock()
		s.waiting--
		s.mu.Unlock()
	}
}

// BeginTx waits for the gate before a write transaction.
func (s *gatedStore) BeginTx(ctx context.Context, write bool) (fanclub.Tx, error) {
	if write {
		s.wait()
	}
	return s.Store.BeginTx(ctx, write)
}

// BeginLockingTx waits for the gate, then starts a locking transaction
// where the store has them (an ordinary write transaction otherwise).
func (s *gatedStore) BeginLockingTx(ctx context.Context) (fanclub.Tx, error) {
	s.wait()
	if ls, ok := s.Store.(fanclub.LockingStore); ok {
		return ls.BeginLockingTx(ctx)
	}
	return s.Store.BeginTx(ctx, true)
}

// gatedGiftEngine builds an engine with the presets and the sandbox
// provider over a gatedStore of a fresh store, running writers gift
// batches at once.
func gatedGiftEngine(t *testing.T, open teststores.Open, writers int) (*fanclub.Engine, *gatedStore) {
	t.Helper()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	c := clock.NewManual(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
	db := &gatedStore{Store: open(t, c.Now)}
	e := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: plainHasher{}, Random: rand.Reader,
		Payments: sandbox.New(db.Store, sandbox.Options{}), GiftWriters: writers})
	return e, db
}

// giftOutcome is what one SendGift returned.
type giftOutcome struct {
	res *fanclub.GiftResult
	err error
}

func TestGiftBatch(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testGiftBatch)
}

// testGiftBatch queues gifts behind a held batch so that they commit in
// one transaction, and checks that each gets the outcome it would have
// had alone, in queue order: a gift short of funds, a non-member's gift
// and a reused key fail without touching the others, and a retry of a
// key queued in the same batch replays the first gift.
func testGiftBatch(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	e, db := gatedGiftEngine(t, open, 1)
	w := worldWithClubs(t, e, 4)
	a, b, cc, outsider, club := w.fans[0], w.fans[1], w.fans[2], w.fans[3], w.clubs["fair"]
	for fan, coins := range map[int64]int64{a: 101, b: 50, cc: 10} {
		if _, err := e.Join(ctx, fan, club); err != nil {
			t.Fatal(err)
		}
		if _, err := e.BuyCoins(ctx, fan, coins, fmt.Sprintf("buy-%d", fan)); err != nil {
			t.Fatal(err)
		}
	}

	db.shut()
	var wg sync.WaitGroup
	send := func(out *giftOutcome, fan, coins int64, key string) {
		wg.Go(func() { out.res, out.err = e.SendGift(ctx, fan, club, coins, key) })
	}
	// The first gift starts a batch that waits at the gate; the rest
	// queue behind it in this order and commit together.
	var first giftOutcome
	send(&first, a, 1, "g0")
	waitFor(t, func() bool { return db.waiters() == 1 })
	type call struct {
		fan, coins int64
		key        string
		code       string
	}
	calls := []call{
		{a, 60, "a1", ""},
		{a, 60, "a2", fanclub.EINSUFFICIENT}, // 40 left
		{b, 20, "b1", ""},
		{outsider, 5, "d1", fanclub.ENOTMEMBER},
		{a, 40, "a3", ""},
		{a, 60, "a1", ""}, // a retry: replays a1
		{b, 21, "b1", fanclub.EKEYREUSED},
		{cc, 10, "c1", ""},
	}
	outs := make([]giftOutcome, len(calls))
	for i, k := range calls {
		send(&outs[i], k.fan, k.coins, k.key)
		waitFor(t, func() bool { return fanclub.PendingGifts(e) == i+1 })
	}
	db.open()
	wg.Wait()

	if first.err != nil {
		t.Fatalf("first gift: %v", first.err)
	}
	for i, k := range calls {
		if got := fanclub.ErrorCode(outs[i].err); got != k.code {
			t.Fatalf("gift %d (%s): error %v, want code %q", i, k.key, outs[i].err, k.code)
		}
	}
	// The first gift's transaction; the batch's, run again without a2
	// (short of funds); and, after it, the retry of a1 with the second
	// use of b1.
	if got := db.writes(); got != 4 {
		t.Fatalf("%d write transactions, want 4", got)
	}
	if outs[5].res.Gift.ID != outs[0].res.Gift.ID {
		t.Fatalf("retry of a1 got gift %d, want %d", outs[5].res.Gift.ID, outs[0].res.Gift.ID)
	}
	// Each answer shows the wallet and membership as its own gift left
	// them, not as the batch did.
	for i, want := range map[int]struct{ coins, points int64 }{0: {40, 610}, 2: {30, 200}, 4: {0, 1010}, 5: {0, 1010}, 7: {0, 100}} {
		r := outs[i].res
		if r.Wallet.Coins != want.coins || r.Membership.LevelPoints != want.points {
			t.Fatalf("gift %d (%s): wallet %d coins and %d points, want %d and %d", i, calls[i].key,
				r.Wallet.Coins, r.Membership.LevelPoints, want.coins, want.points)
		}
	}
	for fan, want := range map[int64]struct{ coins, points int64 }{a: {0, 1010}, b: {30, 200}, cc: {0, 100}} {
		wl, err := e.Wallet(ctx, fan)
		if err != nil || wl.Coins != want.coins {
			t.Fatalf("fan %d wallet %+v %v, want %d coins", fan, wl, err, want.coins)
		}
		v, err := e.Membership(ctx, fan, club)
		if err != nil || v.LevelPoints != want.points {
			t.Fatalf("fan %d membership %+v %v, want %d points", fan, v, err, want.points)
		}
	}
	// 1+60+20+40+10 = 131 coins, each worth 10 fen, half to the creator.
	creator := outs[0].res.Gift.CreatorID
	if got := readLedgerAccount(t, db, ledger.CreatorPending(creator, "CNY")).Balance(); got != 655 {
		t.Fatalf("creator pending %d, want 655", got)
	}
	auditLedger(t, db)
}

func TestGiftBatchConcurrent(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testGiftBatchConcurrent)
}

// testGiftBatchConcurrent sends many gifts from many goroutines, with
// retries and overspending, and checks the books: each acknowledged key
// is one gift, a fan's coins fell by exactly their acknowledged gifts,
// a refusal for funds left less than that gift, and the ledger audits.
func testGiftBatchConcurrent(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	m := moneyEngineOn(t, open, nil)
	w := worldWithClubs(t, m.Engine, 6)
	club := w.clubs["douyin"]
	const coinsEach = 200
	for i, fan := range w.fans {
		if _, err := m.Join(ctx, fan, club); err != nil {
			t.Fatal(err)
		}
		if _, err := m.BuyCoins(ctx, fan, coinsEach, fmt.Sprintf("buy-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	type sent struct {
		fan, coins int64
		key        string
		res        *fanclub.GiftResult
		err        error
	}
	const senders, each = 12, 10
	var mu sync.Mutex
	var all []sent
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				fan := w.fans[(s+i)%len(w.fans)]
				coins := int64(1 + (s*7+i*3)%25)
				// Every third gift reuses the key of the sender's
				// previous one: a retry, replayed, not a new gift.
				n := i
				if i%3 == 2 {
					n = i - 1
					fan = w.fans[(s+n)%len(w.fans)]
					coins = int64(1 + (s*7+n*3)%25)
				}
				key := fmt.Sprintf("s%d-g%d", s, n)
				res, err := m.SendGift(ctx, fan, club, coins, key)
				mu.Lock()
				all = append(all, sent{fan, coins, key, res, err})
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	ids := map[string]int64{}
	spent := map[int64]int64{}
	points := map[int64]int64{}
	for _, g := range all {
		switch code := fanclub.ErrorCode(g.err); code {
		case "":
			if id, ok := ids[g.key]; ok {
				if id != g.res.Gift.ID {
					t.Fatalf("key %s: gifts %d and %d", g.key, id, g.res.Gift.ID)
				}
				continue
			}
			ids[g.key] = g.res.Gift.ID
			spent[g.fan] += g.coins
			points[g.fan] += 10 * g.coins
		case fanclub.EINSUFFICIENT:
		default:
			t.Fatalf("gift %s: %v", g.key, g.err)
		}
	}
	for _, fan := range w.fans {
		wl, err := m.Wallet(ctx, fan)
		if err != nil || wl.Coins != coinsEach-spent[fan] {
			t.Fatalf("fan %d: wallet %+v %v, want %d coins", fan, wl, err, coinsEach-spent[fan])
		}
		v, err := m.Membership(ctx, fan, club)
		if err != nil || v.LevelPoints != points[fan] {
			t.Fatalf("fan %d: %+v %v, want %d points", fan, v, err, points[fan])
		}
	}
	for _, g := range all {
		if fanclub.ErrorCode(g.err) == fanclub.EINSUFFICIENT {
			if _, acked := ids[g.key]; acked {
				t.Fatalf("key %s both refused for funds and sent", g.key)
			}
			if left := coinsEach - spent[g.fan]; left >= g.coins {
				t.Fatalf("gift %s of %d coins refused for funds, but %d are left after every gift", g.key, g.coins, left)
			}
		}
	}
	auditLedger(t, m.store)
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met in 10s")
}

// auditLedger checks every transfer and account of db with ledger.Audit.
func auditLedger(t *testing.T, db fanclub.Store) {
	t.Helper()
	r := &moneyRun{ctx: context.Background(), moneyEngine: &moneyEngine{store: db}}
	accounts, log := r.ledgerState(t)
	if err := ledger.Audit(accounts, log); err != nil {
		t.Fatalf("ledger audit: %v", err)
	}
}

func TestGiftRetryRacesItsFirstAttempt(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testGiftRetryRacesItsFirstAttempt)
}

// testGiftRetryRacesItsFirstAttempt runs a gift and its retry (same key)
// in two batches at once, the gift spending every coin the fan has: the
// retry must replay the gift, not be refused for the coins the gift
// itself spent.
func testGiftRetryRacesItsFirstAttempt(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	e, db := gatedGiftEngine(t, open, 2)
	w := worldWithClubs(t, e, 1)
	fan, club := w.fans[0], w.clubs["kuaishou"]
	if _, err := e.Join(ctx, fan, club); err != nil {
		t.Fatal(err)
	}
	if _, err := e.BuyCoins(ctx, fan, 100, "buy"); err != nil {
		t.Fatal(err)
	}
	db.shut()
	var wg sync.WaitGroup
	outs := make([]giftOutcome, 2)
	for i := range outs {
		wg.Go(func() { outs[i].res, outs[i].err = e.SendGift(ctx, fan, club, 100, "all-in") })
		waitFor(t, func() bool { return db.waiters() == i+1 })
	}
	db.open()
	wg.Wait()
	for i, o := range outs {
		if o.err != nil {
			t.Fatalf("attempt %d: %v", i, o.err)
		}
	}
	if outs[0].res.Gift.ID != outs[1].res.Gift.ID {
		t.Fatalf("two gifts, %d and %d, for one key", outs[0].res.Gift.ID, outs[1].res.Gift.ID)
	}
	if wl, err := e.Wallet(ctx, fan); err != nil || wl.Coins != 0 {
		t.Fatalf("wallet %+v %v, want 0 coins", wl, err)
	}
	auditLedger(t, db)
}

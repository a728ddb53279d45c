package fanclub_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/internal/teststores"
	"fanclub/ledger"
	"fanclub/payments"
	"fanclub/payments/sandbox"
	"fanclub/policyfile"
)

// moneyEngine is an engine over a fresh store with the built-in presets
// (read from their YAML, so that their money rules are the real ones) and
// the sandbox payment provider.
type moneyEngine struct {
	*fanclub.Engine
	clock *clock.Manual
	store fanclub.Store
	sbx   *sandbox.Provider
}

// moneyEngineOn opens a store with open and builds a moneyEngine on it;
// provider, when not nil, wraps the sandbox.
func moneyEngineOn(t teststores.T, open teststores.Open, wrap func(payments.Provider) payments.Provider) *moneyEngine {
	t.Helper()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatalf("registry: %v", err)
	}
	c := clock.NewManual(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
	db := open(t, c.Now)
	sbx := sandbox.New(db, sandbox.Options{})
	var p payments.Provider = sbx
	if wrap != nil {
		p = wrap(sbx)
	}
	e := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: plainHasher{}, Random: rand.Reader, Payments: p})
	return &moneyEngine{Engine: e, clock: c, store: db, sbx: sbx}
}

// account reads one ledger account's state.
func (m *moneyEngine) account(t testingT, a ledger.Account) ledger.Account {
	t.Helper()
	return readLedgerAccount(t, m.store, a)
}

// readLedgerAccount reads one ledger account's state from db.
func readLedgerAccount(t testingT, db fanclub.Store, a ledger.Account) ledger.Account {
	t.Helper()
	var out ledger.Account
	err := inReadTx(db, func(tx fanclub.Tx) error {
		as, err := tx.LedgerAccounts(context.Background(), []ledger.AccountID{a.ID})
		out = as[a.ID]
		return err
	})
	if err != nil {
		t.Fatalf("account %s: %v", a.ID, err)
	}
	return out
}

// inReadTx runs fn in a read transaction of db.
func inReadTx(db fanclub.Store, fn func(tx fanclub.Tx) error) error {
	tx, err := db.BeginTx(context.Background(), false)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

func TestBuyCoins(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testBuyCoins)
}

func testBuyCoins(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	m := moneyEngineOn(t, open, nil)
	f, err := m.CreateFan(ctx, "buyer", "password1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		coins int64
		key   string
		path  string
	}{
		{"no coins", 0, "k1", "coins"},
		{"too many", fanclub.DefaultMaxCoinPurchase + 1, "k1", "coins"},
		{"no key", 10, "", "Idempotency-Key"},
		{"bad key", 10, "a b", "Idempotency-Key"},
	} {
		_, err := m.BuyCoins(ctx, f.ID, tc.coins, tc.key)
		if fields := fanclub.ErrorFields(err); fanclub.ErrorCode(err) != fanclub.EINVALID || len(fields) != 1 || fields[0].Path != tc.path {
			t.Fatalf("%s: %v %+v", tc.name, err, fields)
		}
	}
	buy, err := m.BuyCoins(ctx, f.ID, 100, "buy-1")
	if err != nil {
		t.Fatalf("buy: %v", err)
	}
	if p := buy.Payment; p.Status != fanclub.PaymentSucceeded || p.Amount != 1000 || p.Currency != "CNY" || p.Coins != 100 || p.ProviderRef == "" || buy.Wallet.Coins != 100 {
		t.Fatalf("purchase: %+v %+v", p, buy.Wallet)
	}
	again, err := m.BuyCoins(ctx, f.ID, 100, "buy-1")
	if err != nil || again.Payment.ID != buy.Payment.ID || again.Wallet.Coins != 100 {
		t.Fatalf("replay: %v %+v", err, again)
	}
	if _, err := m.BuyCoins(ctx, f.ID, 50, "buy-1"); fanclub.ErrorCode(err) != fanclub.EKEYREUSED {
		t.Fatalf("key reused: %v", err)
	}
	if _, err := m.BuyCoins(ctx, f.ID+99, 10, "buy-x"); fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
		t.Fatalf("unknown fan: %v", err)
	}

	// Declined: nothing bought, and a retry under the key stays declined.
	if err := m.sbx.DeclineFan(ctx, f.ID, true); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := m.BuyCoins(ctx, f.ID, 30, "buy-2"); fanclub.ErrorCode(err) != fanclub.EDECLINED {
			t.Fatalf("declined: %v", err)
		}
	}
	if err := m.sbx.DeclineFan(ctx, f.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := m.BuyCoins(ctx, f.ID, 30, "buy-2"); fanclub.ErrorCode(err) != fanclub.EDECLINED {
		t.Fatalf("a declined key stays declined: %v", err)
	}
	buy3, err := m.BuyCoins(ctx, f.ID, 30, "buy-3")
	if err != nil || buy3.Wallet.Coins != 130 {
		t.Fatalf("buy after accepting: %v %+v", err, buy3)
	}
	ps, err := m.ListPayments(ctx, f.ID)
	if err != nil || len(ps) != 3 || ps[0].Status != fanclub.PaymentSucceeded || ps[1].Status != fanclub.PaymentDeclined || ps[1].DeclineCode == "" || ps[2].Status != fanclub.PaymentSucceeded {
		t.Fatalf("payments: %v %+v", err, ps)
	}
	if got := m.account(t, ledger.PaymentClearing("CNY")).Balance(); got != -1300 {
		t.Fatalf("clearing balance %d, want -1300 fen", got)
	}
	if got := m.account(t, ledger.PlatformRevenue("CNY")).Balance(); got != 1300 {
		t.Fatalf("revenue balance %d, want 1300 fen", got)
	}
}

func TestSendGift(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testSendGift)
}

func testSendGift(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	m := moneyEngineOn(t, open, nil)
	w := worldWithClubs(t, m.Engine, 2)
	fan, other, club := w.fans[0], w.fans[1], w.clubs["fair"]
	if _, err := m.Join(ctx, fan, club); err != nil {
		t.Fatal(err)
	}
	if _, err := m.BuyCoins(ctx, fan, 100, "buy"); err != nil {
		t.Fatal(err)
	}
	g, err := m.SendGift(ctx, fan, club, 30, "gift-1")
	if err != nil {
		t.Fatalf("gift: %v", err)
	}
	if g.Gift.Coins != 30 || g.Gift.Value != 300 || g.Gift.Share != 150 || g.Gift.Points != 300 || g.Wallet.Coins != 70 ||
		g.Membership.LevelPoints != 300 || g.Membership.Level != 3 {
		t.Fatalf("gift result: %+v %+v %+v", g.Gift, g.Wallet, g.Membership)
	}
	creator := g.Gift.CreatorID
	again, err := m.SendGift(ctx, fan, club, 30, "gift-1")
	if err != nil || again.Gift.ID != g.Gift.ID || again.Wallet.Coins != 70 || again.Membership.LevelPoints != 300 {
		t.Fatalf("replay: %v %+v", err, again)
	}
	if _, err := m.SendGift(ctx, fan, club, 31, "gift-1"); fanclub.ErrorCode(err) != fanclub.EKEYREUSED {
		t.Fatalf("key reused: %v", err)
	}
	// Short balance, not a member, an unknown club: refused, nothing changes.
	for _, tc := range []struct {
		name        string
		fan, club   int64
		coins       int64
		code        string
		wantBalance int64
	}{
		{"short", fan, club, 71, fanclub.EINSUFFICIENT, 70},
		{"not a member", other, club, 1, fanclub.ENOTMEMBER, 0},
		{"no club", fan, club + 1000, 1, fanclub.ENOTFOUND, 70},
		{"zero", fan, club, 0, fanclub.EINVALID, 70},
	} {
		_, err := m.SendGift(ctx, tc.fan, tc.club, tc.coins, "refused-"+tc.name[:2])
		if fanclub.ErrorCode(err) != tc.code {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if wl, err := m.Wallet(ctx, tc.fan); err != nil || wl.Coins != tc.wantBalance {
			t.Fatalf("%s: wallet %+v %v", tc.name, wl, err)
		}
	}
	v, err := m.Membership(ctx, fan, club)
	if err != nil || v.LevelPoints != 300 {
		t.Fatalf("membership after refusals: %v %+v", err, v)
	}
	if got := m.account(t, ledger.CreatorPending(creator, "CNY")).Balance(); got != 150 {
		t.Fatalf("creator pending %d, want 150", got)
	}
	// The whole gift: 70 coins.
	if g, err := m.SendGift(ctx, fan, club, 70, "gift-2"); err != nil || g.Wallet.Coins != 0 {
		t.Fatalf("all coins: %v %+v", err, g)
	}
	if got := m.account(t, ledger.CreatorPending(creator, "CNY")).Balance(); got != 500 {
		t.Fatalf("creator pending %d, want 500", got)
	}
}

// lostAnswer is a provider whose first charge reaches the sandbox but
// whose answer is lost, as a timeout after the provider acted.
type lostAnswer struct {
	payments.Provider
	lost bool
}

// Charge charges, and loses the first answer.
func (l *lostAnswer) Charge(ctx context.Context, req payments.ChargeRequest) (*payments.Charge, error) {
	ch, err := l.Provider.Charge(ctx, req)
	if err == nil && !l.lost {
		l.lost = true
		return nil, errors.New("connection reset after the charge")
	}
	return ch, err
}

func TestCoinPurchaseReconciled(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testCoinPurchaseReconciled)
}

// testCoinPurchaseReconciled: a charge whose answer is lost is settled by
// its reconcile job, once.
func testCoinPurchaseReconciled(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	m := moneyEngineOn(t, open, func(p payments.Provider) payments.Provider { return &lostAnswer{Provider: p} })
	f, err := m.CreateFan(ctx, "unlucky", "password1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.BuyCoins(ctx, f.ID, 50, "lost"); err == nil {
		t.Fatal("the lost answer was not reported")
	}
	if wl, _ := m.Wallet(ctx, f.ID); wl.Coins != 0 {
		t.Fatalf("coins before reconcile: %+v", wl)
	}
	if n, err := m.RunDueJobs(ctx); err != nil || n != 0 {
		t.Fatalf("jobs before due: %d %v", n, err)
	}
	m.clock.Advance(fanclub.ReconcileAfter)
	if n, err := m.RunDueJobs(ctx); err != nil || n != 1 {
		t.Fatalf("reconcile: %d %v", n, err)
	}
	if wl, _ := m.Wallet(ctx, f.ID); wl.Coins != 50 {
		t.Fatalf("coins after reconcile: %+v", wl)
	}
	// The client's retry now gets the settled purchase; nothing is charged twice.
	buy, err := m.BuyCoins(ctx, f.ID, 50, "lost")
	if err != nil || buy.Wallet.Coins != 50 || buy.Payment.Status != fanclub.PaymentSucceeded {
		t.Fatalf("retry: %v %+v", err, buy)
	}
	var charges []*fanclub.PaymentRecord
	err = inReadTx(m.store, func(tx fanclub.Tx) error {
		var err error
		charges, err = tx.ListPaymentRecords(ctx, sandbox.Name, f.ID, "charge")
		return err
	})
	if err != nil || len(charges) != 1 {
		t.Fatalf("sandbox charges: %v %d", err, len(charges))
	}
}

package main

import (
	"context"
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"fanclub"
	"fanclub/argon2id"
	"fanclub/clock"
	"fanclub/ledger"
	"fanclub/payments"
	"fanclub/payments/sandbox"
	"fanclub/policyfile"
)

// TestCrashMoneyChild is the child half of TestCrashMoney: re-executed
// with crashMoneyEnv set, it runs 'fanclub serve' or the renewal process
// until it is killed. It only runs when re-executed.
func TestCrashMoneyChild(t *testing.T) {
	path := os.Getenv(crashMoneyEnv)
	if path == "" {
		t.Skip("runs only as a child process of TestCrashMoney")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg crashMoneyConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	switch cfg.Role {
	case "serve":
		code := run(context.Background(), []string{"serve", "--db", cfg.DSN, "--addr", "127.0.0.1:0",
			"--access-log", "errors", "--jobs-every", "100ms"}, os.Stdout, os.Stderr)
		t.Fatalf("serve exited %d", code)
	case "renew":
		if err := runCrashRenewals(cfg); err != nil {
			t.Fatal(err)
		}
		fmt.Println("done")
	case "revenue":
		if err := runCrashRevenue(cfg); err != nil {
			t.Fatal(err)
		}
		fmt.Println("done")
	default:
		t.Fatalf("unknown role %q", cfg.Role)
	}
}

// commitPrinter is an engine observer that prints "w" after each
// committed write transaction, so the parent knows when to kill.
type commitPrinter struct{ mu sync.Mutex }

func (*commitPrinter) EventsIngested(string, int)      {}
func (*commitPrinter) ExitConfirmation(string, string) {}
func (p *commitPrinter) TxStarted(write bool) func(error) {
	return func(err error) {
		if write && err == nil {
			p.mu.Lock()
			fmt.Println("w")
			p.mu.Unlock()
		}
	}
}

// runCrashRenewals opens cfg.DSN with a manual clock and, month by month
// from cfg.Base, moves the clock past the month's period ends and runs
// every due job (renewal charges through the sandbox provider, reconcile
// jobs of payments a killed process left pending); meanwhile four
// goroutines send cfg.Gifts, printing "gift KEY ID" for each
// acknowledged one. A last step two hours later runs what a killed
// process left leased.
func runCrashRenewals(cfg crashMoneyConfig) error {
	ctx := context.Background()
	clk := clock.NewManual(cfg.Base)
	db, err := openStore(ctx, cfg.DSN, storeOptions{Now: clk.Now})
	if err != nil {
		return err
	}
	defer db.Close()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		return err
	}
	obs := &commitPrinter{}
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: argon2id.New(argon2id.TestParams),
		Random: crand.Reader, Payments: sandbox.New(db, sandbox.Options{}), Observer: obs})

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(cfg.Gifts); i += 4 {
				r := cfg.Gifts[i]
				res, err := eng.SendGift(ctx, r.Fan, r.Club, r.Coins, r.Key)
				if err != nil {
					errs <- fmt.Errorf("gift %s: %w", r.Key, err)
					return
				}
				obs.mu.Lock()
				fmt.Printf("gift %s %d\n", r.Key, res.Gift.ID)
				obs.mu.Unlock()
				// Spread the gifts over the renewals.
				time.Sleep(3 * time.Millisecond)
			}
		})
	}
	for m := 1; m <= cfg.Months; m++ {
		clk.Set(cfg.Base.AddDate(0, m, 2))
		if _, err := eng.RunDueJobs(ctx); err != nil {
			return err
		}
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	clk.Advance(2 * time.Hour)
	_, err = eng.RunDueJobs(ctx)
	return err
}

// checkCrashMoney checks the store after TestCrashMoney's kills: see its
// doc comment. wallets are the fans' coins as GET /v1/me/wallet showed
// them; last is the renewal process's last month.
func checkCrashMoney(ctx context.Context, t *testing.T, db fanclub.Store, w *moneyWorld, wallets map[int64]int64, last time.Time) {
	t.Helper()
	tx, err := db.BeginTx(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	giftReqs := map[int64][]*moneyReq{}
	subReqs, coinReqs := map[int64]int{}, map[int64]int{}
	for _, f := range w.fans {
		for _, r := range w.reqs[f] {
			switch r.Kind {
			case "gift":
				giftReqs[f] = append(giftReqs[f], r)
			case "sub":
				subReqs[f]++
			case "coins":
				coinReqs[f]++
			}
		}
	}
	for _, r := range w.jobGifts {
		giftReqs[r.Fan] = append(giftReqs[r.Fan], r)
	}
	var charged, refunded, coinPayments, chargeCount, giftCount int64
	renewedAll := 0
	for _, f := range w.fans {
		ps, err := tx.ListPayments(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var bought int64
		byKey := map[string]*fanclub.Payment{}
		count := map[string]int{}
		renewals := map[int64]int{}
		for _, p := range ps {
			byKey[p.Key] = p
			if p.Status != fanclub.PaymentSucceeded {
				t.Errorf("fan %d: payment %s (%s) is %s", f, p.Key, p.Purpose, p.Status)
				continue
			}
			count[p.Purpose]++
			switch p.Kind {
			case fanclub.PaymentCharge:
				charged += p.Amount
				chargeCount++
			case fanclub.PaymentRefund:
				refunded += p.Amount
			}
			switch p.Purpose {
			case fanclub.PurposeCoins:
				bought += p.Coins
				coinPayments++
			case fanclub.PurposeRenewal:
				renewals[p.ClubID]++
			}
		}
		if count[fanclub.PurposeCoins] != coinReqs[f] || count[fanclub.PurposeSubscription] != subReqs[f] || len(ps) != count[fanclub.PurposeCoins]+count[fanclub.PurposeSubscription]+count[fanclub.PurposeRenewal] {
			t.Errorf("fan %d: %d payments %v; want %d coin purchases, %d subscriptions and renewals only", f, len(ps), count, coinReqs[f], subReqs[f])
		}

		// Gifts: each request stored once, as acknowledged.
		gifts, err := tx.ListGifts(ctx, f, 0, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		byEvent := map[string][]*fanclub.Gift{}
		var spent int64
		for _, g := range gifts {
			byEvent[g.EventID] = append(byEvent[g.EventID], g)
			spent += g.Coins
		}
		giftCount += int64(len(gifts))
		for _, r := range giftReqs[f] {
			gs := byEvent[fanclub.KeyedEventID(f, "gift-event:"+r.Key)]
			if len(gs) != 1 || gs[0].Coins != r.Coins || gs[0].ClubID != r.Club || r.acked && gs[0].ID != r.id {
				t.Errorf("fan %d gift %s (acknowledged %v as %d): stored %d times", f, r.Key, r.acked, r.id, len(gs))
			}
		}
		if len(gifts) != len(giftReqs[f]) {
			t.Errorf("fan %d: %d gifts stored, %d sent", f, len(gifts), len(giftReqs[f]))
		}
		if wallets[f] != bought-spent || bought != crashMoneyBuys*crashMoneyBuyCoins {
			t.Errorf("fan %d: wallet %d coins; bought %d, gifts stored %d", f, wallets[f], bought, spent)
		}

		// Each subscription renewed once a month, and live past the end.
		subs, err := tx.ListSubscriptions(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) != subReqs[f] {
			t.Errorf("fan %d: %d subscriptions, %d subscribed", f, len(subs), subReqs[f])
		}
		for _, s := range subs {
			if s.PeriodIndex != renewals[s.ClubID] {
				t.Errorf("fan %d club %d: subscription at period %d, %d renewals charged", f, s.ClubID, s.PeriodIndex, renewals[s.ClubID])
			}
			// Every period end the clock passed was renewed: the current
			// period holds the last clock. A subscription that started
			// late (settled by its reconcile job) has fewer periods.
			if s.Status != fanclub.SubActive || !s.AutoRenew || !s.PeriodEnd.After(last) || s.PeriodStart.After(last) {
				t.Errorf("fan %d club %d: subscription %s at period %d (%s to %s, auto-renew %v), %d renewals charged; want it active over %s",
					f, s.ClubID, s.Status, s.PeriodIndex, s.PeriodStart.Format(time.DateTime), s.PeriodEnd.Format(time.DateTime), s.AutoRenew,
					renewals[s.ClubID], last.Format(time.DateTime))
			}
			if s.PeriodIndex == crashMoneyMonths {
				renewedAll++
			}
		}

		// The provider charged exactly the payments.
		recs, err := tx.ListPaymentRecords(ctx, sandbox.Name, f, "charge")
		if err != nil {
			t.Fatal(err)
		}
		charges := 0
		for _, rec := range recs {
			p := byKey[rec.Key]
			if p == nil || p.Kind != fanclub.PaymentCharge || rec.Status != string(payments.ChargeSucceeded) || rec.Amount != p.Amount {
				t.Errorf("fan %d: provider charge %s (%s, %d) has no succeeded payment of its amount", f, rec.Key, rec.Status, rec.Amount)
			}
			charges++
		}
		if want := count[fanclub.PurposeCoins] + count[fanclub.PurposeSubscription] + count[fanclub.PurposeRenewal]; charges != want {
			t.Errorf("fan %d: the provider made %d charges, %d payments succeeded", f, charges, want)
		}
	}

	// The ledger.
	log, accounts := auditedLedger(ctx, t, tx)
	codes := map[string]int64{}
	for _, tr := range log {
		codes[tr.Code]++
	}
	if codes["gift"] != giftCount || codes["coin_purchase"] != coinPayments || codes["charge"] != chargeCount {
		t.Errorf("ledger transfers by code %v; want %d gift, %d coin_purchase, %d charge", codes, giftCount, coinPayments, chargeCount)
	}
	clearing := ledger.PaymentClearing(ledger.CNY).ID
	if got := accounts[clearing].Balance(); got != -(charged - refunded) {
		t.Errorf("payment clearing balance %d; charged %d, refunded %d", got, charged, refunded)
	}
	t.Logf("%d transfers: %v; charged %d, refunded %d; %d subscriptions renewed %d times", len(log), codes, charged, refunded, renewedAll, crashMoneyMonths)
}

// TestCrashMoneyConfigRoundTrip checks that the renewal process gets the
// gifts as the parent made them (the fields it sends them with).
func TestCrashMoneyConfigRoundTrip(t *testing.T) {
	t.Parallel()
	in := crashMoneyConfig{Role: "renew", DSN: "x.db", Base: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Months: 2,
		Gifts: []*moneyReq{{Fan: 1, Kind: "gift", Club: 2, Coins: 3, Key: "k"}}}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out crashMoneyConfig
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if g := out.Gifts[0]; !out.Base.Equal(in.Base) || out.Months != 2 || g.Fan != 1 || g.Club != 2 || g.Coins != 3 || g.Key != "k" {
		t.Fatalf("round trip: %+v %+v", out, g)
	}
}

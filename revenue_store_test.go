package fanclub_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/ledger"
	"fanclub/payments"
)

// weekEnd is the end of the test clock's first week: Monday 2026-03-16
// 00:00 in Asia/Shanghai.
var weekEnd = time.Date(2026, 3, 15, 16, 0, 0, 0, time.UTC)

// giftingMember makes a creator with a club per preset and a fan who
// joins the preset's club, buys coins and sends a gift of gift coins.
func giftingMember(t testingT, m *moneyEngine, preset string, buy, gift int64) (fan, club, creator int64) {
	t.Helper()
	ctx := context.Background()
	fan, club = memberOf(t, m.Engine, preset)
	if _, err := m.BuyCoins(ctx, fan, buy, "buy"); err != nil {
		t.Fatalf("buy: %v", err)
	}
	g, err := m.SendGift(ctx, fan, club, gift, "gift")
	if err != nil {
		t.Fatalf("gift: %v", err)
	}
	return fan, club, g.Gift.CreatorID
}

// leave requests and confirms fan's exit from club.
func leave(t testingT, m *moneyEngine, fan, club int64) *fanclub.ExitOutcome {
	t.Helper()
	ctx := context.Background()
	r, err := m.RequestExit(ctx, fan, club, nil)
	if err != nil {
		t.Fatalf("request exit: %v", err)
	}
	out, err := m.ConfirmExit(ctx, fan, r.ID, rightAnswers(t, m.store, r.ID))
	if err != nil {
		t.Fatalf("confirm exit: %v", err)
	}
	if out.Impact.Revenue == nil || r.Impact.Revenue == nil || *out.Impact.Revenue != *r.Impact.Revenue {
		t.Fatalf("exit revenue %+v, preview %+v", out.Impact.Revenue, r.Impact.Revenue)
	}
	return out
}

// revenueOf reads a creator's balances.
func revenueOf(t testingT, m *moneyEngine, creator int64) fanclub.CreatorRevenue {
	t.Helper()
	r, err := m.CreatorRevenue(context.Background(), creator)
	if err != nil {
		t.Fatalf("creator revenue: %v", err)
	}
	return *r
}

// runMoneyJobs runs the jobs due now.
func runMoneyJobs(t testingT, m *moneyEngine) {
	t.Helper()
	if _, err := m.RunDueJobs(context.Background()); err != nil {
		t.Fatalf("run jobs: %v", err)
	}
}

func TestSettlementMovesPendingOnce(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testSettlementMovesPendingOnce)
}

func testSettlementMovesPendingOnce(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	m := moneyEngineOn(t, open, nil)
	_, club, creator := giftingMember(t, m, "fair", 100, 30)
	if got := revenueOf(t, m, creator); got.Pending != 150 || got.Available != 0 {
		t.Fatalf("before settlement: %+v", got)
	}
	if _, err := m.SettleWeek(ctx, club, m.clock.Now()); fanclub.ErrorCode(err) != fanclub.EINVALID {
		t.Fatalf("settling a running week: %v", err)
	}
	m.clock.Set(weekEnd.Add(-time.Second))
	runMoneyJobs(t, m)
	if got := revenueOf(t, m, creator); got.Pending != 150 {
		t.Fatalf("a second before Monday: %+v", got)
	}
	m.clock.Set(weekEnd)
	runMoneyJobs(t, m)
	if got := revenueOf(t, m, creator); got.Pending != 0 || got.Available != 150 {
		t.Fatalf("after settlement: %+v", got)
	}
	again, err := m.SettleWeek(ctx, club, weekEnd.Add(-time.Hour))
	if err != nil || again.State != fanclub.SettlementSettled || again.Settled != 150 || len(again.Lines) != 1 {
		t.Fatalf("settling again: %v %+v", err, again)
	}
	if got := revenueOf(t, m, creator); got.Available != 150 {
		t.Fatalf("settled twice: %+v", got)
	}
	csv, err := m.SettlementStatement(ctx, creator, "2026-03-09")
	if err != nil || !strings.Contains(string(csv), "2026-03-09,") || !strings.Contains(string(csv), ",settled,1,30,300,150,CNY") {
		t.Fatalf("statement: %v\n%s", err, csv)
	}
	if _, err := m.SettlementStatement(ctx, creator, "03/09"); fanclub.ErrorCode(err) != fanclub.EINVALID {
		t.Fatalf("bad week: %v", err)
	}
}

func TestExitRevenuePerPreset(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testExitRevenuePerPreset)
}

func testExitRevenuePerPreset(t *testing.T, open teststores.Open) {
	t.Parallel()
	for _, tc := range []struct {
		preset string
		buy    int64
		// after exit: the fan's coins and owed, the creator's balances
		coins, owed int64
		atExit      fanclub.CreatorRevenue
		settled     fanclub.CreatorRevenue
	}{
		{"fair", 100, 70, 0, fanclub.CreatorRevenue{Pending: 150}, fanclub.CreatorRevenue{Available: 150}},
		{"wechat-channels", 100, 70, 0, fanclub.CreatorRevenue{Pending: 150}, fanclub.CreatorRevenue{}},
		{"douyin", 100, 85, 0, fanclub.CreatorRevenue{Frozen: 150}, fanclub.CreatorRevenue{Frozen: 150}},
		{"kuaishou", 40, 0, 20, fanclub.CreatorRevenue{Pending: 150, Held: 150, Flagged: true}, fanclub.CreatorRevenue{Pending: 150, Held: 150, Flagged: true}},
	} {
		t.Run(tc.preset, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			m := moneyEngineOn(t, open, nil)
			fan, club, creator := giftingMember(t, m, tc.preset, tc.buy, 30)
			leave(t, m, fan, club)
			w, err := m.Wallet(ctx, fan)
			if err != nil || w.Coins != tc.coins || w.Owed != tc.owed {
				t.Fatalf("wallet after exit: %v %+v", err, w)
			}
			tc.atExit.CreatorID, tc.atExit.Currency = creator, "CNY"
			tc.settled.CreatorID, tc.settled.Currency = creator, "CNY"
			if got := revenueOf(t, m, creator); got != tc.atExit {
				t.Fatalf("at exit: %+v, want %+v", got, tc.atExit)
			}
			m.clock.Set(weekEnd)
			runMoneyJobs(t, m)
			if got := revenueOf(t, m, creator); got != tc.settled {
				t.Fatalf("settled: %+v, want %+v", got, tc.settled)
			}
			m.checkLedgerBalanced(t)
		})
	}
}

// checkLedgerBalanced checks that the ledger's accounts sum to zero per
// asset and agree with its transfers.
func (m *moneyEngine) checkLedgerBalanced(t testingT) {
	t.Helper()
	var all []ledger.Transfer
	err := inReadTx(m.store, func(tx fanclub.Tx) error {
		var err error
		all, err = tx.ListTransfers(context.Background(), "", 0, 1_000_000)
		return err
	})
	if err != nil {
		t.Fatalf("transfers: %v", err)
	}
	accounts, err := ledger.Recompute(all)
	if err != nil {
		t.Fatalf("recompute: %v", err)
	}
	sums := map[ledger.Asset]int64{}
	for _, a := range accounts {
		sums[a.Asset] += a.CreditsPosted - a.DebitsPosted
	}
	for asset, s := range sums {
		if s != 0 {
			t.Fatalf("asset %s sums to %d", asset, s)
		}
	}
}

func TestRevenueOperatorActions(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testRevenueOperatorActions)
}

func testRevenueOperatorActions(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	op := fanclub.OperatorAction{By: "admin:1", Reason: "checked the exit"}
	t.Run("douyin release then void refused", func(t *testing.T) {
		m := moneyEngineOn(t, open, nil)
		fan, club, creator := giftingMember(t, m, "douyin", 100, 30)
		leave(t, m, fan, club)
		holds, err := m.ListHolds(ctx, fanclub.HoldOpen, 0)
		if err != nil || len(holds) != 1 || holds[0].Amount != 150 || holds[0].FanID != fan {
			t.Fatalf("open holds: %v %+v", err, holds)
		}
		if _, err := m.ReleaseHold(ctx, holds[0].ID, fanclub.OperatorAction{By: "admin:1"}); fanclub.ErrorCode(err) != fanclub.EINVALID {
			t.Fatalf("release without a reason: %v", err)
		}
		for range 2 {
			h, err := m.ReleaseHold(ctx, holds[0].ID, op)
			if err != nil || h.State != fanclub.HoldReleased || h.ResolvedBy != "admin:1" || h.Reason != op.Reason {
				t.Fatalf("release: %v %+v", err, h)
			}
		}
		if _, err := m.VoidHold(ctx, holds[0].ID, op); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
			t.Fatalf("void a released hold: %v", err)
		}
		if got := revenueOf(t, m, creator); got.Frozen != 0 || got.Released != 150 {
			t.Fatalf("released: %+v", got)
		}
		m.clock.Set(weekEnd)
		runMoneyJobs(t, m)
		if got := revenueOf(t, m, creator); got.Released != 0 || got.Available != 150 || got.Pending != 0 {
			t.Fatalf("settled after release: %+v", got)
		}
		wantKinds(t, m, fanclub.CreatorRecipient(creator), "revenue_frozen", "revenue_released", "revenue_settled")
		m.checkLedgerBalanced(t)
	})
	t.Run("douyin void", func(t *testing.T) {
		m := moneyEngineOn(t, open, nil)
		fan, club, creator := giftingMember(t, m, "douyin", 100, 30)
		leave(t, m, fan, club)
		holds, _ := m.ListHolds(ctx, fanclub.HoldOpen, creator)
		for range 2 {
			if h, err := m.VoidHold(ctx, holds[0].ID, op); err != nil || h.State != fanclub.HoldVoided {
				t.Fatalf("void: %v %+v", err, h)
			}
		}
		m.clock.Set(weekEnd)
		runMoneyJobs(t, m)
		if got := revenueOf(t, m, creator); got != (fanclub.CreatorRevenue{CreatorID: creator, Currency: "CNY"}) {
			t.Fatalf("after void: %+v", got)
		}
		m.checkLedgerBalanced(t)
	})
	t.Run("kuaishou review closes and settlement catches up", func(t *testing.T) {
		m := moneyEngineOn(t, open, nil)
		fan, club, creator := giftingMember(t, m, "kuaishou", 100, 30)
		leave(t, m, fan, club)
		m.clock.Set(weekEnd.Add(time.Hour))
		runMoneyJobs(t, m)
		ss, err := m.ListCreatorSettlements(ctx, creator)
		if err != nil || len(ss) != 1 || ss[0].State != fanclub.SettlementHeld {
			t.Fatalf("held settlement: %v %+v", err, ss)
		}
		rs, err := m.ListReviews(ctx, fanclub.ReviewOpen)
		if err != nil || len(rs) != 1 || rs[0].CreatorID != creator {
			t.Fatalf("open reviews: %v %+v", err, rs)
		}
		for range 2 {
			if r, err := m.CloseReview(ctx, rs[0].ID, op); err != nil || r.State != fanclub.ReviewClosed || r.ClosedBy != "admin:1" {
				t.Fatalf("close review: %v %+v", err, r)
			}
		}
		runMoneyJobs(t, m)
		if got := revenueOf(t, m, creator); got.Available != 150 || got.Flagged || got.Pending != 0 {
			t.Fatalf("after review: %+v", got)
		}
		ss, _ = m.ListCreatorSettlements(ctx, creator)
		if len(ss) != 1 || ss[0].State != fanclub.SettlementSettled || ss[0].Settled != 150 {
			t.Fatalf("settlement after review: %+v", ss)
		}
		wantKinds(t, m, fanclub.CreatorRecipient(creator), "revenue_flagged", "revenue_review_closed", "revenue_settled")
		wantKinds(t, m, fanclub.FanRecipient(fan), "damages_charged", "exit_receipt")
		m.checkLedgerBalanced(t)
	})
}

// flakyPayouts is the sandbox with payouts that fail while down is set,
// as a provider outage would.
type flakyPayouts struct {
	payments.Provider
	down bool
}

// Payout fails while the provider is down, and pays through the sandbox
// otherwise.
func (f *flakyPayouts) Payout(ctx context.Context, req payments.PayoutRequest) (*payments.Payout, error) {
	if f.down {
		return nil, payments.Unavailable(errors.New("provider down"))
	}
	return f.Provider.(payments.Payouts).Payout(ctx, req)
}

func TestCreatorPayouts(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testCreatorPayouts)
}

func testCreatorPayouts(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	var flaky *flakyPayouts
	m := moneyEngineOn(t, open, func(p payments.Provider) payments.Provider {
		flaky = &flakyPayouts{Provider: p}
		return flaky
	})
	_, _, creator := giftingMember(t, m, "fair", 100, 30)
	if _, err := m.RequestPayout(ctx, creator, 100, "po-1"); fanclub.ErrorCode(err) != fanclub.EINSUFFICIENT {
		t.Fatalf("payout of pending money: %v", err)
	}
	m.clock.Set(weekEnd)
	runMoneyJobs(t, m)
	for _, tc := range []struct {
		name   string
		amount int64
		key    string
		code   string
	}{
		{"zero", 0, "po-0", fanclub.EINVALID},
		{"no key", 10, "", fanclub.EINVALID},
		{"beyond available", 151, "po-2", fanclub.EINSUFFICIENT},
	} {
		if _, err := m.RequestPayout(ctx, creator, tc.amount, tc.key); fanclub.ErrorCode(err) != tc.code {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	for range 2 {
		p, err := m.RequestPayout(ctx, creator, 100, "po-1")
		if err != nil || p.State != fanclub.PayoutPaid || p.Amount != 100 || p.Revenue.Available != 50 {
			t.Fatalf("payout: %v %+v", err, p)
		}
	}
	if _, err := m.RequestPayout(ctx, creator, 40, "po-1"); fanclub.ErrorCode(err) != fanclub.EKEYREUSED {
		t.Fatalf("key reused: %v", err)
	}
	// The provider is down: the payout stays pending, its money held,
	// and its job pays it once the provider answers.
	flaky.down = true
	if _, err := m.RequestPayout(ctx, creator, 50, "po-3"); fanclub.ErrorCode(err) != fanclub.EINTERNAL {
		t.Fatalf("payout while the provider is down: %v", err)
	}
	if got := revenueOf(t, m, creator); got.Available != 0 {
		t.Fatalf("held payout: %+v", got)
	}
	flaky.down = false
	m.clock.Advance(10 * time.Minute)
	runMoneyJobs(t, m)
	p, err := m.RequestPayout(ctx, creator, 50, "po-3")
	if err != nil || p.State != fanclub.PayoutPaid || p.Revenue.Available != 0 {
		t.Fatalf("payout after the outage: %v %+v", err, p)
	}
	if got := m.account(t, ledger.PaymentClearing("CNY")).Balance(); got != -1000+150 {
		t.Fatalf("clearing %d: the coins bought in, the payouts out", got)
	}
	m.checkLedgerBalanced(t)
}

// wantKinds checks the kinds of a recipient's revenue and exit
// notifications, oldest first.
func wantKinds(t testingT, m *moneyEngine, to fanclub.Recipient, want ...string) {
	t.Helper()
	ns, _, err := m.NotificationsPage(context.Background(), to, 0, 100)
	if err != nil {
		t.Fatalf("notifications: %v", err)
	}
	var got []string
	for _, n := range ns {
		if k := string(n.Kind); strings.HasPrefix(k, "revenue_") || k == "damages_charged" || k == "penalty_charged" || k == "exit_receipt" {
			got = append(got, k)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("notifications to %+v: %v, want %v", to, got, want)
	}
}

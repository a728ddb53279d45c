package fanclub_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/ledger"
	"fanclub/payments"
	"fanclub/policyfile"
)

// TestMoneyProperty drives random coin purchases, gifts, subscriptions,
// renewals (declined or not), cancels, revocations, exits and rejoins on a
// moving clock, in clubs of the four presets (their YAML, so the money
// rules are the real ones) with the sandbox provider, and checks after
// every step: the ledger audits (every transfer balanced, per asset the
// balances sum to zero, no fan balance negative), every fan's wallet and
// payments equal a simple model's, the money the platform kept equals the
// clearing account's balance negated, the coin issuer's balance is the
// coins in wallets negated, the creators hold the gifts' shares and the
// platform's revenue the rest, every subscription shows the
// model's status, auto-renew, period and benefits, and every retried
// request returns its first result and changes nothing (a purchase whose
// provider answer was lost: the provider's first answer, once its
// reconcile job or the retry settled it). A confirmed exit
// executes its preview: the refund shown is the refund made, and the
// ledger moves exactly that.
func TestMoneyProperty(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		checkMoneyProperty(t, teststores.Sequential(t, open))
	})
}

// moneyRun is one run of the money property: the engine, its model and
// the helpers its actions share.
type moneyRun struct {
	*moneyEngine
	lossy    *lossyProvider
	ctx      context.Context
	policies fanclub.PolicySource
	model    *moneyModel
	// sentRequests are the requests sent with a key, to retry later.
	sentRequests []sentRequest
	w            world
	keys         int
}

// key returns a fresh idempotency key.
func (r *moneyRun) key(kind string) string {
	r.keys++
	return fmt.Sprintf("%s-%d", kind, r.keys)
}

// ledgerState reads every ledger account and transfer.
func (r *moneyRun) ledgerState(t testingT) ([]ledger.Account, []ledger.Transfer) {
	t.Helper()
	var accounts []ledger.Account
	var log []ledger.Transfer
	err := inReadTx(r.store, func(tx fanclub.Tx) error {
		var err error
		if log, err = tx.ListTransfers(r.ctx, "", 0, 1<<30); err != nil {
			return err
		}
		seen := map[ledger.AccountID]bool{}
		var ids []ledger.AccountID
		for _, tr := range log {
			for _, id := range []ledger.AccountID{tr.Debit, tr.Credit} {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
		as, err := tx.LedgerAccounts(r.ctx, ids)
		for _, id := range ids {
			accounts = append(accounts, as[id])
		}
		return err
	})
	if err != nil {
		t.Fatalf("read the ledger: %v", err)
	}
	return accounts, log
}

// clearing is the payment clearing account's balance.
func (r *moneyRun) clearing(t testingT) int64 {
	return r.account(t, ledger.PaymentClearing(fanclub.DefaultCurrency)).Balance()
}

// transfers counts the ledger's transfers.
func (r *moneyRun) transfers(t testingT) int {
	_, log := r.ledgerState(t)
	return len(log)
}

// runJobs runs the due jobs until none is left.
func (r *moneyRun) runMoneyJobs(t testingT) {
	t.Helper()
	for range 20 {
		n, err := r.RunDueJobs(r.ctx)
		if err != nil {
			t.Fatalf("run due jobs: %v", err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatalf("jobs keep coming due")
}

// check compares the engine with the model.
func (r *moneyRun) check(t *rapid.T) {
	accounts, log := r.ledgerState(t)
	if err := ledger.Audit(accounts, log); err != nil {
		t.Fatalf("ledger audit: %v", err)
	}
	if got, want := r.clearing(t), -r.model.moneyIn(); got != want {
		t.Fatalf("clearing balance %d, want %d (charges minus refunds, negated)", got, want)
	}
	var coins, creators, revenue int64
	for _, a := range accounts {
		switch {
		case a.ID == ledger.PlatformCoins().ID:
			coins = a.Balance()
		case a.ID == ledger.PlatformRevenue(fanclub.DefaultCurrency).ID:
			revenue = a.Balance()
		case strings.HasPrefix(string(a.ID), "creator/"):
			creators += a.Balance()
		}
	}
	var wallets int64
	for _, fan := range r.w.fans {
		wallets += r.model.coins(fan) - r.model.rev.owed[fan]
	}
	if coins != -wallets {
		t.Fatalf("coin issuer balance %d, want %d (the coins in wallets less the coins owed, negated)", coins, -wallets)
	}
	if want := r.model.moneyIn() - r.model.shares + r.model.rev.reversed; revenue != want || creators != r.model.shares-r.model.rev.reversed {
		t.Fatalf("revenue %d, creators %d; want %d and %d (the gifts' shares less reversals and voids)", revenue, creators, want, r.model.shares-r.model.rev.reversed)
	}
	now := r.clock.Now()
	for _, fan := range r.w.fans {
		wl, err := r.Wallet(r.ctx, fan)
		if err != nil {
			t.Fatalf("wallet: %v", err)
		}
		if want := r.model.coins(fan); wl.Coins != want || wl.Owed != r.model.rev.owed[fan] {
			t.Fatalf("fan %d wallet %+v, want %d coins (bought %d, gifted %d)", fan, wl, want, r.model.bought[fan], r.model.gifted[fan])
		}
		ps, err := r.ListPayments(r.ctx, fan)
		if err != nil {
			t.Fatalf("payments: %v", err)
		}
		got := make([]modelPayment, len(ps))
		for i, p := range ps {
			got[i] = modelPayment{Kind: p.Kind, Purpose: p.Purpose, Amount: p.Amount, Coins: p.Coins, ClubID: p.ClubID, Status: p.Status}
		}
		if g, w := rendered(got), rendered(r.model.payments[fan]); !reflect.DeepEqual(g, w) {
			t.Fatalf("fan %d payments:\n got %q\nwant %q", fan, g, w)
		}
		for preset, club := range r.w.clubs {
			k := [2]int64{fan, club}
			v, err := r.Membership(r.ctx, fan, club)
			active := err == nil && v.Status == fanclub.StatusActive
			if err != nil && fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
				t.Fatalf("membership: %v", err)
			}
			if active != r.model.member[k] {
				t.Fatalf("fan %d in %s: active %v, model %v", fan, preset, active, r.model.member[k])
			}
			s := r.model.subs[k]
			res, err := r.SubscriptionOf(r.ctx, fan, club)
			if s == nil {
				if fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
					t.Fatalf("fan %d in %s: subscription %+v %v, want none", fan, preset, res, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("subscription: %v", err)
			}
			benefits := s.status != fanclub.SubEnded && !now.Before(s.start) && now.Before(s.until) && active
			want := fanclub.SubscriptionView{ID: res.ID, Tier: "vip", Plan: s.plan, Price: s.price, Currency: fanclub.DefaultCurrency,
				Status: s.status, AutoRenew: s.autoRenew, PeriodStart: s.start, PeriodEnd: s.end, BenefitsUntil: s.until, BenefitsActive: benefits}
			if !sameView(res.SubscriptionView, want) {
				t.Fatalf("fan %d in %s at %s:\n got %+v\nwant %+v", fan, preset, now, res.SubscriptionView, want)
			}
			if (res.AgreementID != "") != s.agreement {
				t.Fatalf("fan %d in %s: agreement %q, want one: %v", fan, preset, res.AgreementID, s.agreement)
			}
		}
	}
}

// sameView compares subscription views, times by instant.
func sameView(a, b fanclub.SubscriptionView) bool {
	ts := [][2]time.Time{{a.PeriodStart, b.PeriodStart}, {a.PeriodEnd, b.PeriodEnd}, {a.BenefitsUntil, b.BenefitsUntil}}
	for _, p := range ts {
		if !p[0].Equal(p[1]) {
			return false
		}
	}
	a.PeriodStart, a.PeriodEnd, a.BenefitsUntil = b.PeriodStart, b.PeriodEnd, b.BenefitsUntil
	return a == b
}

// moneyRuns caps the runs of the money property per store (each run is
// rapid's Repeat of random actions on a fresh store), to keep it near
// half a minute on PostgreSQL (a quarter of them under the race
// detector); the runs past it pass without doing anything, and none is
// skipped once a run failed (rapid shrinking it).
func moneyRuns() int {
	if raceDetector {
		return 10
	}
	return 40
}

// checkMoneyProperty runs the money property on stores from open.
func checkMoneyProperty(t *testing.T, open teststores.Open) {
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatalf("preset registry: %v", err)
	}
	seen := map[string]int{}
	defer func() { t.Logf("payments made over all runs: %v", seen) }()
	runs, failed := 0, false
	rapid.Check(t, func(rt *rapid.T) {
		if runs++; runs > moneyRuns() && !failed {
			return
		}
		defer func() {
			if rt.Failed() {
				failed = true
			}
			if e := recover(); e != nil {
				failed = true
				panic(e)
			}
		}()
		lossy := &lossyProvider{}
		m := moneyEngineOn(rt, open, func(p payments.Provider) payments.Provider { lossy.Provider = p; return lossy })
		r := &moneyRun{moneyEngine: m, lossy: lossy, ctx: context.Background(), policies: reg, model: newMoneyModel(), w: worldWithClubs(rt, m.Engine, 2)}
		defer func() {
			for _, ps := range r.model.payments {
				for _, p := range ps {
					seen[p.Purpose+"/"+string(p.Status)]++
				}
			}
		}()
		actions := map[string]func(*rapid.T){
			"advance": r.advance,
			"decline": func(rt *rapid.T) {
				fan := rapid.SampledFrom(r.w.fans).Draw(rt, "fan")
				on := rapid.Bool().Draw(rt, "on")
				if err := r.sbx.DeclineFan(r.ctx, fan, on); err != nil {
					rt.Fatalf("decline: %v", err)
				}
				r.model.declined[fan] = on
			},
			"buy": func(rt *rapid.T) {
				fan := rapid.SampledFrom(r.w.fans).Draw(rt, "fan")
				r.buy(rt, fan, rapid.Int64Range(1, 200).Draw(rt, "coins"), rapid.IntRange(0, 4).Draw(rt, "lose") == 1)
			},
			"gift": func(rt *rapid.T) {
				fan, preset, club := r.pick(rt, r.isMember)
				r.gift(rt, fan, preset, club, rapid.Int64Range(1, 120).Draw(rt, "coins"))
			},
			"join": func(rt *rapid.T) {
				fan, _, club := r.pick(rt, func(k [2]int64) bool { return !r.model.member[k] })
				r.join(rt, fan, club)
			},
			"subscribe": func(rt *rapid.T) {
				fan, preset, club := r.pick(rt, r.isMember)
				plan := rapid.SampledFrom(fanclub.Plans).Draw(rt, "plan")
				var auto *bool
				if c := rapid.IntRange(0, 2).Draw(rt, "auto_renew"); c > 0 {
					b := c == 1
					auto = &b
				}
				r.subscribe(rt, fan, preset, club, plan, auto)
			},
			"cancel": func(rt *rapid.T) {
				fan, preset, club := r.pick(rt, r.hasSub)
				r.cancel(rt, fan, preset, club, rapid.IntRange(0, 3).Draw(rt, "lose refund") == 1)
			},
			"retry": func(rt *rapid.T) {
				var lost []*lostBuy
				for _, b := range r.model.lost {
					if !b.answered {
						lost = append(lost, b)
					}
				}
				if len(lost) > 0 && rapid.Bool().Draw(rt, "lost") {
					r.retryLost(rt, lost[rapid.IntRange(0, len(lost)-1).Draw(rt, "purchase")])
				} else if len(r.sentRequests) > 0 {
					r.retry(rt, r.sentRequests[rapid.IntRange(0, len(r.sentRequests)-1).Draw(rt, "request")])
				}
			},
			"revoke": func(rt *rapid.T) {
				fan := rapid.SampledFrom(r.w.fans).Draw(rt, "fan")
				r.revoke(rt, fan, r.w.clubs["kuaishou"])
			},
			"settle_again": r.settleAgain,
			"void_hold":    r.voidHold,
			"close_review": r.closeReview,
			"exit": func(rt *rapid.T) {
				fan, preset, club := r.pick(rt, r.isMember)
				choice := ""
				if preset == "fair" {
					choice = rapid.SampledFrom([]string{"", "keep_benefits", "refund"}).Draw(rt, "paid")
				}
				r.exit(rt, fan, preset, club, choice, rapid.IntRange(0, 3).Draw(rt, "lose refund") == 1)
			},
		}
		for _, fan := range r.w.fans { // everyone starts a member everywhere
			for _, club := range r.w.clubs {
				r.join(rt, fan, club)
			}
		}
		actions[""] = r.check
		rt.Repeat(actions)
	})
}

// lossyProvider is a payment provider that, when lose is set, loses its
// next charge's answer after the charge was made, as a timeout would, and
// when loseRefund is set its next refund's.
type lossyProvider struct {
	payments.Provider
	lose, loseRefund bool
}

// Refund refunds, and loses the answer when asked to.
func (l *lossyProvider) Refund(ctx context.Context, req payments.RefundRequest) (*payments.Refund, error) {
	rf, err := l.Provider.Refund(ctx, req)
	if err == nil && l.loseRefund {
		l.loseRefund = false
		return nil, errors.New("the connection was reset after the refund")
	}
	return rf, err
}

// Charge charges, and loses the answer when asked to.
func (l *lossyProvider) Charge(ctx context.Context, req payments.ChargeRequest) (*payments.Charge, error) {
	ch, err := l.Provider.Charge(ctx, req)
	if err == nil && l.lose {
		l.lose = false
		return nil, errors.New("the connection was reset after the charge")
	}
	return ch, err
}

// isMember reports whether the model has fan k[0] an active member of
// club k[1].
func (r *moneyRun) isMember(k [2]int64) bool { return r.model.member[k] }

// hasSub reports whether the model has a subscription of fan k[0] in
// club k[1].
func (r *moneyRun) hasSub(k [2]int64) bool { return r.model.subs[k] != nil }

// pick draws a fan and a club, mostly among the pairs that want says an
// action applies to.
func (r *moneyRun) pick(rt *rapid.T, want func([2]int64) bool) (int64, string, int64) {
	var fit []string
	for _, fan := range r.w.fans {
		for _, preset := range presetNames {
			if want([2]int64{fan, r.w.clubs[preset]}) {
				fit = append(fit, fmt.Sprintf("%d %s", fan, preset))
			}
		}
	}
	if len(fit) > 0 && rapid.IntRange(0, 4).Draw(rt, "fit") > 0 {
		var fan int64
		var preset string
		if _, err := fmt.Sscanf(rapid.SampledFrom(fit).Draw(rt, "pair"), "%d %s", &fan, &preset); err != nil {
			rt.Fatalf("pair: %v", err)
		}
		return fan, preset, r.w.clubs[preset]
	}
	fan := rapid.SampledFrom(r.w.fans).Draw(rt, "fan")
	preset := rapid.SampledFrom(presetNames).Draw(rt, "preset")
	return fan, preset, r.w.clubs[preset]
}

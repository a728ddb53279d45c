package fanclub_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/ledger"
)

// minorsRuns bounds the rapid runs of each minors property (each opens a
// store); fewer under the race detector.
func minorsRuns() int {
	if raceDetector {
		return 8
	}
	return 30
}

// minorsRun is one run of a minors property: a minor (15, identity
// checked) who is a member of the policy's club, a guardian linked to
// the minor, and the actions' shared state.
type minorsRun struct {
	*minorsEngine
	ctx             context.Context
	policy          string
	minor, guardian int64
	keys            int
}

// key returns a fresh idempotency key.
func (r *minorsRun) key() string {
	r.keys++
	return "k" + strconv.Itoa(r.keys)
}

// newMinorsRun builds a run on a fresh store under policy.
func newMinorsRun(t *rapid.T, open teststores.Open, policy string) *minorsRun {
	m := minorsEngineOn(t, open, policy)
	r := &minorsRun{minorsEngine: m, ctx: context.Background(), policy: policy}
	r.guardian = m.fanAged(t, "parent", born40, fanclub.AgeIdentity, "")
	r.minor = m.fanAged(t, "kid", born15, fanclub.AgeIdentity, policy)
	m.link(t, r.guardian, r.minor)
	return r
}

// actions are what a minor and a guardian may try, in any order; each
// may be refused. Refusals with an internal code fail the run.
func (r *minorsRun) actions() map[string]func(*rapid.T) {
	club := r.club[r.policy]
	ok := func(t *rapid.T, what string, err error) {
		if fanclub.ErrorCode(err) == fanclub.EINTERNAL || (err != nil && fanclub.ErrorCode(err) == "") {
			t.Fatalf("%s: %v", what, err)
		}
	}
	return map[string]func(*rapid.T){
		"buy_coins": func(t *rapid.T) {
			_, err := r.BuyCoins(r.ctx, r.minor, rapid.Int64Range(1, 800).Draw(t, "coins"), r.key())
			ok(t, "buy coins", err)
		},
		"gift": func(t *rapid.T) {
			_, err := r.SendGift(r.ctx, r.minor, club, rapid.Int64Range(1, 300).Draw(t, "gift"), r.key())
			ok(t, "gift", err)
		},
		"subscribe": func(t *rapid.T) {
			_, err := r.Subscribe(r.ctx, r.minor, club, "vip", rapid.SampledFrom(fanclub.Plans).Draw(t, "plan"), nil, r.key())
			ok(t, "subscribe", err)
		},
		"exit": func(t *rapid.T) {
			req, err := r.RequestExit(r.ctx, r.minor, club, map[string]string{"paid": rapid.SampledFrom([]string{"refund", "keep_benefits"}).Draw(t, "paid")})
			if err != nil {
				ok(t, "exit request", err)
				return
			}
			_, err = r.ConfirmExit(r.ctx, r.minor, req.ID, fanclub.ExitAnswers{Confirm: true})
			ok(t, "exit", err)
		},
		"rejoin": func(t *rapid.T) {
			_, err := r.Join(r.ctx, r.minor, club)
			ok(t, "join", err)
		},
		"claim_adult": func(t *rapid.T) {
			method := rapid.SampledFrom([]fanclub.AgeMethod{fanclub.AgeSelfDeclared, fanclub.AgeIdentity, fanclub.AgeBankCard}).Draw(t, "method")
			if err := r.vfy.FailAge(r.ctx, r.minor, true); err != nil {
				t.Fatal(err)
			}
			_, err := r.SetAge(r.ctx, r.minor, born40, method)
			if err == nil {
				t.Fatalf("a minor's false claim of adulthood (%s) was recorded", method)
			}
			ok(t, "claim adult", err)
		},
		"unlink": func(t *rapid.T) {
			ls, err := r.GuardianLinks(r.ctx, r.minor)
			if err != nil || len(ls) == 0 {
				ok(t, "links", err)
				return
			}
			_, err = r.UnlinkGuardian(r.ctx, ls[0].ID, fanclub.SideMinor, r.minor)
			ok(t, "unlink", err)
		},
		"guardian_refund": func(t *rapid.T) {
			var in fanclub.GuardianRefundInput
			if rapid.Bool().Draw(t, "bounded") {
				since := r.clock.Now().Add(-time.Duration(rapid.IntRange(0, 72).Draw(t, "hours")) * time.Hour)
				in.Since = &since
			}
			_, err := r.RequestGuardianRefund(r.ctx, r.guardian, r.minor, in, r.key())
			ok(t, "guardian refund", err)
		},
		"later": func(t *rapid.T) {
			r.clock.Advance(time.Duration(rapid.IntRange(1, 30).Draw(t, "hours")) * time.Hour)
			_, err := r.RunDueJobs(r.ctx)
			ok(t, "jobs", err)
		},
	}
}

// coinAccount reads the minor's coin account.
func (r *minorsRun) coinAccount(t testingT) ledger.Account {
	return readLedgerAccount(t, r.store, ledger.FanCoins(r.minor))
}

func TestMinorsPropertyNoCoinsInCN(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		open = teststores.Sequential(t, open)
		runs := 0
		rapid.Check(t, func(rt *rapid.T) {
			if runs++; runs > minorsRuns() {
				return
			}
			r := newMinorsRun(rt, open, "fair")
			as := r.actions()
			as[""] = func(t *rapid.T) {
				if a := r.coinAccount(t); a.CreditsPosted != 0 || a.DebitsPosted != 0 || a.DebitsPending != 0 {
					t.Fatalf("a minor under fair in CN moved coins: %+v", a)
				}
				gs, err := r.GuardianConsumption(r.ctx, r.guardian, r.minor)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range gs.Payments {
					if p.Purpose == fanclub.PurposeCoins {
						t.Fatalf("a minor under fair in CN has a coin payment: %+v", p)
					}
				}
				if len(gs.Gifts) != 0 {
					t.Fatalf("a minor under fair in CN sent gifts: %+v", gs.Gifts)
				}
			}
			rt.Repeat(as)
		})
	})
}

func TestMinorsPropertyRefundsBounded(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		open = teststores.Sequential(t, open)
		runs, paid := 0, 0
		rapid.Check(t, func(rt *rapid.T) {
			if runs++; runs > minorsRuns() {
				return
			}
			r := newMinorsRun(rt, open, "fair-eu")
			as := r.actions()
			as[""] = func(t *rapid.T) { r.checkRefundsBounded(t) }
			rt.Repeat(as)
			rs, err := r.GuardianRefunds(r.ctx, r.minor, fanclub.RefundRefunded)
			if err != nil {
				rt.Fatal(err)
			}
			for _, q := range rs {
				if q.Amount > 0 {
					paid++
				}
			}
		})
		// The property is only as good as its runs: some refunds must
		// have given money back.
		t.Logf("guardian refunds that gave money back: %d", paid)
		if paid == 0 {
			t.Error("no guardian refund gave money back in any run")
		}
	})
}

// checkRefundsBounded checks that no charge got back more than it took,
// that all refunds together stay within all charges, and that the coins
// guardian refunds took back stay within the coins bought.
func (r *minorsRun) checkRefundsBounded(t *rapid.T) {
	ps, err := r.ListPayments(r.ctx, r.minor)
	if err != nil {
		t.Fatal(err)
	}
	charged, refunded := int64(0), int64(0)
	byID := map[int64]*fanclub.Payment{}
	perCharge := map[int64]int64{}
	var bought int64
	for _, p := range ps {
		if p.Status == fanclub.PaymentDeclined {
			continue
		}
		if p.Kind == fanclub.PaymentCharge {
			charged += p.Amount
			byID[p.ID] = p
			bought += p.Coins
			continue
		}
		refunded += p.Amount
		if _, id, found := strings.Cut(p.Key, "/charge/"); found && p.Purpose == fanclub.PurposeGuardianRefund {
			n, _ := strconv.ParseInt(id, 10, 64)
			perCharge[n] += p.Amount
		}
	}
	if refunded > charged {
		t.Fatalf("refunded %d of %d charged", refunded, charged)
	}
	for id, amount := range perCharge {
		if c := byID[id]; c == nil || amount > c.Amount {
			t.Fatalf("charge %d: guardian refunds %d of %v", id, amount, c)
		}
	}
	rs, err := r.GuardianRefunds(r.ctx, r.minor, "")
	if err != nil {
		t.Fatal(err)
	}
	var back int64
	for _, q := range rs {
		back += q.Coins
	}
	if back > bought {
		t.Fatalf("guardian refunds took back %d coins of %d bought", back, bought)
	}
	if a := r.coinAccount(t); a.Balance() < 0 {
		t.Fatalf("negative coins: %+v", a)
	}
}

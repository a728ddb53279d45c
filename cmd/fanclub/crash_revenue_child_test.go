package main

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"sync"
	"time"

	"fanclub"
	"fanclub/argon2id"
	"fanclub/clock"
	"fanclub/payments/sandbox"
	"fanclub/policyfile"
)

// crashRevRestartShift is how much later each run's clock is than the
// previous run's at the same step: more than the job lease, so the jobs
// a killed run leased are due again when the next run comes to them.
const crashRevRestartShift = 2 * time.Minute

// crashRevOperator is the operator of the script's holds and reviews.
var crashRevOperator = fanclub.OperatorAction{By: "admin:crash", Reason: "crash test"}

// revenueRun is a child process running the script of TestCrashRevenue.
type revenueRun struct {
	db  fanclub.Store
	eng *fanclub.Engine
	clk *clock.Manual
	obs *commitPrinter
}

// runCrashRevenue runs cfg.Revenue's script from its start on cfg.DSN
// with a manual clock shifted by the run number, printing "s N KIND" as
// it starts step N and "w" after each committed write transaction.
// Every step is keyed (purchases, gifts, payouts), or finds its work done
// (an exit of a fan who left, a hold or review resolved), so a run after
// a kill repeats what was done without doing it twice.
func runCrashRevenue(cfg crashMoneyConfig) error {
	ctx := context.Background()
	w := cfg.Revenue
	shift := time.Duration(cfg.Round) * crashRevRestartShift
	clk := clock.NewManual(w.Steps[0].At.Add(shift))
	db, err := openStore(ctx, cfg.DSN, storeOptions{Now: clk.Now})
	if err != nil {
		return err
	}
	defer db.Close()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		return err
	}
	r := &revenueRun{db: db, clk: clk, obs: &commitPrinter{}}
	r.eng = fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: argon2id.New(argon2id.TestParams),
		Random: crand.Reader, Payments: sandbox.New(db, sandbox.Options{}), Observer: r.obs})
	for i, s := range w.Steps {
		clk.Set(s.At.Add(shift))
		r.print("s %d %s", i, s.Kind)
		if err := r.step(ctx, s); err != nil {
			return fmt.Errorf("step %d (%s at %s): %w", i, s.Kind, s.At.Format(time.DateTime), err)
		}
	}
	return nil
}

// print prints a line between the commit markers.
func (r *revenueRun) print(format string, args ...any) {
	r.obs.mu.Lock()
	defer r.obs.mu.Unlock()
	fmt.Printf(format+"\n", args...)
}

// step runs one step of the script.
func (r *revenueRun) step(ctx context.Context, s revenueStep) error {
	switch s.Kind {
	case "buy", "gifts":
		return r.sendAll(ctx, s.Reqs)
	case "exit":
		return r.exit(ctx, s.Fan, s.Club)
	case "jobs":
		_, err := r.eng.RunDueJobs(ctx)
		return err
	case "release", "void":
		return r.resolveHold(ctx, s)
	case "close":
		rs, err := r.eng.ListReviews(ctx, fanclub.ReviewOpen)
		if err != nil {
			return err
		}
		for _, v := range rs {
			if v.CreatorID == s.Creator && v.FanID == s.Fan {
				if _, err := r.eng.CloseReview(ctx, v.ID, crashRevOperator); err != nil {
					return err
				}
			}
		}
		_, err = r.eng.RunDueJobs(ctx)
		return err
	case "payout":
		_, err := r.eng.RequestPayout(ctx, s.Creator, s.Amount, s.Key)
		return err
	}
	return fmt.Errorf("unknown step %q", s.Kind)
}

// sendAll sends coin purchases or gifts, four at a time. A gift of a fan
// who has left its club since is skipped: the run that saw the exit had
// stored it (steps run one after another), as the parent checks.
func (r *revenueRun) sendAll(ctx context.Context, reqs []*moneyReq) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(reqs))
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(reqs); i += 4 {
				q := reqs[i]
				var err error
				if q.Kind == "coins" {
					_, err = r.eng.BuyCoins(ctx, q.Fan, q.Coins, q.Key)
				} else if active, aerr := r.member(ctx, q.Fan, q.Club); aerr != nil {
					err = aerr
				} else if active {
					_, err = r.eng.SendGift(ctx, q.Fan, q.Club, q.Coins, q.Key)
				}
				if err != nil {
					errs <- fmt.Errorf("%s %s: %w", q.Kind, q.Key, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// member reports whether a fan is an active member of a club.
func (r *revenueRun) member(ctx context.Context, fan, club int64) (bool, error) {
	tx, err := r.db.BeginTx(ctx, false)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	m, err := tx.FindMembership(ctx, fan, club)
	if fanclub.ErrorCode(err) == fanclub.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return m.Status == fanclub.StatusActive, nil
}

// exit requests and confirms a member's exit, answering its challenges
// from the stored request; a fan who has left is skipped.
func (r *revenueRun) exit(ctx context.Context, fan, club int64) error {
	if active, err := r.member(ctx, fan, club); err != nil || !active {
		return err
	}
	req, err := r.eng.RequestExit(ctx, fan, club, nil)
	if err != nil {
		return err
	}
	tx, err := r.db.BeginTx(ctx, false)
	if err != nil {
		return err
	}
	stored, err := tx.FindExitRequest(ctx, req.ID)
	_ = tx.Rollback()
	if err != nil {
		return err
	}
	slider := stored.SliderTarget
	_, err = r.eng.ConfirmExit(ctx, fan, req.ID, fanclub.ExitAnswers{Confirm: true, Password: "password1", Captcha: stored.CaptchaCode, Slider: &slider})
	return err
}

// resolveHold releases or voids the open hold a fan's exit made in a
// club; a hold resolved already is left as it is.
func (r *revenueRun) resolveHold(ctx context.Context, s revenueStep) error {
	hs, err := r.eng.ListHolds(ctx, fanclub.HoldOpen, s.Creator)
	if err != nil {
		return err
	}
	for _, h := range hs {
		if h.FanID != s.Fan || h.ClubID != s.Club {
			continue
		}
		if s.Kind == "release" {
			_, err = r.eng.ReleaseHold(ctx, h.ID, crashRevOperator)
		} else {
			_, err = r.eng.VoidHold(ctx, h.ID, crashRevOperator)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

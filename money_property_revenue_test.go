package fanclub_test

import (
	"time"

	"pgregory.net/rapid"

	"fanclub"
)

// revenueOperator is the operator the property test acts as.
var revenueOperator = fanclub.OperatorAction{By: "admin:property", Reason: "property test"}

// settleAgain settles a past week of a club once more: a settled or held
// week moves nothing, so the ledger gains no transfer.
func (r *moneyRun) settleAgain(rt *rapid.T) {
	_, _, club := r.pick(rt, func([2]int64) bool { return true })
	n := r.transfers(rt)
	if _, err := r.SettleWeek(r.ctx, club, r.clock.Now().Add(-7*24*time.Hour)); err != nil {
		rt.Fatalf("settle again: %v", err)
	}
	r.runMoneyJobs(rt)
	if m := r.transfers(rt); m != n {
		rt.Fatalf("settling a past week again posted %d transfers", m-n)
	}
}

// voidHold voids the oldest open hold (twice: the second does nothing);
// its share goes back to the platform.
func (r *moneyRun) voidHold(rt *rapid.T) {
	hs, err := r.ListHolds(r.ctx, fanclub.HoldOpen, 0)
	if err != nil {
		rt.Fatalf("holds: %v", err)
	}
	if len(hs) != len(r.model.rev.holds) {
		rt.Fatalf("%d open holds, want %d", len(hs), len(r.model.rev.holds))
	}
	if len(hs) == 0 {
		return
	}
	if hs[0].Amount != r.model.rev.holds[0] {
		rt.Fatalf("hold %+v, want %d", hs[0], r.model.rev.holds[0])
	}
	for range 2 {
		if h, err := r.VoidHold(r.ctx, hs[0].ID, revenueOperator); err != nil || h.State != fanclub.HoldVoided {
			rt.Fatalf("void hold: %v %+v", err, h)
		}
	}
	r.model.rev.reversed += r.model.rev.holds[0]
	r.model.rev.holds = r.model.rev.holds[1:]
}

// closeReview closes the open reviews; the held settlements catch up at
// once.
func (r *moneyRun) closeReview(rt *rapid.T) {
	rs, err := r.ListReviews(r.ctx, fanclub.ReviewOpen)
	if err != nil {
		rt.Fatalf("reviews: %v", err)
	}
	if (len(rs) > 0) != r.model.rev.flagged {
		rt.Fatalf("%d open reviews; flagged %v", len(rs), r.model.rev.flagged)
	}
	for _, v := range rs {
		if _, err := r.CloseReview(r.ctx, v.ID, revenueOperator); err != nil {
			rt.Fatalf("close review: %v", err)
		}
	}
	r.runMoneyJobs(rt)
	r.model.rev.flagged = false
	r.model.advanceRevenue(r.clock.Now())
}

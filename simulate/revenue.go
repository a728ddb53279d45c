package simulate

import (
	"context"
	"fmt"
	"time"

	"fanclub"
)

// Step kinds of creator revenue: the settlement and the operator's
// actions on the step's club's creator (the step's fan is only the
// viewpoint of the output line).
const (
	// DoSettle runs the settlement of the club's last ended week now (it
	// normally runs by itself when the clock passes Monday 00:00); a
	// settled week is left as it is.
	DoSettle = "settle"
	// DoReleaseHold releases every open hold of the club's creator.
	DoReleaseHold = "release_hold"
	// DoVoidHold voids every open hold of the club's creator.
	DoVoidHold = "void_hold"
	// DoCloseReview closes the open review of the club's creator; its
	// held settlements catch up at once.
	DoCloseReview = "close_review"
)

// journeyOperator is who the operator steps act as.
var journeyOperator = fanclub.OperatorAction{By: "operator:journey", Reason: "journey step"}

// CreatorState is the step's club's creator's revenue, minor units.
type CreatorState struct {
	Pending   int64 `json:"pending"`
	Frozen    int64 `json:"frozen"`
	Held      int64 `json:"held"`
	Released  int64 `json:"released"`
	Available int64 `json:"available"`
	Flagged   bool  `json:"flagged"`
}

// TaskState is the step's club's team task of the current week.
type TaskState struct {
	// Week is the week's start, in the journey's offset.
	Week     string `json:"week"`
	Goal     int64  `json:"goal"`
	Progress int64  `json:"progress"`
	Met      bool   `json:"met"`
}

// revenueStep runs a settle or operator step on the club's creator.
func (r *runner) revenueStep(ctx context.Context, do string, clubID int64, at time.Time) error {
	switch do {
	case DoSettle:
		t, err := r.eng.TeamTask(ctx, clubID, time.Time{})
		if err != nil {
			return err
		}
		_, err = r.eng.SettleWeek(ctx, clubID, t.Week.Add(-time.Nanosecond))
		return err
	case DoReleaseHold, DoVoidHold:
		hs, err := r.eng.ListHolds(ctx, fanclub.HoldOpen, r.creator)
		if err != nil {
			return err
		}
		for _, h := range hs {
			if do == DoReleaseHold {
				_, err = r.eng.ReleaseHold(ctx, h.ID, journeyOperator)
			} else {
				_, err = r.eng.VoidHold(ctx, h.ID, journeyOperator)
			}
			if err != nil {
				return err
			}
		}
		return nil
	case DoCloseReview:
		rs, err := r.eng.ListReviews(ctx, fanclub.ReviewOpen)
		if err != nil {
			return err
		}
		for _, v := range rs {
			if v.CreatorID != r.creator {
				continue
			}
			if _, err := r.eng.CloseReview(ctx, v.ID, journeyOperator); err != nil {
				return err
			}
		}
		return r.runJobsUntil(ctx, at)
	}
	return fanclub.Errorf(fanclub.EINVALID, "unknown step kind %q", do)
}

// revenueState fills the line's creator, task, task bar and debt.
func (r *runner) revenueState(ctx context.Context, line *Line, fanID, clubID int64) error {
	rev, err := r.eng.CreatorRevenue(ctx, r.creator)
	if err != nil {
		return fmt.Errorf("read creator revenue: %w", err)
	}
	line.Creator = CreatorState{Pending: rev.Pending, Frozen: rev.Frozen, Held: rev.Held, Released: rev.Released, Available: rev.Available, Flagged: rev.Flagged}
	t, err := r.eng.TeamTask(ctx, clubID, time.Time{})
	if err != nil {
		return fmt.Errorf("read team task: %w", err)
	}
	line.Task = TaskState{Week: r.out.format(t.Week), Goal: t.Goal, Progress: t.Progress, Met: t.Met}
	until, forever, err := r.eng.TaskBar(ctx, fanID, clubID)
	if err != nil {
		return fmt.Errorf("read task bar: %w", err)
	}
	switch {
	case forever:
		line.TaskBarredUntil = "forever"
	case until != nil:
		line.TaskBarredUntil = r.out.format(*until)
	}
	w, err := r.eng.Wallet(ctx, fanID)
	if err != nil {
		return fmt.Errorf("read wallet: %w", err)
	}
	line.Owed = w.Owed
	return nil
}

// RevenueImpact is the revenue part of an exit's impact (see
// fanclub.RevenueExitPlan), times in the journey's offset.
type RevenueImpact struct {
	PendingShare         fanclub.PendingShareHandling `json:"pending_share"`
	UnsettledCoins       int64                        `json:"unsettled_coins"`
	UnsettledShare       int64                        `json:"unsettled_share"`
	ReversedAtSettlement int64                        `json:"reversed_at_settlement"`
	Frozen               int64                        `json:"frozen"`
	CreatorFlagged       bool                         `json:"creator_flagged"`
	ReturnedCoins        int64                        `json:"returned_coins"`
	Damages              int64                        `json:"damages"`
	DamagesPaid          int64                        `json:"damages_paid"`
	DamagesOwed          int64                        `json:"damages_owed"`
	TaskPoints           int64                        `json:"task_points"`
	ForfeitWeek          bool                         `json:"forfeit_week"`
	PenaltyIfTaskFails   int64                        `json:"penalty_if_task_fails"`
	TaskBarredUntil      *string                      `json:"task_barred_until"`
	TaskBarredForever    bool                         `json:"task_barred_forever"`
}

// revenue renders an exit's revenue impact (nil stays nil).
func (c clock) revenue(p *fanclub.RevenueExitPlan) *RevenueImpact {
	if p == nil {
		return nil
	}
	return &RevenueImpact{PendingShare: p.PendingShare, UnsettledCoins: p.UnsettledCoins, UnsettledShare: p.UnsettledShare,
		ReversedAtSettlement: p.ReversedAtSettlement, Frozen: p.Frozen, CreatorFlagged: p.CreatorFlagged, ReturnedCoins: p.ReturnedCoins,
		Damages: p.Damages, DamagesPaid: p.DamagesPaid, DamagesOwed: p.DamagesOwed, TaskPoints: p.TaskPoints, ForfeitWeek: p.ForfeitWeek,
		PenaltyIfTaskFails: p.PenaltyIfTaskFails, TaskBarredUntil: c.ptr(p.TaskBarredUntil), TaskBarredForever: p.TaskBarredForever}
}

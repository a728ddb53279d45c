package fanclub

import (
	"context"
	"fmt"
	"time"

	"fanclub/ledger"
)

// RevenueExitPlan is what an exit does to creator revenue and team tasks
// (the exit preview's impact.revenue), by the club policy's revenue rule.
// The leaver's unsettled gifts are their gifts in the club in the
// current week (since their last exit from the club that week).
type RevenueExitPlan struct {
	// PendingShare is the policy's handling of the creator's share.
	PendingShare PendingShareHandling `json:"pending_share"`
	// UnsettledGifts, UnsettledCoins and UnsettledShare are the leaver's
	// unsettled gifts: count, coins spent, the creator's pending share.
	UnsettledGifts int64  `json:"unsettled_gifts"`
	UnsettledCoins int64  `json:"unsettled_coins"`
	UnsettledShare int64  `json:"unsettled_share"`
	Currency       string `json:"currency"`
	// ReversedAtSettlement is the creator's share the week's settlement
	// gives back to the platform (wechat-channels).
	ReversedAtSettlement int64 `json:"reversed_at_settlement"`
	// Frozen is the creator's share put on hold now until an operator
	// releases or voids it (douyin).
	Frozen int64 `json:"frozen"`
	// CreatorFlagged: the creator is flagged for review and none of its
	// pending money settles until an operator closes it (kuaishou).
	CreatorFlagged bool `json:"creator_flagged"`
	// ReturnedCoins go back to the leaver (douyin: tipReturnRatio of the
	// unsettled coins, rounded down).
	ReturnedCoins int64 `json:"returned_coins"`
	// Damages are charged to the leaver (kuaishou: the unsettled coins):
	// DamagesPaid from the coin balance, DamagesOwed the rest, recorded
	// as owed.
	Damages     int64 `json:"damages"`
	DamagesPaid int64 `json:"damages_paid"`
	DamagesOwed int64 `json:"damages_owed"`
	// TaskPoints are the level points the leaver earned in the club this
	// week: they leave the week's team task with the leaver.
	TaskPoints int64 `json:"task_points"`
	// ForfeitWeek: the leaver gets no task reward for this week.
	ForfeitWeek bool `json:"forfeit_week"`
	// PenaltyIfTaskFails are the general points charged at settlement
	// when the week's task fails and the leaver's points of the week
	// would have met it (wechat-channels).
	PenaltyIfTaskFails int64 `json:"penalty_if_task_fails"`
	// ExitsInWindow counts this exit and the fan's earlier exits whose
	// penalty window still runs (tiered penalties).
	ExitsInWindow int `json:"exits_in_window,omitempty"`
	// TaskBarredUntil bars the leaver from the club's task rewards until
	// then; TaskBarredForever for ever, even after rejoining.
	TaskBarredUntil   *time.Time `json:"task_barred_until"`
	TaskBarredForever bool       `json:"task_barred_forever"`
}

// planRevenueExit computes the revenue part of fan's exit from the club
// at `at`; the preview and the confirmation both call it.
func (e *Engine) planRevenueExit(ctx context.Context, tx Tx, cp *clubPolicy, fanID int64, at time.Time) (*RevenueExitPlan, error) {
	rule := cp.policy.Revenue
	p := &RevenueExitPlan{PendingShare: rule.PendingShare, Currency: e.money.Currency}
	week := WeekStart(at, cp.loc)
	since := week
	prior, err := tx.ListRevenueExits(ctx, fanID, 0, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("revenue exits: %w", err)
	}
	for _, x := range prior {
		if x.ClubID == cp.club.ID && !x.At.Before(since) {
			since = x.At.Add(time.Nanosecond)
		}
	}
	gifts, err := tx.ListGifts(ctx, fanID, cp.club.ID, since)
	if err != nil {
		return nil, fmt.Errorf("gifts: %w", err)
	}
	// A gift a guardian refund reversed is undone already: the exit
	// neither holds its share again nor returns or charges its coins.
	reversed, err := reversedGifts(ctx, tx, gifts)
	if err != nil {
		return nil, err
	}
	for _, g := range gifts {
		if g.At.After(at) || reversed[g.Key] {
			continue
		}
		p.UnsettledGifts++
		p.UnsettledCoins += g.Coins
		p.UnsettledShare += g.Share
	}
	if p.TaskPoints, err = leaverWeekPoints(ctx, tx, cp, fanID, week); err != nil {
		return nil, err
	}
	switch rule.PendingShare {
	case PendingDeductAtSettlement:
		p.ReversedAtSettlement = p.UnsettledShare
	case PendingFreezeUntilRelease:
		p.Frozen = p.UnsettledShare
	case PendingHoldForReview:
		p.CreatorFlagged = true
	}
	switch rule.TipReturn {
	case TipReturnRatio:
		p.ReturnedCoins = Prorate(p.UnsettledCoins, rule.TipReturnRatio, 1, 1)
	case TipReturnDamages:
		w, err := walletOf(ctx, tx, fanID)
		if err != nil {
			return nil, err
		}
		p.Damages = p.UnsettledCoins
		p.DamagesPaid = min(p.Damages, max(w.Coins, 0))
		p.DamagesOwed = p.Damages - p.DamagesPaid
	}
	switch rule.TaskPenalty {
	case TaskPenaltyIfTaskFails:
		p.PenaltyIfTaskFails = rule.PenaltyPoints
	case TaskPenaltyTiered:
		planTieredPenalty(p, rule.PenaltySteps, prior, at, cp.loc)
	case TaskPenaltyPermanentBar:
		p.ForfeitWeek, p.TaskBarredForever = true, true
	}
	return p, nil
}

// planTieredPenalty applies the step of steps that this exit reaches,
// counting the fan's earlier exits (from any club) whose step window
// still runs at `at`.
func planTieredPenalty(p *RevenueExitPlan, steps []PenaltyStep, prior []*RevenueExit, at time.Time, loc *time.Location) {
	var step *PenaltyStep
	for i := range steps {
		s := &steps[i]
		n := 1
		for _, x := range prior {
			if end, ok := s.Window.End(x.At, loc); !ok || end.After(at) {
				n++
			}
		}
		if n >= s.Exits && (step == nil || s.Exits > step.Exits) {
			step, p.ExitsInWindow = s, n
		}
	}
	if step == nil {
		return
	}
	p.ForfeitWeek = true
	if step.BarFor.Forever {
		p.TaskBarredForever = true
	} else if !step.BarFor.IsZero() {
		if end, ok := step.BarFor.End(at, loc); ok {
			u := end.UTC()
			p.TaskBarredUntil = &u
		}
	}
}

// applyRevenueExit executes an exit's revenue plan in the exit's
// transaction: the record the week's settlement and later exits read,
// the hold of the creator's share (a two-phase ledger transfer), the
// coins returned or the damages charged, and the creator's review.
func (e *Engine) applyRevenueExit(ctx context.Context, tx Tx, cp *clubPolicy, req *ExitRequest, p *RevenueExitPlan) error {
	if p == nil {
		return nil
	}
	now := tx.Now()
	x := &RevenueExit{Key: req.ID, FanID: req.FanID, ClubID: req.ClubID, CreatorID: cp.club.CreatorID, At: now,
		Week: WeekStart(now, cp.loc), Handling: p.PendingShare, UnsettledCoins: p.UnsettledCoins, UnsettledShare: p.UnsettledShare,
		ReturnedCoins: p.ReturnedCoins, DamagesPaid: p.DamagesPaid, DamagesOwed: p.DamagesOwed, WeekPoints: p.TaskPoints, ForfeitWeek: p.ForfeitWeek,
		BarUntil: p.TaskBarredUntil, BarForever: p.TaskBarredForever}
	if created, err := tx.CreateRevenueExit(ctx, x); err != nil {
		return fmt.Errorf("record revenue exit: %w", err)
	} else if !created {
		return nil
	}
	cur := ledger.Asset(p.Currency)
	fan := req.FanID
	var ts []ledger.Transfer
	if p.Frozen > 0 {
		h := &Hold{Key: "hold/" + req.ID, CreatorID: cp.club.CreatorID, ClubID: req.ClubID, FanID: fan, Currency: p.Currency,
			Amount: p.Frozen, State: HoldOpen, CreatedAt: now}
		if _, err := tx.CreateHold(ctx, h); err != nil {
			return fmt.Errorf("create hold: %w", err)
		}
		ts = append(ts, ledger.Transfer{Key: h.Key, Debit: ledger.CreatorPending(h.CreatorID, cur).ID, Credit: ledger.CreatorFrozen(h.CreatorID, cur).ID,
			Asset: cur, Amount: h.Amount, Flags: ledger.Pending, Code: "hold", Ref: req.ID})
	}
	if p.ReturnedCoins > 0 {
		ts = append(ts, ledger.Transfer{Key: "exit/" + req.ID + "/gift-return", Debit: ledger.PlatformCoins().ID, Credit: ledger.FanCoins(fan).ID,
			Asset: ledger.Coin, Amount: p.ReturnedCoins, Code: "gift_return", Ref: req.ID})
	}
	if p.DamagesPaid > 0 {
		ts = append(ts, ledger.Transfer{Key: "exit/" + req.ID + "/damages", Debit: ledger.FanCoins(fan).ID, Credit: ledger.PlatformCoins().ID,
			Asset: ledger.Coin, Amount: p.DamagesPaid, Code: "damages", Ref: req.ID})
	}
	if p.DamagesOwed > 0 {
		ts = append(ts, ledger.Transfer{Key: "exit/" + req.ID + "/damages-owed", Debit: ledger.FanOwed(fan).ID, Credit: ledger.PlatformCoins().ID,
			Asset: ledger.Coin, Amount: p.DamagesOwed, Code: "damages_owed", Ref: req.ID})
	}
	if len(ts) > 0 {
		if _, err := ledger.Post(ctx, tx, now, ts...); err != nil {
			return ledgerError(err, "booking an exit's revenue consequences")
		}
	}
	flagged := false
	if p.CreatorFlagged {
		open, err := tx.ListReviews(ctx, ReviewOpen, cp.club.CreatorID)
		if err != nil {
			return fmt.Errorf("reviews: %w", err)
		}
		if len(open) == 0 {
			r := &Review{Key: req.ID, CreatorID: cp.club.CreatorID, ClubID: req.ClubID, FanID: fan, State: ReviewOpen, OpenedAt: now}
			if _, err := tx.CreateReview(ctx, r); err != nil {
				return fmt.Errorf("create review: %w", err)
			}
			flagged = true
		}
	}
	if err := e.notifyExitRevenue(ctx, tx, cp, req, p, flagged); err != nil {
		return err
	}
	if p.PendingShare != PendingKeep || p.PenaltyIfTaskFails > 0 {
		// The week's settlement reads this exit even when no gift of the
		// week scheduled it.
		return e.scheduleSettlement(ctx, tx, cp, now, "", time.Time{})
	}
	return nil
}

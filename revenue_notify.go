package fanclub

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Notification kinds of creator revenue: to the creator (settled,
// frozen, released, voided, flagged, review closed) and to the leaver
// (damages, penalty).
const (
	// NotifyRevenueSettled: a week settled into the available balance.
	NotifyRevenueSettled NotificationKind = "revenue_settled"
	// NotifyRevenueFrozen: a leaver's share was frozen at their exit.
	NotifyRevenueFrozen NotificationKind = "revenue_frozen"
	// NotifyRevenueReleased: an operator released a frozen share.
	NotifyRevenueReleased NotificationKind = "revenue_released"
	// NotifyRevenueVoided: an operator voided a frozen share.
	NotifyRevenueVoided NotificationKind = "revenue_voided"
	// NotifyRevenueFlagged: the creator was flagged for review.
	NotifyRevenueFlagged NotificationKind = "revenue_flagged"
	// NotifyReviewClosed: the creator's review closed.
	NotifyReviewClosed NotificationKind = "revenue_review_closed"
	// NotifyDamagesCharged: the leaver was charged liquidated damages.
	NotifyDamagesCharged NotificationKind = "damages_charged"
	// NotifyPenaltyCharged: the leaver was charged a task penalty.
	NotifyPenaltyCharged NotificationKind = "penalty_charged"
)

// revenueNotice builds one revenue notification of kind for a recipient
// about the thing parts name, in the club's policy.
func revenueNotice(cp *clubPolicy, kind NotificationKind, to Recipient, at time.Time, f NotificationFacts, parts ...any) (*Notification, error) {
	f.Club = cp.club.Name
	if f.Time.IsZero() {
		f.Time = at
	}
	return NewNotification(cp.policy, kind, NotificationID(kind, parts...), to, cp.club.ID, at, f)
}

// notifyRevenue stores the notifications built by mk (nil ones skipped).
func (e *Engine) notifyRevenue(ctx context.Context, tx Tx, mk ...func() (*Notification, error)) error {
	var ns []*Notification
	for _, f := range mk {
		n, err := f()
		if err != nil {
			return err
		}
		if n != nil {
			ns = append(ns, n)
		}
	}
	return e.notify(ctx, tx, ns)
}

// notifySettled tells the creator what a week's settlement did.
func (e *Engine) notifySettled(ctx context.Context, tx Tx, cp *clubPolicy, s *Settlement) error {
	if s.Settled+s.Released+s.Reversed == 0 {
		return nil
	}
	return e.notifyRevenue(ctx, tx, func() (*Notification, error) {
		return revenueNotice(cp, NotifyRevenueSettled, CreatorRecipient(s.CreatorID), tx.Now(), NotificationFacts{
			Amount: s.Settled + s.Released, Currency: s.Currency, Time: s.Week,
			Reason: Localized{ZH: fmt.Sprintf("退还平台 %s", FormatMoney(s.Reversed, s.Currency).ZH),
				EN: fmt.Sprintf("reversed to the platform: %s", FormatMoney(s.Reversed, s.Currency).EN)}}, "club", s.ClubID, s.Week.Unix())
	})
}

// notifyExitRevenue tells the creator of a freeze or a flag and the
// leaver of damages, for an exit's revenue plan.
func (e *Engine) notifyExitRevenue(ctx context.Context, tx Tx, cp *clubPolicy, req *ExitRequest, p *RevenueExitPlan, flagged bool) error {
	now := tx.Now()
	creator := CreatorRecipient(cp.club.CreatorID)
	var mk []func() (*Notification, error)
	if p.Frozen > 0 {
		mk = append(mk, func() (*Notification, error) {
			return revenueNotice(cp, NotifyRevenueFrozen, creator, now, NotificationFacts{Amount: p.Frozen, Currency: p.Currency}, "exit", req.ID)
		})
	}
	if flagged {
		mk = append(mk, func() (*Notification, error) {
			return revenueNotice(cp, NotifyRevenueFlagged, creator, now, NotificationFacts{}, "exit", req.ID)
		})
	}
	if p.Damages > 0 {
		mk = append(mk, func() (*Notification, error) {
			return revenueNotice(cp, NotifyDamagesCharged, FanRecipient(req.FanID), now, NotificationFacts{Reason: Localized{
				ZH: fmt.Sprintf("%d 金币(余额扣除 %d,欠款 %d)", p.Damages, p.DamagesPaid, p.DamagesOwed),
				EN: fmt.Sprintf("%d coins (%d from your balance, %d owed)", p.Damages, p.DamagesPaid, p.DamagesOwed)}}, "exit", req.ID)
		})
	}
	return e.notifyRevenue(ctx, tx, mk...)
}

// notifyHold tells the creator an operator released or voided a hold.
func (e *Engine) notifyHold(ctx context.Context, tx Tx, h *Hold) error {
	cp, err := e.loadClub(ctx, tx, h.ClubID)
	if err != nil {
		return err
	}
	kind := NotifyRevenueReleased
	if h.State == HoldVoided {
		kind = NotifyRevenueVoided
	}
	return e.notifyRevenue(ctx, tx, func() (*Notification, error) {
		return revenueNotice(cp, kind, CreatorRecipient(h.CreatorID), tx.Now(), NotificationFacts{Amount: h.Amount, Currency: h.Currency,
			Reason: Localized{ZH: h.Reason, EN: h.Reason}}, "hold", h.ID)
	})
}

// notifyReviewClosed tells the creator its review closed.
func (e *Engine) notifyReviewClosed(ctx context.Context, tx Tx, r *Review) error {
	cp, err := e.loadClub(ctx, tx, r.ClubID)
	if err != nil {
		return err
	}
	return e.notifyRevenue(ctx, tx, func() (*Notification, error) {
		return revenueNotice(cp, NotifyReviewClosed, CreatorRecipient(r.CreatorID), tx.Now(), NotificationFacts{
			Reason: Localized{ZH: r.Reason, EN: r.Reason}}, "review", r.ID)
	})
}

// notifyPenalty tells a leaver the task penalty they were charged.
func (e *Engine) notifyPenalty(ctx context.Context, tx Tx, cp *clubPolicy, fanID int64, week time.Time, points int64) error {
	return e.notifyRevenue(ctx, tx, func() (*Notification, error) {
		return revenueNotice(cp, NotifyPenaltyCharged, FanRecipient(fanID), tx.Now(), NotificationFacts{Time: week, Reason: Localized{
			ZH: strconv.FormatInt(points, 10) + " 通用积分", EN: strconv.FormatInt(points, 10) + " general points"}}, "task", cp.club.ID, week.Unix(), fanID)
	})
}

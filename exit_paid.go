package fanclub

import (
	"context"
	"fmt"
	"time"
)

// planExitTx plans an exit in tx (PlanExit) together with what it does to
// the fan's live subscription in the club (PlanPaidExit, under the exit's
// "paid" choice), which it returns; both the preview and the execution
// call it, so they agree.
func (e *Engine) planExitTx(ctx context.Context, tx Tx, cp *clubPolicy, m *Membership, choices map[string]string, at time.Time) (ExitPlan, *Subscription, error) {
	plan, err := PlanExit(cp.policy, cp.loc, *m, choices, at)
	if err != nil {
		return ExitPlan{}, nil, err
	}
	if plan.Impact.Revenue, err = e.planRevenueExit(ctx, tx, cp, m.FanID, at); err != nil {
		return ExitPlan{}, nil, err
	}
	s, err := tx.FindSubscriptionByMember(ctx, m.FanID, m.ClubID)
	switch {
	case isNotFound(err):
		return plan, nil, nil
	case err != nil:
		return ExitPlan{}, nil, fmt.Errorf("find subscription: %w", err)
	case !s.Status.Live():
		return plan, nil, nil
	}
	paid, err := PlanPaidExit(cp.policy.Paid, *s, at, choices[ChoicePaid], cp.loc)
	if err != nil {
		return ExitPlan{}, nil, err
	}
	plan.Impact.Paid = &paid
	return plan, s, nil
}

// samePaidExit reports whether two paid exit plans do the same thing
// (times compared as instants): none, or equal in every field.
func samePaidExit(a, b *PaidExitPlan) bool {
	if a == nil || b == nil {
		return a == b
	}
	sameCharge := a.NextCharge == nil && b.NextCharge == nil ||
		a.NextCharge != nil && b.NextCharge != nil && a.NextCharge.At.Equal(b.NextCharge.At) && a.NextCharge.Amount == b.NextCharge.Amount
	return a.Option == b.Option && a.Refund == b.Refund && a.RefundMethod == b.RefundMethod &&
		a.AutoRenewAfter == b.AutoRenewAfter && a.BenefitsUntil.Equal(b.BenefitsUntil) && sameCharge
}

// applyPaidExit executes the paid part of an exit plan in tx: the
// subscription as planned (auto-renew, benefits, the refund booked in it),
// its jobs rescheduled, and the refund recorded pending, which it returns
// for the caller to make once the exit commits.
func (e *Engine) applyPaidExit(ctx context.Context, tx Tx, cp *clubPolicy, req *ExitRequest, s *Subscription, p *PaidExitPlan) (*Payment, error) {
	if s == nil || p == nil {
		return nil, nil
	}
	next := ApplyPaidExit(*s, *p, tx.Now())
	if err := tx.UpdateSubscription(ctx, &next); err != nil {
		return nil, fmt.Errorf("update subscription: %w", err)
	}
	if err := e.scheduleSubscription(ctx, tx, cp, &next); err != nil {
		return nil, err
	}
	if p.Refund.Amount <= 0 {
		return nil, nil
	}
	return e.newRefund(ctx, tx, s.FanID, s.ClubID, s.ChargeID, p.Refund, PurposeExitRefund, "refund/exit/"+req.ID)
}

// exitReceipt sends the receipt of a confirmed exit.
func (e *Engine) exitReceipt(ctx context.Context, tx Tx, cp *clubPolicy, req *ExitRequest) error {
	n, err := NewNotification(cp.policy, NotifyExitReceipt, NotificationID(NotifyExitReceipt, "exit", req.ID),
		FanRecipient(req.FanID), req.ClubID, tx.Now(), NotificationFacts{Club: cp.club.Name, Time: tx.Now()})
	if err != nil {
		return err
	}
	return e.notify(ctx, tx, []*Notification{n})
}

// rejoinBenefits gives a rejoining fan back the paid benefits an exit cut
// while the paid period still runs (RejoinBenefits), in the join's tx.
func (e *Engine) rejoinBenefits(ctx context.Context, tx Tx, cp *clubPolicy, fanID, clubID int64) error {
	s, err := tx.FindSubscriptionByMember(ctx, fanID, clubID)
	if isNotFound(err) {
		return nil
	} else if err != nil {
		return fmt.Errorf("find subscription: %w", err)
	}
	next := RejoinBenefits(cp.policy.Paid, *s, tx.Now())
	if next.BenefitsUntil.Equal(s.BenefitsUntil) && next.BenefitsCut == s.BenefitsCut {
		return nil
	}
	if err := tx.UpdateSubscription(ctx, &next); err != nil {
		return fmt.Errorf("update subscription: %w", err)
	}
	return nil
}

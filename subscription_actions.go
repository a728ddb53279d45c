package fanclub

import (
	"context"
	"fmt"

	"fanclub/payments"
)

// CancelRenewal turns a fan's auto-renew off in a club, in one step (the
// policy's cancel): benefits run to the period end, and where the policy
// refunds on cancel (douyin's quarterly plans) the unused part is
// refunded to the payment that paid the period. Under a policy whose
// renewal runs on a payment agreement, only revoking the agreement stops
// renewal (EINVALID saying so).
func (e *Engine) CancelRenewal(ctx context.Context, fanID, clubID int64) (*SubscriptionResult, error) {
	var refund *Payment
	var chargeRef string
	err := e.inTx(ctx, true, func(tx Tx) error {
		refund = nil
		s, err := tx.FindSubscriptionByMember(ctx, fanID, clubID)
		if isNotFound(err) {
			return Errorf(ENOTFOUND, "Fan %d has no subscription in club %d.", fanID, clubID)
		} else if err != nil {
			return fmt.Errorf("find subscription: %w", err)
		}
		if !s.Status.Live() {
			return Errorf(ECONFLICT, "The subscription has %s: there is no renewal to cancel.", s.Status)
		}
		cp, err := e.loadClub(ctx, tx, clubID)
		if err != nil {
			return err
		}
		plan, err := PlanCancel(cp.policy.Paid, *s, tx.Now(), cp.loc)
		if err != nil {
			return err
		}
		next := ApplyCancel(*s, plan, tx.Now())
		if err := tx.UpdateSubscription(ctx, &next); err != nil {
			return fmt.Errorf("update subscription: %w", err)
		}
		if err := e.scheduleSubscription(ctx, tx, cp, &next); err != nil {
			return err
		}
		if plan.Refund.Amount > 0 {
			chargeRef = s.ChargeID
			refund, err = e.newRefund(ctx, tx, fanID, clubID, chargeRef, plan.Refund, PurposeCancelRefund, "refund/cancel/"+refOf(s).key())
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if refund != nil && refund.Status == PaymentPending {
		// The cancel is committed; a failed refund call is settled by the
		// refund's reconcile job, and the answer shows the refund pending.
		if settled, err := e.chargeWith(ctx, refund, reconcilePayload{Key: refund.Key, ChargeRef: chargeRef}, nil); err != nil {
			e.log.WarnContext(ctx, "cancel refund left to its reconcile job", "fan", fanID, "refund", refund.Key, "err", err)
		} else {
			refund = settled
		}
	}
	res, err := e.SubscriptionOf(ctx, fanID, clubID)
	if err != nil {
		return nil, err
	}
	res.Payment = refund
	return res, nil
}

// RevokeAgreement revokes a fan's payment agreement with the provider and
// stops the renewals charged on it (kuaishou's only way to stop them):
// no refund, benefits unchanged. Revoking twice is harmless.
func (e *Engine) RevokeAgreement(ctx context.Context, fanID int64, agreementID string) ([]*SubscriptionResult, error) {
	if agreementID == "" {
		return nil, InvalidFields("Invalid agreement.", []FieldError{{Path: "id", Message: "missing agreement id"}})
	}
	var subs []*Subscription
	err := e.inTx(ctx, false, func(tx Tx) error {
		all, err := tx.ListSubscriptions(ctx, fanID)
		if err != nil {
			return fmt.Errorf("list subscriptions: %w", err)
		}
		subs = subs[:0]
		for _, s := range all {
			if s.AgreementID == agreementID {
				subs = append(subs, s)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(subs) == 0 {
		return nil, Errorf(ENOTFOUND, "Fan %d has no subscription on payment agreement %q.", fanID, agreementID)
	}
	if e.payments == nil {
		return nil, Errorf(EINTERNAL, "No payment provider is configured.")
	}
	if _, err := e.payments.RevokeAgreement(ctx, payments.RevokeRequest{Key: "revoke/" + agreementID, AgreementID: agreementID}); err != nil {
		return nil, providerError(err)
	}
	var out []*SubscriptionResult
	err = e.inTx(ctx, true, func(tx Tx) error {
		out = out[:0]
		for _, old := range subs {
			s, err := tx.FindSubscription(ctx, old.ID)
			if err != nil {
				return fmt.Errorf("find subscription: %w", err)
			}
			if s, err = e.revokeRenewalTx(ctx, tx, s); err != nil {
				return err
			}
			out = append(out, &SubscriptionResult{SubscriptionView: s.View(tx.Now()), AgreementID: s.AgreementID})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// revokeRenewalTx stops in tx the renewal of s, which runs on a revoked
// (or absent) payment agreement, under its club's policy
// (RevokeAgreement), with its jobs rescheduled; it returns s as it is
// now. A subscription that no longer renews is returned unchanged.
func (e *Engine) revokeRenewalTx(ctx context.Context, tx Tx, s *Subscription) (*Subscription, error) {
	if !s.Status.Live() || !s.AutoRenew {
		return s, nil
	}
	cp, err := e.loadClub(ctx, tx, s.ClubID)
	if err != nil {
		return nil, err
	}
	next, err := RevokeAgreement(cp.policy.Paid, *s, tx.Now())
	if err != nil {
		return nil, err
	}
	if err := tx.UpdateSubscription(ctx, &next); err != nil {
		return nil, fmt.Errorf("update subscription: %w", err)
	}
	if err := e.scheduleSubscription(ctx, tx, cp, &next); err != nil {
		return nil, err
	}
	return &next, nil
}

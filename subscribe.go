package fanclub

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"fanclub/payments"
)

// Payment purposes of paid memberships.
const (
	// PurposeSubscription is the first charge of a subscription.
	PurposeSubscription = "subscription"
	// PurposeRenewal is the charge of a renewal (or of its retry).
	PurposeRenewal = "renewal"
	// PurposeCancelRefund gives back money when a cancel refunds.
	PurposeCancelRefund = "cancel_refund"
	// PurposeExitRefund gives back money when an exit refunds.
	PurposeExitRefund = "exit_refund"
	// PurposeDuplicateRefund gives back a subscription charge that found
	// a live subscription already in place.
	PurposeDuplicateRefund = "duplicate_refund"
	// PurposeRenewalRefund gives back a renewal charge settled after its
	// subscription moved on (canceled or revoked in the meantime).
	PurposeRenewalRefund = "renewal_refund"
)

// subIntent is what a subscription's first charge buys.
type subIntent struct {
	ClubID    int64  `json:"club_id"`
	Tier      string `json:"tier"`
	Plan      Plan   `json:"plan"`
	AutoRenew bool   `json:"auto_renew"`
}

// SubscriptionResult is a fan's subscription in a club as the API shows it.
type SubscriptionResult struct {
	SubscriptionView
	// AgreementID is the payment agreement renewals are charged on, if any.
	AgreementID string `json:"agreement_id,omitempty"`
	// Payment is the charge or refund the request made, if any.
	Payment *Payment `json:"payment,omitempty"`
}

// Subscribe buys a paid membership of a club for an active member: the
// policy's price of tier and plan is charged through the payment
// provider, and a paid period starts when the charge succeeds. Auto-renew
// is the fan's choice (autoRenew); nil takes the policy's default, which
// is off where the policy asks for explicit consent. Where renewal runs on a payment
// agreement (stoppedBy revoke_agreement) an agreement is created first and
// renewals are charged on it. key makes it idempotent as BuyCoins does; a
// declined charge is EDECLINED and starts nothing.
func (e *Engine) Subscribe(ctx context.Context, fanID, clubID int64, tier string, plan Plan, autoRenew *bool, key string) (*SubscriptionResult, error) {
	if f := checkKey(key); f != nil {
		return nil, InvalidFields("Invalid subscription.", []FieldError{*f})
	}
	if e.payments == nil {
		return nil, Errorf(EINTERNAL, "No payment provider is configured.")
	}
	spend := Spending{Kind: SpendSubscription, FanID: fanID, ClubID: clubID, Tier: tier, Plan: plan, Key: moneyKey("subscribe", fanID, key)}
	if _, err := e.checkSpending(ctx, spend); err != nil {
		return nil, err
	}
	p := &Payment{Key: moneyKey("subscribe", fanID, key), FanID: fanID, ClubID: clubID, Kind: PaymentCharge,
		Purpose: PurposeSubscription, Status: PaymentPending}
	in := subIntent{ClubID: clubID, Tier: tier, Plan: plan}
	var agreementNeeded bool
	stored, err := e.findPayment(ctx, p.Key)
	if err != nil {
		return nil, err
	}
	if stored != nil {
		// A retry: the first request's answer, or, while its charge is
		// pending, that charge settled with what the first request
		// recorded (its auto-renew choice and agreement).
		pl, err := e.storedSubscribe(ctx, stored, fanID, clubID, tier, plan, autoRenew)
		if err != nil {
			return nil, err
		}
		return e.settleSubscribe(ctx, stored, pl, fanID, clubID)
	}
	// Check before any provider call: an agreement is made only for a
	// subscription that can start.
	err = e.inTx(ctx, false, func(tx Tx) error {
		cp, err := e.canSubscribe(ctx, tx, fanID, clubID, tier, plan)
		if err != nil {
			return err
		}
		p.Amount, p.Currency = cp.price, cp.policy.Paid.Currency
		in.AutoRenew = DefaultAutoRenew(cp.policy.Paid)
		if autoRenew != nil {
			in.AutoRenew = *autoRenew
		}
		agreementNeeded = in.AutoRenew && cp.policy.Paid.AutoRenew.StoppedBy == RenewalStopRevokeAgreement
		return nil
	})
	if err != nil {
		return nil, err
	}
	agreement := ""
	if agreementNeeded {
		ag, err := e.payments.CreateAgreement(ctx, payments.AgreementRequest{Key: p.Key + "/agreement", FanID: fanID})
		if err != nil {
			return nil, providerError(err)
		}
		agreement = ag.ID
	}
	pl := reconcilePayload{Key: p.Key, Agreement: agreement, Sub: &in}
	var created bool
	err = e.inTx(ctx, true, func(tx Tx) error {
		q := *p
		q.CreatedAt = tx.Now()
		if _, err := e.canSubscribe(ctx, tx, fanID, clubID, tier, plan); err != nil {
			return err
		}
		if err := e.recheckSpending(ctx, tx, spend); err != nil {
			return err
		}
		var err error
		if created, err = tx.CreatePayment(ctx, &q); err != nil {
			return fmt.Errorf("create payment: %w", err)
		}
		if created {
			if err := e.enqueuePaymentJob(ctx, tx, &q, pl); err != nil {
				return err
			}
		}
		*p = q
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !created {
		// A request that raced the first under its key: checked and
		// answered as a retry is, with what the first recorded.
		if pl, err = e.storedSubscribe(ctx, p, fanID, clubID, tier, plan, autoRenew); err != nil {
			return nil, err
		}
	}
	return e.settleSubscribe(ctx, p, pl, fanID, clubID)
}

// settleSubscribe charges a subscription's first payment when it is
// pending, with pl, and answers with the subscription that payment
// started and the payment (EDECLINED for a declined charge).
func (e *Engine) settleSubscribe(ctx context.Context, p *Payment, pl reconcilePayload, fanID, clubID int64) (*SubscriptionResult, error) {
	var err error
	if p.Status == PaymentPending {
		if p, err = e.chargeWith(ctx, p, pl, nil); err != nil {
			return nil, err
		}
	}
	if p.Status == PaymentDeclined {
		return nil, declined(p)
	}
	var out *SubscriptionResult
	err = e.inTx(ctx, false, func(tx Tx) error {
		s, err := subscriptionPaidBy(ctx, tx, p, fanID, clubID)
		if err != nil {
			return err
		}
		out, err = subscriptionResult(ctx, tx, s)
		return err
	})
	if err != nil {
		return nil, err
	}
	out.Payment = p
	return out, nil
}

// subscriptionPaidBy returns the subscription a succeeded first charge
// started: the fan's subscription in the club created in the charge's
// settlement transaction. A charge that started none (a concurrent
// subscribe's came first, and this one is refunded) answers with the
// fan's latest subscription there.
func subscriptionPaidBy(ctx context.Context, tx Tx, p *Payment, fanID, clubID int64) (*Subscription, error) {
	if p.SettledAt != nil {
		subs, err := tx.ListSubscriptions(ctx, fanID)
		if err != nil {
			return nil, fmt.Errorf("list subscriptions: %w", err)
		}
		for _, s := range subs {
			if s.ClubID == clubID && s.CreatedAt.Equal(*p.SettledAt) {
				return s, nil
			}
		}
	}
	s, err := tx.FindSubscriptionByMember(ctx, fanID, clubID)
	if isNotFound(err) {
		return nil, Errorf(ENOTFOUND, "Fan %d has no subscription in club %d.", fanID, clubID)
	} else if err != nil {
		return nil, fmt.Errorf("find subscription: %w", err)
	}
	return s, nil
}

// storedSubscribe checks a retried subscribe against the payment its key
// stored and the intent that payment's reconcile job holds, and returns
// that job's payload. The key first used by another request (another
// fan, club or purpose, tier or plan, or an auto-renew choice given
// otherwise) is EKEYREUSED.
func (e *Engine) storedSubscribe(ctx context.Context, p *Payment, fanID, clubID int64, tier string, plan Plan, autoRenew *bool) (reconcilePayload, error) {
	if p.FanID != fanID || p.ClubID != clubID || p.Purpose != PurposeSubscription {
		return reconcilePayload{}, Errorf(EKEYREUSED, "This idempotency key was first used for another request.")
	}
	j, err := e.FindJob(ctx, reconcileJobKey(p))
	if err != nil {
		return reconcilePayload{}, fmt.Errorf("find reconcile job of %s: %w", p.Key, err)
	}
	var pl reconcilePayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return reconcilePayload{}, fmt.Errorf("reconcile payload of %s: %w", p.Key, err)
	}
	if in := pl.Sub; in != nil && (in.Tier != tier || in.Plan != plan || autoRenew != nil && *autoRenew != in.AutoRenew) {
		return reconcilePayload{}, Errorf(EKEYREUSED, "This idempotency key was first used for a %s %s subscription (auto_renew %t) in club %d.",
			in.Tier, in.Plan, in.AutoRenew, in.ClubID)
	}
	return pl, nil
}

// findPayment returns the payment stored under key, nil when none is.
func (e *Engine) findPayment(ctx context.Context, key string) (*Payment, error) {
	var p *Payment
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		p, err = tx.FindPaymentByKey(ctx, key)
		if isNotFound(err) {
			p, err = nil, nil
		}
		return err
	})
	return p, err
}

// subscribable is a club a fan may subscribe to, with the price.
type subscribable struct {
	*clubPolicy
	price int64
}

// canSubscribe checks, in tx, that a fan may subscribe to tier and plan
// in a club: the price exists, the fan is an active member, and no
// subscription of the fan's there is live.
func (e *Engine) canSubscribe(ctx context.Context, tx Tx, fanID, clubID int64, tier string, plan Plan) (*subscribable, error) {
	cp, err := e.loadClub(ctx, tx, clubID)
	if err != nil {
		return nil, err
	}
	price, err := PriceOf(cp.policy.Paid, tier, plan)
	if err != nil {
		return nil, err
	}
	m, err := tx.FindMembership(ctx, fanID, clubID)
	if err != nil && !isNotFound(err) {
		return nil, fmt.Errorf("find membership: %w", err)
	}
	if m == nil || m.Status != StatusActive {
		return nil, Errorf(ENOTMEMBER, "Fan %d is not a member of club %d: only members subscribe.", fanID, clubID)
	}
	s, err := tx.FindSubscriptionByMember(ctx, fanID, clubID)
	switch {
	case err == nil && blocks(s, tx.Now()):
		return nil, Errorf(ECONFLICT, "Fan %d already has a %s subscription in club %d (status %s).", fanID, s.Plan, clubID, s.Status)
	case err != nil && !isNotFound(err):
		return nil, fmt.Errorf("find subscription: %w", err)
	}
	return &subscribable{clubPolicy: cp, price: price}, nil
}

// blocks reports whether a fan's subscription stands in the way of a new
// one at now: it is live and either its benefits run or it will renew. A
// live subscription doing neither (an exit cut its benefits and stopped
// renewal, its period not over yet) is ended by the new one.
func blocks(s *Subscription, now time.Time) bool {
	return s.Status.Live() && (s.AutoRenew || s.BenefitsActive(now))
}

// startSubscription starts the subscription a succeeded first charge paid
// for, in the charge's settlement transaction. A live subscription found
// in its place (a concurrent subscribe under another key) gets the money
// back: a refund of the whole charge is scheduled.
func (e *Engine) startSubscription(ctx context.Context, tx Tx, p *Payment, in *subIntent, agreement string) error {
	cp, err := e.loadClub(ctx, tx, in.ClubID)
	if err != nil {
		return err
	}
	if cur, err := tx.FindSubscriptionByMember(ctx, p.FanID, in.ClubID); err == nil && blocks(cur, tx.Now()) {
		return e.scheduleRefund(ctx, tx, p, p.Amount, PurposeDuplicateRefund, p.Key+"/duplicate")
	} else if err == nil && cur.Status.Live() {
		old := EndSubscription(*cur, tx.Now())
		if err := tx.UpdateSubscription(ctx, &old); err != nil {
			return fmt.Errorf("end replaced subscription: %w", err)
		}
	} else if err != nil && !isNotFound(err) {
		return fmt.Errorf("find subscription: %w", err)
	}
	s, err := NewSubscription(cp.policy.Paid, p.FanID, in.ClubID, in.Tier, in.Plan, in.AutoRenew, tx.Now(), cp.loc)
	if err != nil {
		return err
	}
	s.Price, s.ChargeID, s.AgreementID = p.Amount, p.ProviderRef, agreement
	if err := tx.CreateSubscription(ctx, &s); err != nil {
		return fmt.Errorf("create subscription: %w", err)
	}
	if err := e.chargeNotice(ctx, tx, cp, &s, p); err != nil {
		return err
	}
	return e.scheduleSubscription(ctx, tx, cp, &s)
}

// SubscriptionOf returns a fan's latest subscription in a club (ENOTFOUND
// when the fan never subscribed there).
func (e *Engine) SubscriptionOf(ctx context.Context, fanID, clubID int64) (*SubscriptionResult, error) {
	var out *SubscriptionResult
	err := e.inTx(ctx, false, func(tx Tx) error {
		s, err := tx.FindSubscriptionByMember(ctx, fanID, clubID)
		if isNotFound(err) {
			return Errorf(ENOTFOUND, "Fan %d has no subscription in club %d.", fanID, clubID)
		} else if err != nil {
			return fmt.Errorf("find subscription: %w", err)
		}
		out, err = subscriptionResult(ctx, tx, s)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// subscriptionResult is s as the API shows it. Its benefits show as
// active only while the fan is an active member: paid benefits belong to
// a membership.
func subscriptionResult(ctx context.Context, tx Tx, s *Subscription) (*SubscriptionResult, error) {
	out := &SubscriptionResult{SubscriptionView: s.View(tx.Now()), AgreementID: s.AgreementID}
	if out.BenefitsActive {
		m, err := tx.FindMembership(ctx, s.FanID, s.ClubID)
		if err != nil && !isNotFound(err) {
			return nil, fmt.Errorf("find membership: %w", err)
		}
		out.BenefitsActive = m != nil && m.Status == StatusActive
	}
	return out, nil
}

// subscriptionKey names a subscription in job and notification keys.
func subscriptionKey(s *Subscription) string {
	return strconv.FormatInt(s.ID, 10) + "/" + strconv.Itoa(s.PeriodIndex)
}

package fanclub

import (
	"context"
	"fmt"
	"time"
)

// How an account erasure stops a renewal (ErasureRenewal.Action).
const (
	// ErasureCancel cancels renewal, as the fan's own cancel does.
	ErasureCancel = "cancel"
	// ErasureRevokeAgreement revokes the payment agreement renewals are
	// charged on, as the fan's own revocation does.
	ErasureRevokeAgreement = "revoke_agreement"
)

// ErasureRenewal is a subscription whose renewal an account erasure stops
// after its exits, the way the club's policy stops it, so that nothing is
// charged after the erasure: a cancel (CancelRenewal: with the cancel's
// refund where the policy refunds on cancel, douyin's quarterly plans),
// or, where renewal runs on a payment agreement, the agreement revoked
// (RevokeAgreement: no refund, benefits unchanged). A subscription the
// exit already stopped (an exit that turns auto-renew off) is not one.
type ErasureRenewal struct {
	ClubID         int64 `json:"club_id"`
	SubscriptionID int64 `json:"subscription_id"`
	// Action is ErasureCancel or ErasureRevokeAgreement.
	Action string `json:"action"`
	// Plan is the refund the stop pays and when benefits end.
	Plan CancelPlan `json:"plan"`
}

// planRenewalStop plans how an erasure at at stops the renewal of s under
// its club's policy; false when s will not be charged again.
func planRenewalStop(cp *clubPolicy, s Subscription, at time.Time) (ErasureRenewal, bool, error) {
	if _, renews := RenewalDue(s); !renews {
		return ErasureRenewal{}, false, nil
	}
	r := ErasureRenewal{ClubID: s.ClubID, SubscriptionID: s.ID}
	if cp.policy.Paid.AutoRenew.StoppedBy == RenewalStopRevokeAgreement {
		next, err := RevokeAgreement(cp.policy.Paid, s, at)
		if err != nil {
			return r, false, err
		}
		r.Action = ErasureRevokeAgreement
		r.Plan = CancelPlan{Refund: Money{Currency: s.Currency}, RefundMethod: RefundNone, BenefitsUntil: next.BenefitsUntil}
		return r, true, nil
	}
	p, err := PlanCancel(cp.policy.Paid, s, at, cp.loc)
	if err != nil {
		return r, false, err
	}
	r.Action, r.Plan = ErasureCancel, p
	return r, true, nil
}

// planRenewalStops plans in tx the renewal stops of an erasure at now
// whose exits are exits: each live subscription of the fan as its club's
// exit leaves it (ApplyPaidExit under the exit's paid plan), then stopped
// where it would still be charged.
func (e *Engine) planRenewalStops(ctx context.Context, tx Tx, fanID int64, exits []ErasureExit, now time.Time) ([]ErasureRenewal, error) {
	paid := map[int64]*PaidExitPlan{}
	for _, x := range exits {
		paid[x.ClubID] = x.Impact.Paid
	}
	subs, err := tx.ListSubscriptions(ctx, fanID)
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	out := []ErasureRenewal{}
	for _, s := range subs {
		if !s.Status.Live() {
			continue
		}
		cp, err := e.loadClub(ctx, tx, s.ClubID)
		if err != nil {
			return nil, err
		}
		after := *s
		if p := paid[s.ClubID]; p != nil {
			after = ApplyPaidExit(after, *p, now)
		}
		r, ok, err := planRenewalStop(cp, after, now)
		if err != nil {
			return nil, fmt.Errorf("subscription %d: %w", s.ID, err)
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// stopRenewals stops, after an erasure's exits, every renewal of the fan
// still due, through the fan's own actions (CancelRenewal,
// RevokeAgreement), and returns what it stopped. Each stop commits on its
// own, with its refund made after it commits (or left to its reconcile
// job); a failed one (the provider refusing a revocation) fails the
// erasure, and a repeated erasure stops what is left.
func (e *Engine) stopRenewals(ctx context.Context, fanID int64) ([]ErasureRenewal, error) {
	var plans []ErasureRenewal
	agreements := map[int64]string{}
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		plans, err = e.planRenewalStops(ctx, tx, fanID, nil, tx.Now())
		if err != nil {
			return err
		}
		subs, err := tx.ListSubscriptions(ctx, fanID)
		for _, s := range subs {
			agreements[s.ID] = s.AgreementID
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	revoked := map[string]bool{}
	for _, r := range plans {
		var err error
		switch ag := agreements[r.SubscriptionID]; {
		case r.Action == ErasureCancel:
			_, err = e.CancelRenewal(ctx, fanID, r.ClubID)
		case ag == "":
			// No agreement at the provider to revoke: stop it here.
			err = e.inTx(ctx, true, func(tx Tx) error {
				s, err := tx.FindSubscription(ctx, r.SubscriptionID)
				if err != nil {
					return fmt.Errorf("find subscription: %w", err)
				}
				_, err = e.revokeRenewalTx(ctx, tx, s)
				return err
			})
		case !revoked[ag]: // one revocation stops every renewal on it
			_, err = e.RevokeAgreement(ctx, fanID, ag)
			revoked[ag] = true
		}
		if err != nil {
			return nil, fmt.Errorf("stop the renewal in club %d: %w", r.ClubID, err)
		}
	}
	return plans, nil
}

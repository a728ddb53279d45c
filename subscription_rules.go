package fanclub

import (
	"strings"
	"time"
)

// PriceOf returns the price of a tier on a plan, in minor units of
// rule.Currency; EINVALID naming the allowed tiers or plans otherwise.
func PriceOf(rule PaidRule, tier string, plan Plan) (int64, error) {
	offered := false
	for _, p := range rule.Plans {
		offered = offered || p == plan
	}
	if !offered {
		return 0, invalidField("plan", string(plan), joinEnum(rule.Plans), "plan not offered")
	}
	names := make([]string, len(rule.Tiers))
	for i, t := range rule.Tiers {
		names[i] = t.Name
		if t.Name != tier {
			continue
		}
		for _, pr := range t.Prices {
			if pr.Plan == plan {
				return pr.Price, nil
			}
		}
		return 0, invalidField("plan", string(plan), joinEnum(rule.Plans), "no price for this plan")
	}
	return 0, invalidField("tier", tier, strings.Join(names, ", "), "unknown tier")
}

// invalidField is an EINVALID error about one input field.
func invalidField(path, found, allowed, msg string) error {
	return InvalidFields(Errorf(EINVALID, "%s: %s %q (allowed: %s).", path, msg, found, allowed).Message,
		[]FieldError{{Path: path, Found: quoted(found), Allowed: allowed, Message: msg}})
}

// DefaultAutoRenew is auto-renew when a buyer does not say: off under
// explicit consent (the request must carry auto_renew: true, which is that
// consent), on otherwise (the platforms renew unless told not to).
func DefaultAutoRenew(rule PaidRule) bool { return !rule.AutoRenew.ExplicitConsent }

// NewSubscription starts a subscription paid at at: the first period runs
// from at (the anchor) for the plan's months in loc, with benefits to its
// end. autoRenew is the buyer's choice; under explicit consent only the
// buyer's own true turns it on (see DefaultAutoRenew). ChargeID and
// AgreementID are the caller's to set once the charge is made.
func NewSubscription(rule PaidRule, fanID, clubID int64, tier string, plan Plan, autoRenew bool, at time.Time, loc *time.Location) (Subscription, error) {
	price, err := PriceOf(rule, tier, plan)
	if err != nil {
		return Subscription{}, err
	}
	end := PeriodEnd(at, 0, plan, loc)
	return Subscription{FanID: fanID, ClubID: clubID, Tier: tier, Plan: plan, Price: price, Currency: rule.Currency,
		Status: SubActive, AutoRenew: autoRenew, Anchor: at, PeriodStart: at, PeriodEnd: end,
		BenefitsUntil: end, CreatedAt: at, UpdatedAt: at}, nil
}

// RenewalDue returns when the next renewal charge is due: the period end
// for an active auto-renewing subscription, NextRetryAt for a past_due one;
// false when nothing will be charged.
func RenewalDue(s Subscription) (time.Time, bool) {
	switch {
	case s.Status == SubActive && s.AutoRenew:
		return s.PeriodEnd, true
	case s.Status == SubPastDue:
		return NextRetryAt(s)
	}
	return time.Time{}, false
}

// NextRetryAt is when a past_due subscription's charge is retried:
// PeriodEnd + (Retries+1) × 24 h, while fewer than MaxRenewalRetries
// retries have failed.
func NextRetryAt(s Subscription) (time.Time, bool) {
	if s.Status != SubPastDue || s.Retries >= MaxRenewalRetries {
		return time.Time{}, false
	}
	return s.PeriodEnd.Add(time.Duration(s.Retries+1) * RenewalRetryEvery), true
}

// EndDue returns when a subscription that will not renew ends: the period
// end of an active subscription without auto-renew or of a canceled one.
func EndDue(s Subscription) (time.Time, bool) {
	if (s.Status == SubActive && !s.AutoRenew) || s.Status == SubCanceled {
		return s.PeriodEnd, true
	}
	return time.Time{}, false
}

// EndSubscription ends a subscription at at (EndDue reached, retries
// exhausted, or a past_due one canceled): auto-renew off, status ended,
// benefits no later than at.
func EndSubscription(s Subscription, at time.Time) Subscription {
	s.Status, s.AutoRenew = SubEnded, false
	if s.BenefitsUntil.After(at) {
		s.BenefitsUntil = at
	}
	s.UpdatedAt = at
	return s
}

// RenewalSucceeded applies a paid renewal charge (chargeID) made at at.
// On time (active): the next period of the same chain, from the old period
// end to PeriodEnd(Anchor, index+1), whatever minute the job ran. After a
// decline (past_due, a retry paid): a paid period starts when it is paid,
// so a new chain is anchored at at (index 0, period at → at + plan months);
// the days between the old period end and at carried no benefits. Benefits
// move to the new period end unless an exit rule cut them (BenefitsCut).
func RenewalSucceeded(s Subscription, chargeID string, at time.Time, loc *time.Location) Subscription {
	if s.Status == SubPastDue {
		s.Anchor, s.PeriodIndex = at, 0
		s.PeriodStart, s.PeriodEnd = at, PeriodEnd(at, 0, s.Plan, loc)
	} else {
		s.PeriodIndex++
		s.PeriodStart, s.PeriodEnd = s.PeriodEnd, PeriodEnd(s.Anchor, s.PeriodIndex, s.Plan, loc)
	}
	if !s.BenefitsCut {
		s.BenefitsUntil = s.PeriodEnd
	}
	s.Status, s.Retries, s.Refunded, s.ChargeID, s.UpdatedAt = SubActive, 0, 0, chargeID, at
	return s
}

// RenewalDeclined applies a declined renewal charge made at at. The first
// decline (active) makes the subscription past_due with benefits stopping
// at the period end (they never run past it); each declined retry counts
// one more, and the third declined retry ends the subscription at at.
func RenewalDeclined(s Subscription, at time.Time) Subscription {
	if s.Status == SubPastDue {
		s.Retries++
		if s.Retries >= MaxRenewalRetries {
			return EndSubscription(s, at)
		}
	} else {
		s.Status, s.Retries = SubPastDue, 0
	}
	if s.BenefitsUntil.After(s.PeriodEnd) {
		s.BenefitsUntil = s.PeriodEnd
	}
	s.UpdatedAt = at
	return s
}

// ReminderAt is when a fan is reminded of the next renewal:
// rule.AutoRenew.ReminderBefore before the period end (calendar days:
// 00:00 in loc that many days before the renewal's day), never before the
// period start; false when the policy sends none or nothing will renew.
func ReminderAt(rule PaidRule, s Subscription, loc *time.Location) (time.Time, bool) {
	before := rule.AutoRenew.ReminderBefore
	if before.IsZero() || before.Forever || s.Status != SubActive || !s.AutoRenew {
		return time.Time{}, false
	}
	at := s.PeriodEnd.Add(-before.Exact)
	if before.IsCalendar() {
		if loc == nil {
			loc = time.UTC
		}
		e := s.PeriodEnd.In(loc)
		at = time.Date(e.Year(), e.Month(), e.Day()-before.CalendarDays, 0, 0, 0, 0, loc)
	}
	if at.Before(s.PeriodStart) {
		at = s.PeriodStart
	}
	return at, true
}

// ChargeNotice announces a charge: when, how much, and the action that
// stops further charges.
type ChargeNotice struct {
	At     time.Time `json:"at"`
	Amount Money     `json:"amount"`
	// HowToCancel names the action that stops renewal: "cancel" or
	// "revoke_agreement".
	HowToCancel string `json:"how_to_cancel"`
}

// ChargeNoticeFor is the notice of a subscription's next charge, when the
// policy announces every charge (rule.AutoRenew.ChargeNotice) and a charge
// is due; the caller sends it with the charge.
func ChargeNoticeFor(rule PaidRule, s Subscription) (ChargeNotice, bool) {
	at, ok := RenewalDue(s)
	if !rule.AutoRenew.ChargeNotice || !ok {
		return ChargeNotice{}, false
	}
	return ChargeNotice{At: at, Amount: Money{Amount: s.Price, Currency: s.Currency}, HowToCancel: CancelAction(rule)}, true
}

// CancelAction names the fan's action that stops renewal under a policy:
// "revoke_agreement" when renewal runs on a payment agreement, "cancel"
// otherwise.
func CancelAction(rule PaidRule) string {
	if rule.AutoRenew.StoppedBy == RenewalStopRevokeAgreement {
		return string(RenewalStopRevokeAgreement)
	}
	return "cancel"
}

// EnableAutoRenew turns auto-renew on at at, the fan's own explicit
// consent: for an active subscription, or a canceled one still inside its
// period (it becomes active again). ECONFLICT otherwise.
func EnableAutoRenew(s Subscription, at time.Time) (Subscription, error) {
	if (s.Status != SubActive && s.Status != SubCanceled) || !at.Before(s.PeriodEnd) {
		return s, Errorf(ECONFLICT, "Auto-renew can be turned on only inside a paid period (status %s).", s.Status)
	}
	s.Status, s.AutoRenew, s.UpdatedAt = SubActive, true, at
	return s, nil
}

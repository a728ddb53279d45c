package fanclub

import (
	"encoding/json"
	"strings"
	"time"
)

// Money is an amount in integer minor units (fen for CNY) of a currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// ScheduledCharge is a charge that will be made: when and how much (minor
// units of the subscription's currency).
type ScheduledCharge struct {
	At     time.Time `json:"at"`
	Amount int64     `json:"amount"`
}

// PaidExitPlan is what an exit does to a subscription: the exit preview
// shows it and ApplyPaidExit executes the same plan.
type PaidExitPlan struct {
	// Option is the paid exit option applied (PaidRule.Options).
	Option string
	// Refund is paid back to the payment that paid the period.
	Refund Money
	// RefundMethod is the method that computed Refund (none when nothing
	// is refunded at exit).
	RefundMethod RefundMethod
	// AutoRenewAfter is auto-renew after the exit.
	AutoRenewAfter bool
	// BenefitsUntil is when paid benefits stop after the exit.
	BenefitsUntil time.Time
	// NextCharge is the charge still coming after the exit, if any.
	NextCharge *ScheduledCharge
}

// refundJSON is a refund with the method that computed it.
type refundJSON struct {
	Amount   int64        `json:"amount"`
	Currency string       `json:"currency"`
	Method   RefundMethod `json:"method"`
}

// paidExitJSON is PaidExitPlan's JSON form, both ways: an exit request
// stores its preview as JSON and answers with it again.
type paidExitJSON struct {
	Option         string           `json:"option"`
	Refund         refundJSON       `json:"refund"`
	AutoRenewAfter bool             `json:"auto_renew_after"`
	BenefitsUntil  time.Time        `json:"benefits_until"`
	NextCharge     *ScheduledCharge `json:"next_charge"`
}

// MarshalJSON renders {"option","refund":{"amount","currency","method"},
// "auto_renew_after","benefits_until","next_charge":{"at","amount"}|null}.
func (p PaidExitPlan) MarshalJSON() ([]byte, error) {
	return json.Marshal(paidExitJSON{p.Option, refundJSON{p.Refund.Amount, p.Refund.Currency, p.RefundMethod}, p.AutoRenewAfter, p.BenefitsUntil, p.NextCharge})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *PaidExitPlan) UnmarshalJSON(b []byte) error {
	var j paidExitJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = PaidExitPlan{Option: j.Option, Refund: Money{Amount: j.Refund.Amount, Currency: j.Refund.Currency}, RefundMethod: j.Refund.Method,
		AutoRenewAfter: j.AutoRenewAfter, BenefitsUntil: j.BenefitsUntil, NextCharge: j.NextCharge}
	return nil
}

// CancelPlan is what a cancel of renewal does: preview and execution.
type CancelPlan struct {
	Refund        Money
	RefundMethod  RefundMethod
	BenefitsUntil time.Time
}

// cancelJSON is CancelPlan's JSON form, both ways.
type cancelJSON struct {
	Refund        refundJSON `json:"refund"`
	BenefitsUntil time.Time  `json:"benefits_until"`
}

// MarshalJSON renders {"refund":{"amount","currency","method"},"benefits_until"}.
func (p CancelPlan) MarshalJSON() ([]byte, error) {
	return json.Marshal(cancelJSON{refundJSON{p.Refund.Amount, p.Refund.Currency, p.RefundMethod}, p.BenefitsUntil})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *CancelPlan) UnmarshalJSON(b []byte) error {
	var j cancelJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = CancelPlan{Refund: Money{Amount: j.Refund.Amount, Currency: j.Refund.Currency}, RefundMethod: j.Refund.Method, BenefitsUntil: j.BenefitsUntil}
	return nil
}

// RefundAt computes a refund rule for a subscription at at: floor(price ×
// ratio × unused whole months ÷ plan months) or floor(price × ratio ×
// unused days ÷ period days), counted to the current period's end. Nothing
// is refunded twice in one period: once s.Refunded is positive it is 0.
func RefundAt(r RefundRule, s Subscription, at time.Time, loc *time.Location) int64 {
	if s.Refunded > 0 || s.Status == SubEnded {
		return 0
	}
	switch r.Method {
	case RefundUnusedMonths:
		return Prorate(s.Price, r.Ratio, int64(UnusedWholeMonths(at, s.PeriodEnd, loc)), int64(s.Plan.Months()))
	case RefundUnusedDays:
		return Prorate(s.Price, r.Ratio, UnusedDays(at, s.PeriodEnd), PeriodDays(s.PeriodStart, s.PeriodEnd))
	}
	return 0
}

// PlanPaidExit plans what leaving the club at at does to s under rule,
// with the fan's paid choice (ChoicePaid; "" for rule.Default):
//   - auto-renew stays as it is unless AutoRenew.StopsOnExit turns it off;
//   - the option's refund rule for the plan is paid at exit when RefundOn
//     is exit (RefundAt), nothing when it is cancel;
//   - benefits end at the period end (period_end) or BenefitsAfter past
//     the exit (after_exit), never later than they already would;
//   - NextCharge is the renewal still due when auto-renew stays on.
//
// An ended subscription gives a plan that changes nothing.
func PlanPaidExit(rule PaidRule, s Subscription, at time.Time, choice string, loc *time.Location) (PaidExitPlan, error) {
	opt, ok := rule.Option(choice)
	if !ok {
		names := make([]string, len(rule.Options))
		for i, o := range rule.Options {
			names[i] = o.Name
		}
		return PaidExitPlan{}, invalidField("choices."+ChoicePaid, choice, strings.Join(names, ", "), "unknown paid exit option")
	}
	p := PaidExitPlan{Option: opt.Name, Refund: Money{Currency: s.Currency}, RefundMethod: RefundNone, BenefitsUntil: s.BenefitsUntil}
	if s.Status == SubEnded {
		return p, nil
	}
	p.AutoRenewAfter = s.AutoRenew && !rule.AutoRenew.StopsOnExit
	if rule.RefundTrigger() == RefundOnExit {
		r := opt.Refund(s.Plan)
		if p.Refund.Amount = RefundAt(r, s, at, loc); p.Refund.Amount > 0 {
			p.RefundMethod = r.Method
		}
	}
	if opt.BenefitsEnd == BenefitsAfterExit {
		if end, ok := opt.BenefitsAfter.End(at, loc); ok && end.Before(p.BenefitsUntil) {
			p.BenefitsUntil = end
		}
	}
	if p.AutoRenewAfter {
		after := s
		after.AutoRenew = true
		if due, ok := RenewalDue(after); ok {
			p.NextCharge = &ScheduledCharge{At: due, Amount: s.Price}
		}
	}
	return p, nil
}

// ApplyPaidExit executes a PlanPaidExit plan at at: auto-renew as planned
// (turned off: active becomes canceled, past_due ends), the refund booked
// in Refunded, benefits to the planned time (BenefitsCut when before the
// period end).
func ApplyPaidExit(s Subscription, p PaidExitPlan, at time.Time) Subscription {
	if s.Status == SubEnded {
		return s
	}
	s.Refunded += p.Refund.Amount
	s.BenefitsUntil = p.BenefitsUntil
	s.BenefitsCut = s.BenefitsUntil.Before(s.PeriodEnd)
	s.UpdatedAt = at
	if s.AutoRenew && !p.AutoRenewAfter {
		return stopRenewal(s, at)
	}
	return s
}

// stopRenewal turns auto-renew off: an active subscription is canceled
// (benefits run on to BenefitsUntil), a past_due one ends at at.
func stopRenewal(s Subscription, at time.Time) Subscription {
	switch s.Status {
	case SubPastDue:
		return EndSubscription(s, at)
	case SubActive:
		s.Status = SubCanceled
	}
	s.AutoRenew, s.UpdatedAt = false, at
	return s
}

// PlanCancel plans the fan's cancel of renewal at at, in one step: the
// default option's refund rule is paid when rule.RefundOn is cancel
// (Douyin: quarterly floor(price × 0.5 × unused days ÷ period days)),
// nothing otherwise; benefits stay to BenefitsUntil (the period end unless
// an exit cut them). Under stoppedBy revoke_agreement there is no cancel
// (EINVALID naming revoke_agreement); an ended subscription is ECONFLICT.
func PlanCancel(rule PaidRule, s Subscription, at time.Time, loc *time.Location) (CancelPlan, error) {
	if rule.AutoRenew.StoppedBy == RenewalStopRevokeAgreement {
		return CancelPlan{}, Errorf(EINVALID, "Renewal runs on a payment agreement: only revoking it (%s) stops renewal.", RenewalStopRevokeAgreement)
	}
	if s.Status == SubEnded {
		return CancelPlan{}, Errorf(ECONFLICT, "The subscription has ended.")
	}
	p := CancelPlan{Refund: Money{Currency: s.Currency}, RefundMethod: RefundNone, BenefitsUntil: s.BenefitsUntil}
	if opt, ok := rule.Option(""); ok && rule.RefundTrigger() == RefundOnCancel {
		r := opt.Refund(s.Plan)
		if p.Refund.Amount = RefundAt(r, s, at, loc); p.Refund.Amount > 0 {
			p.RefundMethod = r.Method
		}
	}
	return p, nil
}

// ApplyCancel executes a PlanCancel plan at at: auto-renew off (active or
// canceled: canceled; past_due: ended), the refund booked in Refunded.
func ApplyCancel(s Subscription, p CancelPlan, at time.Time) Subscription {
	s.Refunded += p.Refund.Amount
	s.BenefitsUntil = p.BenefitsUntil
	if s.Status == SubActive || s.Status == SubPastDue {
		return stopRenewal(s, at)
	}
	s.AutoRenew, s.UpdatedAt = false, at
	return s
}

// RevokeAgreement stops renewal at at by revoking the payment agreement
// (policies with stoppedBy: revoke_agreement; EINVALID otherwise, naming
// cancel): no refund, benefits unchanged, active becomes canceled and
// past_due ends. An ended subscription is ECONFLICT.
func RevokeAgreement(rule PaidRule, s Subscription, at time.Time) (Subscription, error) {
	if rule.AutoRenew.StoppedBy != RenewalStopRevokeAgreement {
		return s, Errorf(EINVALID, "Renewal is not on a payment agreement: cancel stops it.")
	}
	if s.Status == SubEnded {
		return s, Errorf(ECONFLICT, "The subscription has ended.")
	}
	return stopRenewal(s, at), nil
}

// RejoinBenefits applies a rejoin at at: benefits that an exit cut come
// back on to the period end when the period is still running and nothing
// of it was refunded (Kuaishou: the agreement kept charging while benefits
// were off). rule is the club's paid rule, for future options; today the
// subscription's own state decides.
func RejoinBenefits(rule PaidRule, s Subscription, at time.Time) Subscription {
	_ = rule
	if !s.BenefitsCut || s.Refunded > 0 || !at.Before(s.PeriodEnd) || (s.Status != SubActive && s.Status != SubCanceled) {
		return s
	}
	s.BenefitsUntil, s.BenefitsCut, s.UpdatedAt = s.PeriodEnd, false, at
	return s
}

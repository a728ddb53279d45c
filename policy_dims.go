package fanclub

// Plan is a paid-membership billing period.
type Plan string

// Plans.
const (
	PlanMonthly   Plan = "monthly"
	PlanQuarterly Plan = "quarterly"
	PlanAnnual    Plan = "annual"
)

// Plans lists the allowed plans.
var Plans = []Plan{PlanMonthly, PlanQuarterly, PlanAnnual}

// Months returns the number of months a plan's period lasts.
func (p Plan) Months() int {
	switch p {
	case PlanMonthly:
		return 1
	case PlanQuarterly:
		return 3
	case PlanAnnual:
		return 12
	}
	return 0
}

// RenewalStop says what stops an auto-renewing subscription.
type RenewalStop string

// RenewalStops.
const (
	RenewalStopExit            RenewalStop = "exit"             // leaving the club stops it
	RenewalStopManualCancel    RenewalStop = "manual_cancel"    // only a separate cancel stops it
	RenewalStopRevokeAgreement RenewalStop = "revoke_agreement" // only revoking the payment agreement stops it
)

// RenewalStops lists the allowed renewal stops.
var RenewalStops = []RenewalStop{RenewalStopExit, RenewalStopManualCancel, RenewalStopRevokeAgreement}

// RefundMethod is how a refund on exit is computed.
type RefundMethod string

// RefundMethods.
const (
	RefundNone         RefundMethod = "none"
	RefundUnusedMonths RefundMethod = "unused_months" // price × unused whole months ÷ plan months
	RefundUnusedDays   RefundMethod = "unused_days"   // price × unused days ÷ period days
)

// RefundMethods lists the allowed refund methods.
var RefundMethods = []RefundMethod{RefundNone, RefundUnusedMonths, RefundUnusedDays}

// RefundTrigger says which action pays the refund of a paid exit option.
type RefundTrigger string

// RefundTriggers.
const (
	RefundOnExit   RefundTrigger = "exit"   // the exit pays the chosen option's refund
	RefundOnCancel RefundTrigger = "cancel" // only cancelling renewal pays it; the exit refunds nothing
)

// RefundTriggers lists the allowed refund triggers.
var RefundTriggers = []RefundTrigger{RefundOnExit, RefundOnCancel}

// BenefitsEnd says when paid benefits end after an exit.
type BenefitsEnd string

// BenefitsEnds.
const (
	BenefitsAfterExit BenefitsEnd = "after_exit" // BenefitsAfter past the exit (0: at once)
	BenefitsPeriodEnd BenefitsEnd = "period_end" // at the end of the paid period
)

// BenefitsEnds lists the allowed values.
var BenefitsEnds = []BenefitsEnd{BenefitsAfterExit, BenefitsPeriodEnd}

// PaidRule is dimension 3: paid membership and what exit does to it.
type PaidRule struct {
	// Currency is an ISO 4217 code; prices are integer minor units.
	Currency string `yaml:"currency" json:"currency"`
	// Plans are the billing periods on offer.
	Plans []Plan `yaml:"plans" json:"plans"`
	// Tiers are the paid tiers with a price per plan.
	Tiers []Tier `yaml:"tiers" json:"tiers"`
	// AutoRenew is how renewal behaves, and what exit does to it.
	AutoRenew AutoRenewRule `yaml:"autoRenew" json:"autoRenew"`
	// Default names the exit option applied when the fan makes no choice.
	Default string `yaml:"default" json:"default"`
	// Options are the refund/benefit outcomes a fan may choose between.
	Options []PaidExitOption `yaml:"options" json:"options"`
	// RefundOn says which action pays the default option's refund rules:
	// exit (also when empty) or cancel (a separate cancel of renewal, as
	// on Douyin; the exit then refunds nothing).
	RefundOn RefundTrigger `yaml:"refundOn,omitempty" json:"refundOn,omitempty"`
}

// RefundTrigger returns RefundOn, with exit for an empty value.
func (r PaidRule) RefundTrigger() RefundTrigger {
	if r.RefundOn == "" {
		return RefundOnExit
	}
	return r.RefundOn
}

// Tier is a paid membership tier.
type Tier struct {
	Name        string      `yaml:"name" json:"name"`
	DisplayName Localized   `yaml:"displayName" json:"displayName"`
	Prices      []PlanPrice `yaml:"prices" json:"prices"`
}

// PlanPrice is the price of a tier for one plan, in minor units.
type PlanPrice struct {
	Plan  Plan  `yaml:"plan" json:"plan"`
	Price int64 `yaml:"price" json:"price"`
}

// AutoRenewRule is how auto-renewal works.
type AutoRenewRule struct {
	// StopsOnExit is true when leaving the club turns auto-renew off.
	StopsOnExit bool `yaml:"stopsOnExit" json:"stopsOnExit"`
	// StoppedBy says what, other than the period ending, stops renewal.
	StoppedBy RenewalStop `yaml:"stoppedBy" json:"stoppedBy"`
	// ReminderBefore is when, before each renewal, the fan is reminded (0: never).
	ReminderBefore Span `yaml:"reminderBefore" json:"reminderBefore"`
	// ChargeNotice is true when every charge is announced with time, amount
	// and how to cancel.
	ChargeNotice bool `yaml:"chargeNotice" json:"chargeNotice"`
	// ExplicitConsent is true when turning auto-renew on needs its own consent.
	ExplicitConsent bool `yaml:"explicitConsent" json:"explicitConsent"`
}

// PaidExitOption is one outcome for a paid membership at exit.
type PaidExitOption struct {
	Name  string    `yaml:"name" json:"name"`
	Label Localized `yaml:"label" json:"label"`
	// Refunds gives the refund rule of each plan; a plan not listed gets none.
	Refunds []RefundRule `yaml:"refunds" json:"refunds"`
	// BenefitsEnd says when paid benefits stop.
	BenefitsEnd BenefitsEnd `yaml:"benefitsEnd" json:"benefitsEnd"`
	// BenefitsAfter is the delay after exit when BenefitsEnd is after_exit.
	BenefitsAfter Span `yaml:"benefitsAfter" json:"benefitsAfter"`
}

// RefundRule is the refund for one plan.
type RefundRule struct {
	Plan   Plan         `yaml:"plan" json:"plan"`
	Method RefundMethod `yaml:"method" json:"method"`
	// Ratio scales the computed unused value (0..1).
	Ratio float64 `yaml:"ratio" json:"ratio"`
}

// Option returns the paid exit option with the given name ("" for the default).
func (r PaidRule) Option(name string) (PaidExitOption, bool) {
	if name == "" {
		name = r.Default
	}
	for _, o := range r.Options {
		if o.Name == name {
			return o, true
		}
	}
	return PaidExitOption{}, false
}

// Refund returns the refund rule of a plan in this option (method none when absent).
func (o PaidExitOption) Refund(p Plan) RefundRule {
	for _, r := range o.Refunds {
		if r.Plan == p {
			return r
		}
	}
	return RefundRule{Plan: p, Method: RefundNone}
}

// EffectKind is a consequence of exit on the leaver's account.
type EffectKind string

// Effect kinds.
const (
	EffectMemberCountHidden     EffectKind = "member_count_hidden"
	EffectInteractionRestricted EffectKind = "interaction_restricted"
	EffectRecommendationWeight  EffectKind = "recommendation_weight"
)

// EffectKinds lists the allowed effect kinds.
var EffectKinds = []EffectKind{EffectMemberCountHidden, EffectInteractionRestricted, EffectRecommendationWeight}

// Scope says where an effect applies.
type Scope string

// Scopes.
const (
	ScopeClub     Scope = "club"     // only in the club that was left
	ScopeInstance Scope = "instance" // everywhere on this instance
)

// Scopes lists the allowed scopes.
var Scopes = []Scope{ScopeClub, ScopeInstance}

// EffectRule is dimension 4: one effect of exit on the leaver's account.
type EffectRule struct {
	Kind EffectKind `yaml:"kind" json:"kind"`
	// Duration is how long the effect lasts after the exit.
	Duration Span `yaml:"duration" json:"duration"`
	// EndsOnRejoin ends the effect when the fan rejoins the club.
	EndsOnRejoin bool `yaml:"endsOnRejoin" json:"endsOnRejoin"`
	// Factor is the multiplier for recommendation_weight (0..1).
	Factor float64 `yaml:"factor,omitempty" json:"factor,omitempty"`
	// Scope is where the effect applies.
	Scope Scope `yaml:"scope" json:"scope"`
	// Actions are the actions refused by interaction_restricted.
	Actions []Action `yaml:"actions,omitempty" json:"actions,omitempty"`
}

// DeviceHandling is what happens to device identifiers at exit.
type DeviceHandling string

// Device handlings.
const (
	DeviceErase   DeviceHandling = "erase"   // erased at exit
	DeviceKeep    DeviceHandling = "keep"    // kept as they are
	DeviceRefresh DeviceHandling = "refresh" // kept and refreshed on every later sighting
)

// DeviceHandlings lists the allowed values.
var DeviceHandlings = []DeviceHandling{DeviceErase, DeviceKeep, DeviceRefresh}

// FollowHandling is what happens to the fan's follow of the creator at exit.
type FollowHandling string

// Follow handlings.
const (
	FollowRemove    FollowHandling = "remove"     // the follow is removed
	FollowKeep      FollowHandling = "keep"       // the follow stays
	FollowFanChoice FollowHandling = "fan_choice" // untouched unless the fan asks to unfollow
)

// FollowHandlings lists the allowed values.
var FollowHandlings = []FollowHandling{FollowRemove, FollowKeep, FollowFanChoice}

// DataRule is dimension 5: personal data after exit.
type DataRule struct {
	// BehaviourLogRetention is how long after exit the fan's interaction
	// events in the club are kept (0: erased at exit; forever).
	BehaviourLogRetention Span `yaml:"behaviourLogRetention" json:"behaviourLogRetention"`
	// ErasedWithProgress, when true, defers erasure of logs and device
	// identifiers to the end of a kept progress window.
	ErasedWithProgress bool `yaml:"erasedWithProgress" json:"erasedWithProgress"`
	// DeviceIDs is what happens to device identifiers.
	DeviceIDs DeviceHandling `yaml:"deviceIds" json:"deviceIds"`
	// Follow is what happens to the follow on the creator.
	Follow FollowHandling `yaml:"follow" json:"follow"`
	// KeepInteractionRecords keeps the fan's comments and likes with the creator.
	KeepInteractionRecords bool `yaml:"keepInteractionRecords" json:"keepInteractionRecords"`
	// LegalHolds names the records a law requires to keep, e.g. transaction_records.
	LegalHolds []LegalHold `yaml:"legalHolds,omitempty" json:"legalHolds,omitempty"`
	// DeletionReceipts is true when every purge leaves a receipt.
	DeletionReceipts bool `yaml:"deletionReceipts" json:"deletionReceipts"`
}

// LegalHold is a record class kept because a law requires it.
type LegalHold struct {
	Records   string `yaml:"records" json:"records"`
	Retention Span   `yaml:"retention" json:"retention"`
	Basis     string `yaml:"basis" json:"basis"`
}

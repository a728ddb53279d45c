package fanclub

import "time"

// SubscriptionStatus is where a paid subscription stands.
type SubscriptionStatus string

// Subscription statuses.
const (
	// SubActive: paid for the current period; renews at its end when
	// AutoRenew is on, ends there otherwise.
	SubActive SubscriptionStatus = "active"
	// SubPastDue: the renewal charge was declined; benefits stopped at the
	// period end and the charge is retried (Retries so far) 24 h apart.
	SubPastDue SubscriptionStatus = "past_due"
	// SubCanceled: auto-renew was turned off by a cancel, an exit that
	// stops renewal or a revoked agreement; benefits may still run to
	// BenefitsUntil, and the subscription ends at the period end.
	SubCanceled SubscriptionStatus = "canceled"
	// SubEnded: over; nothing more is charged or granted.
	SubEnded SubscriptionStatus = "ended"
)

// SubscriptionStatuses lists the statuses.
var SubscriptionStatuses = []SubscriptionStatus{SubActive, SubPastDue, SubCanceled, SubEnded}

// Live reports whether a subscription in this status still counts as the
// fan's subscription in the club: active, past_due or canceled. A fan has
// at most one live subscription per club.
func (s SubscriptionStatus) Live() bool { return s == SubActive || s == SubPastDue || s == SubCanceled }

// MaxRenewalRetries is how many times a declined renewal is retried.
const MaxRenewalRetries = 3

// RenewalRetryEvery is the delay between a declined renewal and each retry.
const RenewalRetryEvery = 24 * time.Hour

// Subscription is a fan's paid membership of a club: a tier on a plan,
// paid period by period. Periods are counted from Anchor (see PeriodEnd):
// the current one is the PeriodIndex-th, from PeriodStart to PeriodEnd.
type Subscription struct {
	ID     int64 `json:"id"`
	FanID  int64 `json:"fan_id"`
	ClubID int64 `json:"club_id"`
	// Tier and Plan are what was bought; Price (minor units of Currency)
	// is what each period costs, fixed when the subscription starts.
	Tier     string             `json:"tier"`
	Plan     Plan               `json:"plan"`
	Price    int64              `json:"price"`
	Currency string             `json:"currency"`
	Status   SubscriptionStatus `json:"status"`
	// AutoRenew is true while a renewal will be charged at the period end.
	AutoRenew bool `json:"auto_renew"`
	// AgreementID names the payment agreement renewals are charged on
	// (policies with stoppedBy: revoke_agreement); empty otherwise.
	AgreementID string `json:"agreement_id,omitempty"`
	// Anchor is the start of the first paid period of the current chain;
	// a retry paid after the period end starts a new chain.
	Anchor      time.Time `json:"anchor"`
	PeriodIndex int       `json:"period_index"`
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
	// BenefitsUntil is when paid benefits stop: the period end, or the
	// earlier time an exit rule set (then BenefitsCut is true).
	BenefitsUntil time.Time `json:"benefits_until"`
	// BenefitsCut is true when an exit rule cut benefits: renewals then
	// leave BenefitsUntil where it is, until a rejoin turns them back on.
	BenefitsCut bool `json:"benefits_cut"`
	// Refunded is what was refunded of the current period's charge (at
	// most one refund per period); a renewal resets it.
	Refunded int64 `json:"refunded"`
	// Retries counts the failed retries of a declined renewal (past_due).
	Retries int `json:"retries"`
	// ChargeID is the charge that paid the current period.
	ChargeID  string    `json:"charge_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version counts updates; UpdateSubscription checks it (optimistic lock).
	Version int64 `json:"version"`
}

// BenefitsActive reports whether paid benefits apply at at: the status is
// not ended, at is not before the period was paid and before BenefitsUntil.
// Whether the fan is a member (benefits apply to a membership) is the
// caller's check.
func (s Subscription) BenefitsActive(at time.Time) bool {
	if s.Status == SubEnded || at.Before(s.PeriodStart) {
		return false
	}
	return at.Before(s.BenefitsUntil)
}

// SubscriptionView is a subscription as shown at a time: the fields the
// simulator and the API print.
type SubscriptionView struct {
	ID             int64              `json:"id,omitempty"`
	Tier           string             `json:"tier"`
	Plan           Plan               `json:"plan"`
	Price          int64              `json:"price"`
	Currency       string             `json:"currency"`
	Status         SubscriptionStatus `json:"status"`
	AutoRenew      bool               `json:"auto_renew"`
	PeriodStart    time.Time          `json:"period_start"`
	PeriodEnd      time.Time          `json:"period_end"`
	BenefitsUntil  time.Time          `json:"benefits_until"`
	BenefitsActive bool               `json:"benefits_active"`
}

// View returns the subscription as shown at at.
func (s Subscription) View(at time.Time) SubscriptionView {
	return SubscriptionView{ID: s.ID, Tier: s.Tier, Plan: s.Plan, Price: s.Price, Currency: s.Currency,
		Status: s.Status, AutoRenew: s.AutoRenew, PeriodStart: s.PeriodStart, PeriodEnd: s.PeriodEnd,
		BenefitsUntil: s.BenefitsUntil, BenefitsActive: s.BenefitsActive(at)}
}

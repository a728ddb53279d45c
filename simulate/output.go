package simulate

import (
	"time"

	"fanclub"
)

// Line is the output of one step, printed as one JSON object per line.
type Line struct {
	// Step is the step's index in the journey.
	Step int `json:"step"`
	// At is the step's time, RFC 3339 in the journey's UTC offset.
	At   string `json:"at"`
	Do   string `json:"do"`
	Club string `json:"club"`
	// Action and Amount echo an interaction.
	Action string `json:"action,omitempty"`
	Amount int64  `json:"amount,omitempty"`
	// Coins echo a buy_coins or gift step's coins.
	Coins int64 `json:"coins,omitempty"`
	// Tier, Plan and AutoRenew echo a subscribe step.
	Tier      string `json:"tier,omitempty"`
	Plan      string `json:"plan,omitempty"`
	AutoRenew *bool  `json:"auto_renew,omitempty"`
	// Choices echo an exit's choices.
	Choices map[string]string `json:"choices,omitempty"`
	Note    string            `json:"note,omitempty"`
	OK      bool              `json:"ok"`
	// Error is the refusal when OK is false.
	Error *LineError `json:"error,omitempty"`
	// Points are the level points an interaction earned.
	Points *int64 `json:"points,omitempty"`
	// Challenges are the kinds an exit required (all answered correctly).
	Challenges []fanclub.Challenge `json:"challenges,omitempty"`
	// Impact is the preview shown at exit request time; for a confirmed
	// exit the runner has checked it equals what the exit did.
	Impact *Impact `json:"impact,omitempty"`
	// Export is what an export step downloaded.
	Export *ExportState `json:"export,omitempty"`
	// Membership, Fan and Effects are the state after the step.
	Membership MembershipState `json:"membership"`
	Fan        FanState        `json:"fan"`
	Effects    []EffectState   `json:"effects"`
	// Wallet is the fan's coins after the step.
	Wallet WalletState `json:"wallet"`
	// Subscription is the fan's latest subscription in the step's club
	// (null when none).
	Subscription *SubscriptionState `json:"subscription"`
	// Charges are the fan's charges and refunds so far, oldest first.
	Charges []ChargeState `json:"charges"`
	// Notifications are the fan's notifications so far, oldest first.
	Notifications []NotificationState `json:"notifications"`
	// Age, Guardian and RefundRequests are the fan's dimension-7 state;
	// each is left out while empty (no age recorded, no guardian link,
	// no refund request), so that journeys without minors print as before.
	Age            *AgeState            `json:"age,omitempty"`
	Guardian       *string              `json:"guardian,omitempty"`
	RefundRequests []RefundRequestState `json:"refund_requests,omitempty"`
	// Data is the fan's personal data in the step's club (dimension 5).
	Data *DataState `json:"data"`
	// DeviceID echoes a login's or a report's device id.
	DeviceID string `json:"device_id,omitempty"`
	// Creator is the step's club's creator's revenue after the step.
	Creator CreatorState `json:"creator"`
	// Task is the step's club's team task this week.
	Task TaskState `json:"task"`
	// TaskBarredUntil is null, a time, or "forever": the fan's bar from
	// the club's task rewards.
	TaskBarredUntil any `json:"task_barred_until"`
	// Owed are the coins the fan owes (damages the balance did not cover).
	Owed int64 `json:"owed"`
}

// SubscriptionState is a fan's subscription, times in the journey's offset.
type SubscriptionState struct {
	Tier           string                     `json:"tier"`
	Plan           fanclub.Plan               `json:"plan"`
	Status         fanclub.SubscriptionStatus `json:"status"`
	AutoRenew      bool                       `json:"auto_renew"`
	PeriodStart    string                     `json:"period_start"`
	PeriodEnd      string                     `json:"period_end"`
	BenefitsUntil  string                     `json:"benefits_until"`
	BenefitsActive bool                       `json:"benefits_active"`
}

// NotificationState is one notification of the fan's.
type NotificationState struct {
	At   string                   `json:"at"`
	Kind fanclub.NotificationKind `json:"kind"`
}

// WalletState is a fan's coin balance.
type WalletState struct {
	Coins int64 `json:"coins"`
}

// ChargeState is one charge or refund of the fan's, as the payment
// provider answered it.
type ChargeState struct {
	// At is when the provider's answer was recorded.
	At string `json:"at"`
	// Kind is charge or refund.
	Kind fanclub.PaymentKind `json:"kind"`
	// Amount is in minor units of Currency (fen for CNY).
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	// Reason is what the money was for: coins, …
	Reason string `json:"reason"`
	// Status is succeeded or declined.
	Status fanclub.PaymentStatus `json:"status"`
}

// LineError is a refused step.
type LineError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Until is when a cooldown or restriction ends.
	Until string `json:"until,omitempty"`
}

// MembershipState is the fan's membership in the step's club.
type MembershipState struct {
	// Status is none (never joined), active or left.
	Status      fanclub.MembershipStatus `json:"status"`
	Lit         bool                     `json:"lit"`
	Level       int                      `json:"level"`
	LevelPoints int64                    `json:"level_points"`
	// RetainedPoints are the points a rejoin now would restore.
	RetainedPoints int64 `json:"retained_points"`
	// CooldownUntil is when a rejoin is accepted, while it is refused.
	CooldownUntil *string `json:"cooldown_until"`
	// LastInteraction is the last interaction (or join).
	LastInteraction *string `json:"last_interaction,omitempty"`
}

// FanState is the fan's account-wide state.
type FanState struct {
	Name          string `json:"name"`
	GeneralPoints int64  `json:"general_points"`
	// RecommendationWeight is the product of the active recommendation_weight
	// factors, 1 when none is active.
	RecommendationWeight float64 `json:"recommendation_weight"`
}

// EffectState is an exit effect active at the step's time.
type EffectState struct {
	Kind fanclub.EffectKind `json:"kind"`
	// Club is the club whose exit put the effect.
	Club  string        `json:"club"`
	Scope fanclub.Scope `json:"scope"`
	// Until is when it ends; null while it lasts until a rejoin or for ever.
	Until        *string          `json:"until"`
	EndsOnRejoin bool             `json:"ends_on_rejoin,omitempty"`
	Factor       float64          `json:"factor,omitempty"`
	Actions      []fanclub.Action `json:"actions,omitempty"`
}

// Impact is an exit's impact preview, with times in the journey's offset.
type Impact struct {
	Option            string `json:"option"`
	LevelBefore       int    `json:"level_before"`
	LevelPointsBefore int64  `json:"level_points_before"`
	LevelAfter        int    `json:"level_after"`
	LevelPointsAfter  int64  `json:"level_points_after"`
	PointsLost        int64  `json:"points_lost"`
	PointsRetained    int64  `json:"points_retained"`
	// RetainedUntil is when retention ends (null: none, or for ever).
	RetainedUntil   *string         `json:"retained_until"`
	RetainedForever bool            `json:"retained_forever"`
	Decay           fanclub.Decay   `json:"decay"`
	Restore         fanclub.Restore `json:"restore"`
	PointsConverted int64           `json:"points_converted"`
	HistoryDeleted  bool            `json:"history_deleted"`
	RejoinFrom      string          `json:"rejoin_from"`
	Effects         []EffectState   `json:"effects"`
	// Paid is what the exit does to the fan's live subscription (absent
	// when there is none).
	Paid *PaidImpact `json:"paid,omitempty"`
	// Data is what the exit does to the fan's personal data in the club.
	Data []DataStepState `json:"data,omitempty"`
	// Revenue is what the exit does to creator revenue, the fan's coins
	// and team-task rewards.
	Revenue *RevenueImpact `json:"revenue,omitempty"`
}

// PaidImpact is the paid part of an exit's impact, times in the journey's
// offset.
type PaidImpact struct {
	Option         string      `json:"option"`
	Refund         RefundState `json:"refund"`
	AutoRenewAfter bool        `json:"auto_renew_after"`
	BenefitsUntil  string      `json:"benefits_until"`
	NextCharge     *NextCharge `json:"next_charge"`
}

// RefundState is an exit's refund: amount (minor units), currency and the
// method that computed it.
type RefundState struct {
	Amount   int64                `json:"amount"`
	Currency string               `json:"currency"`
	Method   fanclub.RefundMethod `json:"method"`
}

// NextCharge is the next charge an exit leaves scheduled.
type NextCharge struct {
	At     string `json:"at"`
	Amount int64  `json:"amount"`
}

// clock formats times in the journey's UTC offset.
type clock struct{ loc *time.Location }

// format renders t as RFC 3339 in the journey's offset.
func (c clock) format(t time.Time) string { return t.In(c.loc).Format(time.RFC3339) }

// ptr renders t, or nil for the zero time or nil.
func (c clock) ptr(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := c.format(*t)
	return &s
}

// utcText re-renders an RFC 3339 time from an error in the journey's offset.
func (c clock) utcText(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return c.format(t)
}

// impact renders an exit impact.
func (c clock) impact(im fanclub.ExitImpact, clubName func(int64) string) *Impact {
	return &Impact{
		Option: im.Option, LevelBefore: im.LevelBefore, LevelPointsBefore: im.LevelPointsBefore,
		LevelAfter: im.LevelAfter, LevelPointsAfter: im.LevelPointsAfter,
		PointsLost: im.PointsLost, PointsRetained: im.PointsRetained,
		RetainedUntil: c.ptr(im.RetainedUntil), RetainedForever: im.RetainedForever,
		Decay: im.Decay, Restore: im.Restore, PointsConverted: im.PointsConverted,
		HistoryDeleted: im.HistoryDeleted, RejoinFrom: c.format(im.RejoinFrom),
		Effects: c.effects(im.Effects, clubName),
		Paid:    c.paid(im.Paid),
		Data:    c.dataSteps(im.Data),
		Revenue: c.revenue(im.Revenue),
	}
}

// paid renders the paid part of an impact (nil stays nil).
func (c clock) paid(p *fanclub.PaidExitPlan) *PaidImpact {
	if p == nil {
		return nil
	}
	out := &PaidImpact{Option: p.Option, Refund: RefundState{Amount: p.Refund.Amount, Currency: p.Refund.Currency, Method: p.RefundMethod},
		AutoRenewAfter: p.AutoRenewAfter, BenefitsUntil: c.format(p.BenefitsUntil)}
	if p.NextCharge != nil {
		out.NextCharge = &NextCharge{At: c.format(p.NextCharge.At), Amount: p.NextCharge.Amount}
	}
	return out
}

// effects renders effects.
func (c clock) effects(effs []fanclub.Effect, clubName func(int64) string) []EffectState {
	out := make([]EffectState, 0, len(effs))
	for _, e := range effs {
		out = append(out, EffectState{Kind: e.Kind, Club: clubName(e.ClubID), Scope: e.Scope,
			Until: c.ptr(e.Until), EndsOnRejoin: e.EndsOnRejoin, Factor: e.Factor, Actions: e.Actions})
	}
	return out
}

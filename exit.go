package fanclub

import "time"

// ExitRequestStatus is where a two-phase exit is.
type ExitRequestStatus string

// Exit request statuses.
const (
	ExitPending   ExitRequestStatus = "pending"
	ExitConfirmed ExitRequestStatus = "confirmed"
	ExitVoid      ExitRequestStatus = "void" // expired or too many wrong answers
	// ExitSuperseded is a request replaced by a newer one of the same fan
	// in the same club: a fan has at most one pending request per club.
	ExitSuperseded ExitRequestStatus = "superseded"
)

// ExitRequest is the first phase of an exit: the challenges the policy
// requires and the impact preview. Secrets (captcha code, slider target)
// are stored with it and never rendered.
type ExitRequest struct {
	ID         string            `json:"id"`
	FanID      int64             `json:"fan_id"`
	ClubID     int64             `json:"club_id"`
	Status     ExitRequestStatus `json:"status"`
	CreatedAt  time.Time         `json:"created_at"`
	ExpiresAt  time.Time         `json:"expires_at"`
	Challenges []Challenge       `json:"challenges"`
	// Choices are the fan's choices, e.g. {"progress": "keep"}.
	Choices map[string]string `json:"choices,omitempty"`
	// Attempts counts wrong confirmations; MaxAttempts voids the request.
	Attempts    int `json:"attempts"`
	MaxAttempts int `json:"max_attempts"`
	// CaptchaCode is the digits of the captcha image (secret).
	CaptchaCode string `json:"-"`
	// SliderTarget is the position the slider must reach (secret);
	// SliderWidth is the track width shown to the fan.
	SliderTarget    int `json:"-"`
	SliderWidth     int `json:"slider_width,omitempty"`
	SliderTolerance int `json:"slider_tolerance,omitempty"`
	// MembershipVersion is the membership version the preview was computed on.
	MembershipVersion int64 `json:"-"`
	// Impact is the preview: what confirming now would do.
	Impact ExitImpact `json:"impact"`
}

// ExitAnswers are a fan's answers to an exit request's challenges.
type ExitAnswers struct {
	Confirm  bool   `json:"confirm"`
	Password string `json:"password,omitempty"`
	Captcha  string `json:"captcha,omitempty"`
	Slider   *int   `json:"slider,omitempty"`
}

// ExitImpact is what an exit does. The same code computes the preview and
// executes the exit, so a confirmed exit's outcome equals its preview.
type ExitImpact struct {
	// At is the exit time the impact is computed for.
	At time.Time `json:"at"`
	// Option is the progress option applied.
	Option string `json:"option"`
	// Before and After are the membership's level and points.
	LevelBefore       int   `json:"level_before"`
	LevelPointsBefore int64 `json:"level_points_before"`
	LevelAfter        int   `json:"level_after"`
	LevelPointsAfter  int64 `json:"level_points_after"`
	// PointsLost are level points gone for good at exit.
	PointsLost int64 `json:"points_lost"`
	// PointsRetained are level points restorable by a rejoin (before decay).
	PointsRetained int64 `json:"points_retained"`
	// RetainedUntil is when retention ends (nil: no retention or for ever).
	RetainedUntil   *time.Time `json:"retained_until"`
	RetainedForever bool       `json:"retained_forever"`
	Decay           Decay      `json:"decay"`
	Restore         Restore    `json:"restore"`
	// PointsConverted are level points turned into general points.
	PointsConverted int64 `json:"points_converted"`
	// HistoryDeleted is true when the fan's engagement history is erased.
	HistoryDeleted bool `json:"history_deleted"`
	// RejoinFrom is the earliest time a rejoin is accepted.
	RejoinFrom time.Time `json:"rejoin_from"`
	// Effects are the effects the exit puts on the leaver's account.
	Effects []Effect `json:"effects"`
	// Paid is what the exit does to the fan's live subscription in the
	// club: the option, the refund, auto-renew after it, the end of
	// benefits and the next charge; nil when there is none.
	Paid *PaidExitPlan `json:"paid"`
	// Data is what the exit does to the fan's personal data in the club,
	// category by category, and when (PlanDataExit).
	Data *DataExitPlan `json:"data"`
	// Revenue is what the exit does to the creator's revenue from the
	// leaver, what the leaver gets back or is charged, and the team-task
	// consequences (RevenueExitPlan).
	Revenue *RevenueExitPlan `json:"revenue"`
}

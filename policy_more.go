package fanclub

// PendingShareHandling is what happens at exit to the creator's pending
// share of the leaver's gifts.
type PendingShareHandling string

// Pending share handlings.
const (
	PendingKeep               PendingShareHandling = "keep"                 // unchanged
	PendingDeductAtSettlement PendingShareHandling = "deduct_at_settlement" // deducted at the weekly settlement
	PendingFreezeUntilRelease PendingShareHandling = "freeze_until_release" // frozen until an operator releases it
	PendingHoldForReview      PendingShareHandling = "hold_for_review"      // creator flagged, settlement held until review closes
)

// PendingShareHandlings lists the allowed values.
var PendingShareHandlings = []PendingShareHandling{PendingKeep, PendingDeductAtSettlement, PendingFreezeUntilRelease, PendingHoldForReview}

// TipReturn is what the leaver gets back, or pays, for unsettled gifts.
type TipReturn string

// Tip returns.
const (
	TipReturnNone    TipReturn = "none"    // nothing back, nothing charged
	TipReturnRatio   TipReturn = "ratio"   // Ratio of the unsettled gift value is returned
	TipReturnDamages TipReturn = "damages" // the leaver is charged the unsettled gift value
)

// TipReturns lists the allowed values.
var TipReturns = []TipReturn{TipReturnNone, TipReturnRatio, TipReturnDamages}

// TaskPenalty is what a leaver loses in team-task rewards.
type TaskPenalty string

// Task penalties.
const (
	TaskPenaltyNone         TaskPenalty = "none"              // rewards earned are kept
	TaskPenaltyIfTaskFails  TaskPenalty = "forfeit_if_failed" // if the exit makes the week's task fail: forfeit + penalty points
	TaskPenaltyTiered       TaskPenalty = "tiered"            // grows with repeated exits
	TaskPenaltyPermanentBar TaskPenalty = "permanent_bar"     // barred from the club's task rewards for ever
)

// TaskPenalties lists the allowed values.
var TaskPenalties = []TaskPenalty{TaskPenaltyNone, TaskPenaltyIfTaskFails, TaskPenaltyTiered, TaskPenaltyPermanentBar}

// RevenueRule is dimension 6: creator revenue and the leaver's gifts.
type RevenueRule struct {
	// CreatorShare is the creator's share of gift value (0..1).
	CreatorShare float64 `yaml:"creatorShare" json:"creatorShare"`
	// TeamTask is the club's weekly team task.
	TeamTask TeamTask `yaml:"teamTask" json:"teamTask"`
	// PendingShare is what exit does to the creator's pending share.
	PendingShare PendingShareHandling `yaml:"pendingShare" json:"pendingShare"`
	// TipReturn is what the leaver gets back or pays for unsettled gifts.
	TipReturn TipReturn `yaml:"tipReturn" json:"tipReturn"`
	// TipReturnRatio is the ratio for TipReturn "ratio" (0..1).
	TipReturnRatio float64 `yaml:"tipReturnRatio,omitempty" json:"tipReturnRatio,omitempty"`
	// TaskPenalty is what a leaver loses in task rewards.
	TaskPenalty TaskPenalty `yaml:"taskPenalty" json:"taskPenalty"`
	// PenaltyPoints are the general points charged by forfeit_if_failed.
	PenaltyPoints int64 `yaml:"penaltyPoints,omitempty" json:"penaltyPoints,omitempty"`
	// PenaltySteps are the steps of a tiered penalty, by exit count.
	PenaltySteps []PenaltyStep `yaml:"penaltySteps,omitempty" json:"penaltySteps,omitempty"`
}

// TeamTask is a club's weekly goal on level points earned by its members.
type TeamTask struct {
	// WeeklyGoal is the level points the members must earn in a week.
	WeeklyGoal int64 `yaml:"weeklyGoal" json:"weeklyGoal"`
	// RewardPoints are paid to every member who took part when the goal is met.
	RewardPoints int64 `yaml:"rewardPoints" json:"rewardPoints"`
}

// PenaltyStep is one step of a tiered task penalty: from the Exits-th exit
// within Window, the leaver forfeits the week's rewards and is barred from
// tasks for BarFor.
type PenaltyStep struct {
	Exits  int  `yaml:"exits" json:"exits"`
	Window Span `yaml:"window" json:"window"`
	BarFor Span `yaml:"barFor" json:"barFor"`
}

// AgeVerification is how a fan's age or identity is established.
type AgeVerification string

// Age verifications.
const (
	VerifyBankCard          AgeVerification = "bank_card"          // real name via a bound bank card
	VerifySelfDeclared      AgeVerification = "self_declared"      // age is self-declared
	VerifyGuardianInherited AgeVerification = "guardian_inherited" // inherits the guardian's account identity
	VerifyIDCheck           AgeVerification = "id_check"           // verified identity document before paid features
)

// AgeVerifications lists the allowed values.
var AgeVerifications = []AgeVerification{VerifyBankCard, VerifySelfDeclared, VerifyGuardianInherited, VerifyIDCheck}

// ConsumptionAudit is how a minor's spending is checked.
type ConsumptionAudit string

// Consumption audits.
const (
	AuditFaceVerification ConsumptionAudit = "face_verification"  // spending triggers a face check
	AuditNone             ConsumptionAudit = "none"               // no audit; refunds only on declaration
	AuditBookedToGuardian ConsumptionAudit = "booked_to_guardian" // booked to the guardian, no own record
	AuditGuardianView     ConsumptionAudit = "guardian_view"      // own record, visible to the guardian
)

// ConsumptionAudits lists the allowed values.
var ConsumptionAudits = []ConsumptionAudit{AuditFaceVerification, AuditNone, AuditBookedToGuardian, AuditGuardianView}

// MinorsRule is dimension 7: minors and guardians.
type MinorsRule struct {
	// AdultAge is the age from which a fan is an adult.
	AdultAge int `yaml:"adultAge" json:"adultAge"`
	// Verification is how age or identity is established.
	Verification AgeVerification `yaml:"verification" json:"verification"`
	// VerifyBeforePaid requires verification before any paid action.
	VerifyBeforePaid bool `yaml:"verifyBeforePaid" json:"verifyBeforePaid"`
	// ConsumptionAudit is how a minor's spending is checked.
	ConsumptionAudit ConsumptionAudit `yaml:"consumptionAudit" json:"consumptionAudit"`
	// RefundOnlyIfDeclared: a minor's spending is refunded only if the guardian declares it.
	RefundOnlyIfDeclared bool `yaml:"refundOnlyIfDeclared" json:"refundOnlyIfDeclared"`
	// NoTipping forbids minors to send gifts or buy coins.
	NoTipping bool `yaml:"noTipping" json:"noTipping"`
	// SpendingCaps are per-day and per-transaction caps by age band.
	SpendingCaps []SpendingCap `yaml:"spendingCaps,omitempty" json:"spendingCaps,omitempty"`
	// Guardian is what a linked guardian can and must do.
	Guardian GuardianRule `yaml:"guardian" json:"guardian"`
}

// SpendingCap caps a minor's spending in an age band [MinAge, MaxAge].
type SpendingCap struct {
	MinAge         int   `yaml:"minAge" json:"minAge"`
	MaxAge         int   `yaml:"maxAge" json:"maxAge"`
	PerDay         int64 `yaml:"perDay" json:"perDay"`
	PerTransaction int64 `yaml:"perTransaction" json:"perTransaction"`
}

// GuardianRule is what a minor's guardian can do.
type GuardianRule struct {
	// RemoteExit lets the guardian exit the minor's memberships.
	RemoteExit bool `yaml:"remoteExit" json:"remoteExit"`
	// NotarizedProof requires a notarized document for a guardian request.
	NotarizedProof bool `yaml:"notarizedProof" json:"notarizedProof"`
	// ManualApproval requires an operator to approve a guardian request.
	ManualApproval bool `yaml:"manualApproval" json:"manualApproval"`
	// UnilateralUnlink lets either side remove the guardian link alone.
	UnilateralUnlink bool `yaml:"unilateralUnlink" json:"unilateralUnlink"`
	// ViewConsumption lets the guardian see the minor's consumption record.
	ViewConsumption bool `yaml:"viewConsumption" json:"viewConsumption"`
	// OneStepRefund lets the guardian file a refund request in one step.
	OneStepRefund bool `yaml:"oneStepRefund" json:"oneStepRefund"`
	// Erasure lets the guardian have the minor's data deleted.
	Erasure bool `yaml:"erasure" json:"erasure"`
}

// ExportFormat is a machine-readable export format.
type ExportFormat string

// Export formats.
const (
	ExportJSON            ExportFormat = "json"
	ExportCSV             ExportFormat = "csv"
	ExportActivityStreams ExportFormat = "activitystreams"
)

// ExportFormats lists the allowed formats.
var ExportFormats = []ExportFormat{ExportJSON, ExportCSV, ExportActivityStreams}

// PortabilityRule is dimension 8: moving between platforms.
type PortabilityRule struct {
	// Export lists the formats a fan can download their data in (none: no export).
	Export []ExportFormat `yaml:"export" json:"export"`
	// InExitFlow offers the export from the exit flow.
	InExitFlow bool `yaml:"inExitFlow" json:"inExitFlow"`
	// Import accepts exports from other instances.
	Import bool `yaml:"import" json:"import"`
	// ImportedTenureCounts counts imported tenure towards levels.
	ImportedTenureCounts bool `yaml:"importedTenureCounts" json:"importedTenureCounts"`
}

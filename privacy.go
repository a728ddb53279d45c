package fanclub

import (
	"fmt"
	"time"
)

// DataCategory names a class of personal data the engine deletes, keeps
// or anonymises (docs/privacy.md).
type DataCategory string

// Data categories.
const (
	// DataBehaviourLog is the fan's interaction events in a club.
	DataBehaviourLog DataCategory = "behaviour_log"
	// DataDeviceIDs is the device identifiers recorded for the fan in a club.
	DataDeviceIDs DataCategory = "device_ids"
	// DataFollow is the fan's follow of the club's creator.
	DataFollow DataCategory = "follow"
	// DataTransactionRecords is the fan's payments and gifts (legal hold).
	DataTransactionRecords DataCategory = "transaction_records"
	// DataAccount is the account itself: handle, password, sessions,
	// notifications, effects, daily counters and kept progress.
	DataAccount DataCategory = "account"
	// DataAge is the fan's birth date, how it was verified and the
	// verifier's reference (dimension 7).
	DataAge DataCategory = "age"
	// DataImports is the histories the fan imported from other instances'
	// exports (dimension 8).
	DataImports DataCategory = "imports"
)

// Data actions: what happens to a category (DataStep.Action, DeletionReceipt.Action).
const (
	DataErase     = "erase"     // deleted
	DataKeep      = "keep"      // kept as it is
	DataRefresh   = "refresh"   // kept, last seen updated at later sightings
	DataHold      = "hold"      // kept under a legal hold until Until
	DataAnonymise = "anonymise" // the fan's id replaced by a pseudonym
)

// ChoiceFollow names the follow exit choice; ChoiceUnfollow is its one value.
const (
	ChoiceFollow   = "follow"
	ChoiceUnfollow = "unfollow"
)

// DeletionReceipt records one purge, erasure, hold or anonymisation of a
// fan's personal data: whose, which category, how many records, when, the
// rule and its basis; never the data.
type DeletionReceipt struct {
	ID    int64 `json:"id"`
	FanID int64 `json:"fan_id"`
	// ClubID is the club whose policy applied (0: the whole account).
	ClubID   int64        `json:"club_id"`
	Category DataCategory `json:"category"`
	// Action is erase, hold or anonymise.
	Action string `json:"action"`
	// Count is how many records the action touched: for a behaviour-log
	// purge, the events deleted.
	Count int64 `json:"count"`
	// Kept is how many records of the category the action left in place
	// because the policy keeps them (a behaviour-log purge under
	// data.keepInteractionRecords keeps the comments and likes; Rule names
	// them).
	Kept int64     `json:"kept,omitempty"`
	At   time.Time `json:"at"`
	// Until is when a hold ends (hold receipts only).
	Until *time.Time `json:"until,omitempty"`
	// Rule is the policy rule applied, e.g. "data.behaviourLogRetention: 180d".
	Rule string `json:"rule"`
	// Basis is why: the policy and version, or the law of a legal hold.
	Basis string `json:"basis"`
}

// DataExitPlan is what an exit does to the fan's personal data in the
// club (ExitImpact.Data): one step per category, with when it happens.
type DataExitPlan struct {
	Steps []DataStep `json:"steps"`
}

// DataStep is what happens to one category of data: the action and when
// (At; nil with Never for data kept for ever), the rule and its basis.
type DataStep struct {
	Category DataCategory `json:"category"`
	Action   string       `json:"action"`
	At       *time.Time   `json:"at"`
	Never    bool         `json:"never,omitempty"`
	Rule     string       `json:"rule"`
	Basis    string       `json:"basis"`
	// Keep lists the actions whose events an erase step of the behaviour
	// log leaves in place: the interaction records (comments, likes) a
	// policy keeps with data.keepInteractionRecords.
	Keep []Action `json:"keep,omitempty"`
}

// InteractionRecords are the actions whose events are the fan's
// interaction records with the creator, which data.keepInteractionRecords
// keeps through a behaviour-log purge: comments and likes.
func InteractionRecords() []Action {
	return []Action{ActionComment, ActionLike}
}

// Step returns the plan's step of a category.
func (d *DataExitPlan) Step(c DataCategory) (DataStep, bool) {
	if d == nil {
		return DataStep{}, false
	}
	for _, s := range d.Steps {
		if s.Category == c {
			return s, true
		}
	}
	return DataStep{}, false
}

// PlanDataExit computes what an exit at `at` does to the fan's data in
// the club under p: the behaviour log purged at exit plus the retention
// (never for forever), device identifiers erased at exit, kept or
// refreshed, the follow removed or kept (fan_choice: removed when choices
// say follow: unfollow). Under keepInteractionRecords a log purge keeps
// the InteractionRecords (the step's Keep, named in its rule). With
// erasedWithProgress, erasures due at exit wait for the end of a kept
// progress window (retainedUntil; kept for ever with progress kept for
// ever). It is pure; choices are validated by exitOption.
func PlanDataExit(p *Policy, loc *time.Location, choices map[string]string, at time.Time, retainedUntil *time.Time, retainedForever bool) *DataExitPlan {
	d := p.Data
	basis := policyBasis(p)
	at = at.UTC()
	// eraseAt is when an erasure due at exit happens, never when it waits
	// for progress kept for ever; deferred notes a wait for kept progress.
	deferred := d.ErasedWithProgress && (retainedForever || retainedUntil != nil)
	eraseAt := func() (*time.Time, bool) {
		switch {
		case deferred && retainedForever:
			return nil, true
		case deferred:
			u := retainedUntil.UTC()
			return &u, false
		}
		t := at
		return &t, false
	}
	const withProgress = ", erasedWithProgress"
	plan := &DataExitPlan{}
	logs := DataStep{Category: DataBehaviourLog, Action: DataErase, Basis: basis,
		Rule: "data.behaviourLogRetention: " + d.BehaviourLogRetention.String()}
	switch r := d.BehaviourLogRetention; {
	case r.Forever:
		logs.Action, logs.Never = DataKeep, true
	case r.IsZero():
		logs.At, logs.Never = eraseAt()
		if logs.Never {
			logs.Action = DataKeep
		}
	default:
		end, _ := r.End(at, loc)
		end = end.UTC()
		logs.At = &end
	}
	if deferred && d.BehaviourLogRetention.IsZero() {
		logs.Rule += withProgress
	}
	if logs.Action == DataErase && d.KeepInteractionRecords {
		logs.Keep = InteractionRecords()
		logs.Rule += "; data.keepInteractionRecords: true (comments and likes kept)"
	}
	plan.Steps = append(plan.Steps, logs)

	dev := DataStep{Category: DataDeviceIDs, Action: string(d.DeviceIDs), Basis: basis, Rule: "data.deviceIds: " + string(d.DeviceIDs)}
	switch d.DeviceIDs {
	case DeviceErase:
		dev.At, dev.Never = eraseAt()
		if dev.Never {
			dev.Action = DataKeep
		}
		if deferred {
			dev.Rule += withProgress
		}
	default:
		dev.Never = true
	}
	plan.Steps = append(plan.Steps, dev)

	fol := DataStep{Category: DataFollow, Action: DataKeep, Never: true, Basis: basis, Rule: "data.follow: " + string(d.Follow)}
	if d.Follow == FollowRemove || (d.Follow == FollowFanChoice && choices[ChoiceFollow] == ChoiceUnfollow) {
		t := at
		fol.Action, fol.At, fol.Never = DataErase, &t, false
		if d.Follow == FollowFanChoice {
			fol.Rule += " (the fan chose unfollow)"
		}
	}
	plan.Steps = append(plan.Steps, fol)
	return plan
}

// policyBasis names a policy and its version as the basis of its rules.
func policyBasis(p *Policy) string {
	return fmt.Sprintf("policy %s %s", p.Metadata.Name, p.Metadata.Version)
}

// transactionHold returns a policy's hold of transaction records.
func transactionHold(p *Policy) (LegalHold, bool) {
	for _, h := range p.Data.LegalHolds {
		if h.Records == string(DataTransactionRecords) {
			return h, true
		}
	}
	return LegalHold{}, false
}

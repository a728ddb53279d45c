package fanclub

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Exit choice keys.
const (
	// ChoiceProgress names the progress option (ProgressRule.Options).
	ChoiceProgress = "progress"
	// ChoicePaid names the paid-membership exit option (PaidRule.Options).
	ChoicePaid = "paid"
)

// neverRejoin is the RejoinAfter of a policy whose cooldown is forever.
var neverRejoin = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// ExitPlan is everything an exit does, computed without side effects: the
// impact shown to the fan, the membership as it will be stored, and the
// effects put on the fan's account. RequestExit (the preview) and
// ConfirmExit (the execution) both compute it with PlanExit.
type ExitPlan struct {
	Impact     ExitImpact
	Membership Membership
	Effects    []Effect
	// Option is the progress option applied.
	Option ProgressOption
}

// PlanExit computes what exiting m at `at` under policy p does, with
// calendar days counted in loc; the times it computes are in UTC. The
// membership must be active (else ENOTMEMBER); choices may name a
// "progress" option and a "paid" option (else EINVALID with the allowed
// values). It is pure: the same inputs always give the same plan.
func PlanExit(p *Policy, loc *time.Location, m Membership, choices map[string]string, at time.Time) (ExitPlan, error) {
	if m.Status != StatusActive {
		return ExitPlan{}, Errorf(ENOTMEMBER, "Fan %d is not a member of club %d.", m.FanID, m.ClubID)
	}
	opt, err := exitOption(p, choices)
	if err != nil {
		return ExitPlan{}, err
	}
	// Level points are bounded (MaxPoints); a balance stored before the
	// bound existed is read as the bound, so no sum below wraps.
	p0, lvl := ClampPoints(m.LevelPoints), m.Level
	im := ExitImpact{
		At: at, Option: opt.Name,
		LevelBefore: lvl, LevelPointsBefore: p0,
		Decay: opt.Decay, Restore: opt.Restore,
		HistoryDeleted: opt.DeleteHistory,
		RejoinFrom:     at,
	}
	if im.Decay == "" {
		im.Decay = DecayNone
	}
	if im.Restore == "" {
		im.Restore = RestoreNone
	}
	im.PointsConverted = convertedPoints(p0, opt.ConvertToGeneral)

	after := m
	after.Status = StatusLeft
	after.LeftAt = at
	after.Exits++
	after.Version++
	after.Retained = nil
	after.Level, after.LevelPoints = 0, 0
	after.RejoinAfter = time.Time{}

	if !opt.Retention.IsZero() && im.Restore != RestoreNone {
		r := &Retained{Option: opt.Name, Points: p0, Level: lvl, Decay: im.Decay, Restore: im.Restore}
		if until, ok := opt.Retention.End(at, loc); ok {
			r.Until = until.UTC()
			u := r.Until
			im.RetainedUntil = &u
		} else {
			r.Forever = true
			im.RetainedForever = true
		}
		if r.Decay == DecayLinearDaily {
			if d, ok := opt.Retention.WholeDays(); ok {
				r.DecayDays = d
			} else {
				r.DecayDays = opt.Retention.CalendarDays
			}
		}
		after.Retained = r
		after.Level = lvl
		if r.Restore == RestoreLevelThreshold {
			im.PointsRetained = LevelThreshold(p.Engagement.Levels, lvl)
		} else {
			im.PointsRetained = p0
		}
	}
	im.LevelAfter, im.LevelPointsAfter = after.Level, after.LevelPoints
	if lost := p0 - im.PointsRetained - im.PointsConverted; lost > 0 {
		im.PointsLost = lost
	}

	cd := p.Progress.RejoinCooldown
	if !cd.IsZero() {
		if end, ok := cd.End(at, loc); ok {
			after.RejoinAfter = end.UTC()
		} else {
			after.RejoinAfter = neverRejoin
		}
		im.RejoinFrom = after.RejoinAfter
	}

	effects := make([]Effect, 0, len(p.Effects))
	for _, r := range p.Effects {
		ef := Effect{FanID: m.FanID, ClubID: m.ClubID, Kind: r.Kind, Scope: r.Scope, Start: at,
			EndsOnRejoin: r.EndsOnRejoin, Factor: r.Factor, Actions: append([]Action(nil), r.Actions...)}
		if ef.Scope == "" {
			ef.Scope = ScopeClub
		}
		if !r.Duration.Forever && !(r.Duration.IsZero() && r.EndsOnRejoin) {
			end, _ := r.Duration.End(at, loc)
			end = end.UTC()
			ef.Until = &end
		}
		effects = append(effects, ef)
	}
	im.Effects = make([]Effect, len(effects))
	copy(im.Effects, effects)
	im.Data = PlanDataExit(p, loc, choices, at, im.RetainedUntil, im.RetainedForever)
	return ExitPlan{Impact: im, Membership: after, Effects: effects, Option: opt}, nil
}

// convertedPoints returns floor(p0 × ratio) for a ratio in 0..1.
func convertedPoints(p0 int64, ratio float64) int64 {
	switch {
	case ratio <= 0 || p0 <= 0:
		return 0
	case ratio >= 1:
		return p0
	}
	return int64(math.Floor(float64(p0) * ratio))
}

// exitOption validates exit choices and returns the progress option.
func exitOption(p *Policy, choices map[string]string) (ProgressOption, error) {
	var fields []FieldError
	keys := make([]string, 0, len(choices))
	for k := range choices {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := choices[k]
		switch k {
		case ChoiceProgress:
			if _, ok := p.Progress.Option(v); !ok {
				fields = append(fields, FieldError{Path: "choices.progress", Found: v, Allowed: progressNames(p), Message: "unknown progress option"})
			}
		case ChoicePaid:
			if _, ok := p.Paid.Option(v); !ok {
				fields = append(fields, FieldError{Path: "choices.paid", Found: v, Allowed: paidNames(p), Message: "unknown paid option"})
			}
		case ChoiceFollow:
			if fe := followChoiceError(p, v); fe != nil {
				fields = append(fields, *fe)
			}
		default:
			fields = append(fields, FieldError{Path: "choices." + k, Found: v, Allowed: ChoiceProgress + ", " + ChoicePaid + ", " + ChoiceFollow, Message: "unknown choice"})
		}
	}
	if len(fields) > 0 {
		return ProgressOption{}, InvalidFields("Invalid exit choices.", fields)
	}
	opt, ok := p.Progress.Option(choices[ChoiceProgress])
	if !ok {
		return ProgressOption{}, Errorf(EINTERNAL, "policy %q has no default progress option %q", p.Metadata.Name, p.Progress.Default)
	}
	return opt, nil
}

// progressNames lists a policy's progress option names.
func progressNames(p *Policy) string {
	names := make([]string, len(p.Progress.Options))
	for i, o := range p.Progress.Options {
		names[i] = o.Name
	}
	return strings.Join(names, ", ")
}

// paidNames lists a policy's paid exit option names.
func paidNames(p *Policy) string {
	names := make([]string, len(p.Paid.Options))
	for i, o := range p.Paid.Options {
		names[i] = o.Name
	}
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, ", ")
}

// describeChallenge names a challenge for messages.
func describeChallenge(c Challenge) string { return fmt.Sprintf("%q", string(c)) }

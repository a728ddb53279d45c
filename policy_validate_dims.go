package fanclub

import (
	"slices"
	"strconv"
	"strings"
)

func (p *Policy) validatePaid(v *validator) {
	r := p.Paid
	if len(r.Currency) != 3 || strings.ToUpper(r.Currency) != r.Currency || strings.ContainsAny(r.Currency, "0123456789 ") {
		v.add("paid.currency", "not an ISO 4217 code", quoted(r.Currency), "three upper-case letters such as CNY")
	}
	enumList(v, "paid.plans", r.Plans, Plans)
	if len(r.Plans) == 0 && len(r.Tiers) > 0 {
		v.add("paid.plans", "tiers without plans", "none", "one or more of "+joinEnum(Plans))
	}
	v.names("paid.tiers", p.tierNames())
	for i, t := range r.Tiers {
		if len(r.Plans) == 0 {
			break // prices cannot be checked against plans that are not there
		}
		path := index("paid.tiers", i)
		for j, pr := range t.Prices {
			pp := index(path+".prices", j)
			switch {
			case !slices.Contains(r.Plans, pr.Plan):
				v.add(pp+".plan", "price for a plan not offered in paid.plans", quoted(string(pr.Plan)), joinEnum(r.Plans))
			case slices.ContainsFunc(t.Prices[:j], func(o PlanPrice) bool { return o.Plan == pr.Plan }):
				v.add(pp+".plan", "duplicate price for a plan", quoted(string(pr.Plan)), "one price per plan")
			}
			if pr.Price <= 0 {
				v.add(pp+".price", "price must be positive", strconv.FormatInt(pr.Price, 10), "more than 0 (minor units)")
			}
		}
		for _, plan := range r.Plans {
			if !slices.ContainsFunc(t.Prices, func(o PlanPrice) bool { return o.Plan == plan }) {
				v.add(path+".prices", "no price for an offered plan", quoted(string(plan)), "one price for each of "+joinEnum(r.Plans))
			}
		}
	}
	enum(v, "paid.autoRenew.stoppedBy", r.AutoRenew.StoppedBy, RenewalStops)
	if r.RefundOn != "" {
		enum(v, "paid.refundOn", r.RefundOn, RefundTriggers)
	}
	if r.RefundOn == RefundOnCancel && r.AutoRenew.StoppedBy == RenewalStopRevokeAgreement {
		v.add("paid.refundOn", "no cancel to pay the refund: renewal is stopped only by revoking the agreement", quoted(string(r.RefundOn)), `"exit"`)
	}
	names := make([]string, len(r.Options))
	for i, o := range r.Options {
		names[i] = o.Name
	}
	if len(r.Options) == 0 {
		v.add("paid.options", "no options", "none", "at least one option")
	} else {
		v.choice("paid.default", r.Default, names)
	}
	v.names("paid.options", names)
	for i, o := range r.Options {
		path := index("paid.options", i)
		for j, rf := range o.Refunds {
			rp := index(path+".refunds", j)
			switch {
			case len(r.Plans) == 0:
			case !slices.Contains(r.Plans, rf.Plan):
				v.add(rp+".plan", "refund rule for a plan not offered in paid.plans", quoted(string(rf.Plan)), joinEnum(r.Plans))
			case slices.ContainsFunc(o.Refunds[:j], func(x RefundRule) bool { return x.Plan == rf.Plan }):
				v.add(rp+".plan", "duplicate refund rule for a plan", quoted(string(rf.Plan)), "one rule per plan")
			}
			enum(v, rp+".method", rf.Method, RefundMethods)
			v.ratio(rp+".ratio", rf.Ratio)
		}
		enum(v, path+".benefitsEnd", o.BenefitsEnd, BenefitsEnds)
		if o.BenefitsEnd != BenefitsAfterExit && !o.BenefitsAfter.IsZero() {
			v.add(path+".benefitsAfter", "only meaningful when benefitsEnd is after_exit", quoted(o.BenefitsAfter.String()), `"0"`)
		}
	}
}

func (p *Policy) validateEffects(v *validator) {
	for i, e := range p.Effects {
		path := index("effects", i)
		enum(v, path+".kind", e.Kind, EffectKinds)
		if slices.ContainsFunc(p.Effects[:i], func(o EffectRule) bool { return o.Kind == e.Kind }) {
			v.add(path+".kind", "duplicate effect kind", quoted(string(e.Kind)), "each kind once")
		}
		enum(v, path+".scope", e.Scope, Scopes)
		v.positiveSpan(path+".duration", e.Duration)
		switch e.Kind {
		case EffectRecommendationWeight:
			if !(e.Factor > 0 && e.Factor <= 1) {
				v.add(path+".factor", "recommendation_weight needs a factor", num(e.Factor), "more than 0, at most 1")
			}
		default:
			if e.Factor != 0 {
				v.add(path+".factor", "factor is only meaningful for recommendation_weight", num(e.Factor), "0 or absent")
			}
		}
		if e.Kind == EffectInteractionRestricted && len(e.Actions) == 0 {
			v.add(path+".actions", "interaction_restricted needs actions", "none", "one or more of "+joinEnum(Actions))
		}
		if e.Kind != EffectInteractionRestricted && len(e.Actions) > 0 {
			v.add(path+".actions", "actions are only meaningful for interaction_restricted", strconv.Itoa(len(e.Actions))+" actions", "none")
		}
		enumList(v, path+".actions", e.Actions, Actions)
	}
}

func (p *Policy) validateData(v *validator) {
	d := p.Data
	enum(v, "data.deviceIds", d.DeviceIDs, DeviceHandlings)
	enum(v, "data.follow", d.Follow, FollowHandlings)
	for i, h := range d.LegalHolds {
		path := index("data.legalHolds", i)
		if h.Records == "" {
			v.add(path+".records", "missing record class", "", "a name such as transaction_records")
		}
		if h.Basis == "" {
			v.add(path+".basis", "missing legal basis", "", "the law that requires the hold")
		}
		v.positiveSpan(path+".retention", h.Retention)
	}
}

func (p *Policy) validateRevenue(v *validator) {
	r := p.Revenue
	v.ratio("revenue.creatorShare", r.CreatorShare)
	v.nonNegative("revenue.teamTask.weeklyGoal", r.TeamTask.WeeklyGoal)
	v.nonNegative("revenue.teamTask.rewardPoints", r.TeamTask.RewardPoints)
	enum(v, "revenue.pendingShare", r.PendingShare, PendingShareHandlings)
	enum(v, "revenue.tipReturn", r.TipReturn, TipReturns)
	v.ratio("revenue.tipReturnRatio", r.TipReturnRatio)
	if r.TipReturn == TipReturnRatio && r.TipReturnRatio == 0 {
		v.add("revenue.tipReturnRatio", "tipReturn ratio needs a ratio", "0", "more than 0, at most 1")
	}
	enum(v, "revenue.taskPenalty", r.TaskPenalty, TaskPenalties)
	v.nonNegative("revenue.penaltyPoints", r.PenaltyPoints)
	if r.TaskPenalty == TaskPenaltyTiered && len(r.PenaltySteps) == 0 {
		v.add("revenue.penaltySteps", "tiered penalty needs steps", "none", "one or more steps with increasing exits")
	}
	for i, s := range r.PenaltySteps {
		path := index("revenue.penaltySteps", i)
		switch {
		case s.Exits < 1:
			v.add(path+".exits", "exit count must be positive", strconv.Itoa(s.Exits), "1 or more")
		case i > 0 && s.Exits <= r.PenaltySteps[i-1].Exits:
			v.add(path+".exits", "exit counts must strictly increase", strconv.Itoa(s.Exits), "more than "+strconv.Itoa(r.PenaltySteps[i-1].Exits))
		}
		v.positiveSpan(path+".window", s.Window)
	}
}

func (p *Policy) validateMinors(v *validator) {
	m := p.Minors
	if m.AdultAge < 1 || m.AdultAge > 30 {
		v.add("minors.adultAge", "adult age out of range", strconv.Itoa(m.AdultAge), "1 to 30")
	}
	enum(v, "minors.verification", m.Verification, AgeVerifications)
	enum(v, "minors.consumptionAudit", m.ConsumptionAudit, ConsumptionAudits)
	for i, c := range m.SpendingCaps {
		path := index("minors.spendingCaps", i)
		switch {
		case c.MinAge < 0:
			v.add(path+".minAge", "negative age", strconv.Itoa(c.MinAge), "0 or more")
		case c.MinAge > c.MaxAge:
			v.add(path+".minAge", "age band is empty", strconv.Itoa(c.MinAge), "at most maxAge "+strconv.Itoa(c.MaxAge))
		}
		if c.MaxAge >= m.AdultAge {
			v.add(path+".maxAge", "age band reaches adulthood", strconv.Itoa(c.MaxAge), "less than adultAge "+strconv.Itoa(m.AdultAge))
		}
		v.nonNegative(path+".perDay", c.PerDay)
		v.nonNegative(path+".perTransaction", c.PerTransaction)
	}
}

func (p *Policy) validatePortability(v *validator) {
	r := p.Portability
	enumList(v, "portability.export", r.Export, ExportFormats)
	if r.InExitFlow && len(r.Export) == 0 {
		v.add("portability.inExitFlow", "export in the exit flow needs an export format", "true", "false, or list formats in portability.export")
	}
}

// isSlug reports whether s is non-empty and made of [a-z0-9-].
func isSlug(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// index appends a list index to a path.
func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// quoted renders a found string value.
func quoted(s string) string { return strconv.Quote(s) }

// quoteAll quotes every name.
func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quoted(n)
	}
	return out
}

// joinEnum lists allowed enum values.
func joinEnum[T ~string](vals []T) string {
	s := make([]string, len(vals))
	for i, x := range vals {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

// num renders a number found in a policy.
func num(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

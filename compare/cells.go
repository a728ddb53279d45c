package compare

import (
	"math"
	"strconv"

	"fanclub"
)

// exitRow renders dimension 1: path, confirmation, claimed and estimated time.
func exitRow(c *catalogue, p *fanclub.Policy) ([]string, map[string]any) {
	r := p.Exit
	steps := make([]string, len(r.Path))
	for i, s := range r.Path {
		steps[i] = s.In(c.lang)
	}
	path := c.join("path.sep", steps)
	if len(steps) == 0 {
		path = c.t("dash")
	}
	chs := make([]string, len(r.Challenges))
	for i, ch := range r.Challenges {
		chs[i] = c.value("exit.challenges", "challenge.", string(ch))
	}
	confirm := c.join("challenge.sep", chs)
	if len(chs) == 0 {
		confirm = c.t("challenge.none")
	}
	if r.ShowsImpact {
		confirm = c.t("exit.shows_impact", "text", confirm)
	}
	if r.Receipt {
		confirm = c.t("exit.receipt", "text", confirm)
	}
	claimed := c.t("dash")
	if !r.ClaimedTime.IsZero() && !r.ClaimedTime.Forever && !r.ClaimedTime.IsCalendar() {
		claimed = c.aboutSeconds(r.ClaimedTime.Exact.Seconds())
	}
	est := DefaultModel().EstimateExit(r)
	values := map[string]any{
		"entry": r.Entry, "path": r.Path, "challenges": r.Challenges,
		"showsImpact": r.ShowsImpact, "receipt": r.Receipt,
		"claimedTime": r.ClaimedTime, "estimate": est,
	}
	return []string{path, confirm, claimed, c.aboutSeconds(est.Seconds)}, values
}

// aboutSeconds renders "about n seconds", rounded to a whole second.
func (c *catalogue) aboutSeconds(s float64) string {
	return c.t("seconds.about", "n", strconv.FormatInt(int64(math.Round(s)), 10))
}

// progressRow renders dimension 2: level, contribution points, rejoin.
func progressRow(c *catalogue, p *fanclub.Policy) ([]string, map[string]any) {
	r := p.Progress
	isDefault := func(o fanclub.ProgressOption) bool { return o.Name == r.Default }
	level := choices(c, r.Options, isDefault, func(o fanclub.ProgressOption) string {
		switch {
		case o.Retention.Forever:
			return c.t("level.forever")
		case o.Retention.IsZero():
			return c.t("level.zero")
		}
		return c.t("level.kept", "span", c.span(o.Retention))
	})
	contribution := choices(c, r.Options, isDefault, func(o fanclub.ProgressOption) string {
		var parts []string
		switch {
		case o.ConvertToGeneral >= 1:
			parts = append(parts, c.t("contribution.convert_all"))
		case o.ConvertToGeneral > 0:
			parts = append(parts, c.t("contribution.convert_part", "pct", pct(o.ConvertToGeneral)))
		}
		if o.Decay == fanclub.DecayLinearDaily && !o.Retention.IsZero() {
			parts = append(parts, c.t("contribution.decay_daily"))
		}
		if o.DeleteHistory {
			parts = append(parts, c.t("contribution.delete_history"))
		}
		if len(parts) == 0 {
			if !o.Retention.IsZero() && o.Restore != fanclub.RestoreNone {
				return c.t("contribution.kept_restored")
			}
			return c.t("contribution.history_kept")
		}
		return c.join("clause.sep", parts)
	})
	var rejoin string
	switch {
	case r.RejoinCooldown.Forever:
		rejoin = c.t("rejoin.never")
	case !r.RejoinCooldown.IsZero():
		rejoin = c.t("rejoin.cooldown", "span", c.span(r.RejoinCooldown))
	case restoresForever(r.Options):
		rejoin = c.t("rejoin.unlimited")
	default:
		rejoin = c.t("rejoin.at_once")
	}
	values := map[string]any{"default": r.Default, "options": r.Options, "rejoinCooldown": r.RejoinCooldown}
	return []string{level, contribution, rejoin}, values
}

// restoresForever reports whether every option keeps progress for ever and
// gives it back on rejoin.
func restoresForever(opts []fanclub.ProgressOption) bool {
	for _, o := range opts {
		if !o.Retention.Forever || o.Restore == fanclub.RestoreNone {
			return false
		}
	}
	return len(opts) > 0
}

// paidRow renders dimension 3: auto-renewal, refund, end of benefits.
func paidRow(c *catalogue, p *fanclub.Policy) ([]string, map[string]any) {
	r := p.Paid
	a := r.AutoRenew
	var renew []string
	switch {
	case a.StopsOnExit || a.StoppedBy == fanclub.RenewalStopExit:
		renew = append(renew, c.t("renew.stops_on_exit"))
	case a.StoppedBy == fanclub.RenewalStopRevokeAgreement:
		renew = append(renew, c.t("renew.revoke_agreement"))
	default:
		renew = append(renew, c.t("renew.manual_cancel"))
	}
	if a.ExplicitConsent {
		renew = append(renew, c.t("renew.explicit_consent"))
	}
	if !a.ReminderBefore.IsZero() {
		renew = append(renew, c.t("renew.reminder", "span", c.span(a.ReminderBefore)))
	}
	if a.ChargeNotice {
		renew = append(renew, c.t("renew.charge_notice"))
	}
	isDefault := func(o fanclub.PaidExitOption) bool { return o.Name == r.Default }
	refund := choices(c, r.Options, isDefault, func(o fanclub.PaidExitOption) string {
		return refundText(c, r.Plans, o, len(r.Options) > 1)
	})
	benefits := choices(c, r.Options, isDefault, func(o fanclub.PaidExitOption) string {
		switch {
		case o.BenefitsEnd == fanclub.BenefitsPeriodEnd:
			return c.t("benefits.period_end")
		case o.BenefitsAfter.IsZero():
			return c.t("benefits.at_once")
		}
		return c.t("benefits.after", "span", c.span(o.BenefitsAfter))
	})
	values := map[string]any{"currency": r.Currency, "plans": r.Plans, "autoRenew": a,
		"default": r.Default, "options": r.Options}
	return []string{c.join("clause.sep", renew), refund, benefits}, values
}

// refundText renders an option's refunds over the offered plans. A rule
// shared by every plan is named once; otherwise each refunding plan is
// named. No refund at all names the longest plan, where it costs most,
// unless the option is one of several (the others say what they refund).
func refundText(c *catalogue, plans []fanclub.Plan, o fanclub.PaidExitOption, choice bool) string {
	if len(plans) == 0 {
		return c.t("dash")
	}
	rules := make([]fanclub.RefundRule, len(plans))
	refunding := 0
	same := true
	longest := plans[0]
	for i, pl := range plans {
		rules[i] = o.Refund(pl)
		if refunds(rules[i]) {
			refunding++
		}
		if rules[i].Method != rules[0].Method || rules[i].Ratio != rules[0].Ratio {
			same = false
		}
		if pl.Months() > longest.Months() {
			longest = pl
		}
	}
	if refunding == 0 && choice {
		return c.t("refund.none")
	}
	if refunding == 0 {
		return c.t("refund.none_all", "plan", c.value("paid.plans", "plan.", string(longest)))
	}
	if same {
		r := rules[0]
		unit := "days"
		if r.Method == fanclub.RefundUnusedMonths {
			unit = "months"
		}
		if r.Ratio >= 1 {
			return c.t("refund." + unit + "_all")
		}
		return c.t("refund."+unit+"_all_part", "pct", pct(r.Ratio))
	}
	var parts []string
	for _, r := range rules {
		switch {
		case !refunds(r):
		case r.Ratio >= 1:
			parts = append(parts, c.t("refund.plan_full", "plan", c.value("paid.plans", "plan.", string(r.Plan))))
		default:
			parts = append(parts, c.t("refund.plan_part", "plan", c.value("paid.plans", "plan.", string(r.Plan)), "pct", pct(r.Ratio)))
		}
	}
	return c.join("item.sep", parts)
}

// refunds reports whether a refund rule pays anything back.
func refunds(r fanclub.RefundRule) bool { return r.Method != fanclub.RefundNone && r.Ratio > 0 }

// effectsRow renders dimension 4: one text per effect on the leaver's account.
func effectsRow(c *catalogue, p *fanclub.Policy) ([]string, map[string]any) {
	var items []string
	for _, e := range p.Effects {
		items = append(items, effectText(c, p, e))
	}
	cell := c.join("item.sep", items)
	if len(items) == 0 {
		cell = c.t("none")
	}
	return []string{cell}, map[string]any{"effects": p.Effects}
}

// effectText renders one effect.
func effectText(c *catalogue, p *fanclub.Policy, e fanclub.EffectRule) string {
	switch e.Kind {
	case fanclub.EffectMemberCountHidden:
		when := c.t("effect.after_exit")
		if p.Data.Follow == fanclub.FollowRemove {
			when = c.t("effect.after_unfollow")
		}
		if e.Duration.Forever {
			return c.t("effect.member_count_hidden", "when", when)
		}
		return c.t("effect.member_count_hidden_for", "when", when, "span", c.span(e.Duration))
	case fanclub.EffectInteractionRestricted:
		acts := make([]string, len(e.Actions))
		for i, a := range e.Actions {
			acts[i] = c.value("effects.actions", "action.", string(a))
		}
		list := c.join("list.sep", acts)
		if e.Duration.Forever {
			return c.t("effect.interaction_restricted_forever", "actions", list)
		}
		return c.t("effect.interaction_restricted", "actions", list, "span", c.span(e.Duration))
	case fanclub.EffectRecommendationWeight:
		if e.Duration.Forever {
			return c.t("effect.recommendation_weight_forever",
				"factor", strconv.FormatFloat(e.Factor, 'f', -1, 64))
		}
		return c.t("effect.recommendation_weight", "span", c.span(e.Duration),
			"factor", strconv.FormatFloat(e.Factor, 'f', -1, 64))
	}
	return c.value("effects.kind", "effect.", string(e.Kind))
}

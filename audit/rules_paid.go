package audit

import (
	"fmt"
	"time"

	"fanclub"
)

// paidRules are the checks of dimension 3: paid plans.
func paidRules() []Rule {
	renewal := []Basis{whole(LawMIIT), see(LawOTSM), whole(LawCAARL)}
	return []Rule{
		{
			ID: "PAID-CANCEL-ELSEWHERE", Dimension: 3, Severity: Medium, Basis: []Basis{whole(LawMIIT), whole(LawCAARL), art(LawDSA, "25"), whole(LawFTC)},
			Title:  loc("Renewal can only be stopped outside the app", "只能在应用外停止续费"),
			Passes: loc("paid.autoRenew.stoppedBy is exit or manual_cancel.", "paid.autoRenew.stoppedBy 为 exit 或 manual_cancel。"),
			Fix:    loc("Set paid.autoRenew.stoppedBy: exit and let fans cancel where they subscribed, without revoking a payment agreement.", "设置 paid.autoRenew.stoppedBy: exit,让粉丝在订阅的地方取消,无需解除支付协议。"),
			check: func(p *fanclub.Policy) []hit {
				if p.Paid.AutoRenew.StoppedBy != fanclub.RenewalStopRevokeAgreement {
					return nil
				}
				return []hit{{field: "paid.autoRenew.stoppedBy", found: string(p.Paid.AutoRenew.StoppedBy),
					message: loc("Only revoking the payment agreement, in the payment provider, stops renewal.", "只有在支付渠道解除支付协议才能停止续费。")}}
			},
		},
		{
			ID: "PAID-CHARGE-NOTICE", Dimension: 3, Severity: Low, Basis: []Basis{whole(LawMIIT), whole(LawCAARL)},
			Title:  loc("Charges are not announced", "扣费前没有通知"),
			Passes: loc("paid.autoRenew.chargeNotice is true.", "paid.autoRenew.chargeNotice 为 true。"),
			Fix:    loc("Set paid.autoRenew.chargeNotice: true: announce each charge with time, amount and how to cancel.", "设置 paid.autoRenew.chargeNotice: true:每次扣费前告知时间、金额和取消方式。"),
			check: func(p *fanclub.Policy) []hit {
				if !hasPaid(p) || p.Paid.AutoRenew.ChargeNotice {
					return nil
				}
				return []hit{{field: "paid.autoRenew.chargeNotice", found: bl(false),
					message: loc("Renewal charges are taken without a notice of time, amount and how to cancel.", "续费扣款前不告知时间、金额和取消方式。")}}
			},
		},
		{
			ID: "PAID-CONSENT", Dimension: 3, Severity: Medium, Basis: renewal,
			Title:  loc("Auto-renew is on without its own consent", "自动续费未单独征得同意"),
			Passes: loc("paid.autoRenew.explicitConsent is true.", "paid.autoRenew.explicitConsent 为 true。"),
			Fix:    loc("Set paid.autoRenew.explicitConsent: true: turning auto-renew on needs its own, conspicuous consent.", "设置 paid.autoRenew.explicitConsent: true:开启自动续费须单独、显著地征得同意。"),
			check: func(p *fanclub.Policy) []hit {
				if !hasPaid(p) || p.Paid.AutoRenew.ExplicitConsent {
					return nil
				}
				return []hit{{field: "paid.autoRenew.explicitConsent", found: bl(false),
					message: loc("Auto-renewal starts without the fan's separate, explicit consent.", "自动续费未经粉丝单独、明确同意即开启。")}}
			},
		},
		{
			ID: "PAID-NO-REFUND", Dimension: 3, Severity: High, Basis: []Basis{art(LawCRPLRegs, "22"), see(LawOTSM), whole(LawCAARL)},
			Title:  loc("Unused prepaid value is neither refunded nor kept", "未使用的预付价值既不退还也不保留"),
			Passes: loc("For every plan some exit option refunds all unused value or keeps benefits to the period end.", "每种套餐都至少有一个退出选项全额退还未使用部分,或保留权益至周期结束。"),
			Fix:    loc("For each plan, refund the unused days in full (method: unused_days, ratio: 1) or keep benefits to period end (benefitsEnd: period_end).", "对每种套餐,按天全额退还未使用部分(method: unused_days, ratio: 1),或保留权益至周期结束(benefitsEnd: period_end)。"),
			check:  checkNoRefund,
		},
		{
			ID: "PAID-PARTIAL-REFUND", Dimension: 3, Severity: High, Basis: []Basis{art(LawCRPLRegs, "22"), see(LawOTSM)},
			Title:  loc("Only part of the unused value is refunded", "只退还部分未使用价值"),
			Passes: loc("Every refund rule has ratio 1 or method none with benefits kept.", "所有退款规则的 ratio 为 1,或不退款但保留权益。"),
			Fix:    loc("Set ratio: 1 on every refund rule: the fan gets back all unused value.", "所有退款规则设置 ratio: 1:退还全部未使用价值。"),
			check: func(p *fanclub.Policy) []hit {
				var hs []hit
				for i, o := range p.Paid.Options {
					for j, r := range o.Refunds {
						if r.Method != fanclub.RefundNone && r.Ratio < 1 {
							hs = append(hs, hit{field: fmt.Sprintf("paid.options[%d].refunds[%d].ratio", i, j), found: fmt.Sprintf("%g", r.Ratio),
								message: loc("Option %q refunds only %[3]g%% of the unused value of %[2]s plans.",
									"选项 %q 对%s套餐只退还未使用价值的 %g%%。", o.Name, term(r.Plan, planNames), r.Ratio*100)})
						}
					}
				}
				return hs
			},
		},
		{
			ID: "PAID-REFUND-ROUNDING", Dimension: 3, Severity: Medium, Basis: []Basis{art(LawCRPLRegs, "22")},
			Title:  loc("The current month is lost when benefits end early", "权益提前结束时当月费用被吞"),
			Passes: loc("Refunds by whole months are only used with benefits kept to the period end.", "按整月退款仅在权益保留至周期结束时使用。"),
			Fix:    loc("Use method: unused_days, or keep benefits to period end, so the days already paid for are not lost.", "改用 method: unused_days,或保留权益至周期结束,避免已付费的天数被吞。"),
			check: func(p *fanclub.Policy) []hit {
				var hs []hit
				for i, o := range p.Paid.Options {
					if o.BenefitsEnd == fanclub.BenefitsPeriodEnd {
						continue
					}
					for j, r := range o.Refunds {
						if r.Method == fanclub.RefundUnusedMonths {
							hs = append(hs, hit{field: fmt.Sprintf("paid.options[%d].refunds[%d].method", i, j), found: string(r.Method),
								message: loc("Option %q refunds only whole unused months of %s plans while benefits end at exit: the days left in the current month are paid for and lost.",
									"选项 %q 对%s套餐只按整月退款,而权益在退出后即结束:当月剩余天数已付费却被吞。", o.Name, term(r.Plan, planNames))})
						}
					}
				}
				return hs
			},
		},
		{
			ID: "PAID-REMINDER", Dimension: 3, Severity: Medium, Basis: renewal,
			Title:  loc("No reminder before renewal", "续费前没有提醒"),
			Passes: loc("paid.autoRenew.reminderBefore is set (at least 5d for CN policies).", "设置了 paid.autoRenew.reminderBefore(CN 策略至少 5 天)。"),
			Fix:    loc("Set paid.autoRenew.reminderBefore: 5d.", "设置 paid.autoRenew.reminderBefore: 5d。"),
			check: func(p *fanclub.Policy) []hit {
				if !hasPaid(p) {
					return nil
				}
				r := p.Paid.AutoRenew.ReminderBefore
				need := fanclub.Span{Exact: time.Minute}
				if p.Metadata.Jurisdiction == fanclub.JurisdictionCN {
					need = fanclub.Days(5)
				}
				if atLeast(r, need.Exact) {
					return nil
				}
				msg := loc("Fans are never reminded before a renewal charge.", "续费扣款前从不提醒粉丝。")
				if !r.IsZero() {
					msg = loc("Fans are reminded only %s before a renewal charge; at least %s is required.", "续费扣款前仅提前%s提醒;至少须提前%s。", spanTerm(r), spanTerm(need))
				}
				return []hit{{field: "paid.autoRenew.reminderBefore", found: spanText(r), message: msg}}
			},
		},
		{
			ID: "PAID-RENEW-OUTLIVES", Dimension: 3, Severity: High, Basis: renewal,
			Title:  loc("Auto-renew keeps charging after exit", "退出后自动续费仍在扣款"),
			Passes: loc("paid.autoRenew.stopsOnExit is true.", "paid.autoRenew.stopsOnExit 为 true。"),
			Fix:    loc("Set paid.autoRenew.stopsOnExit: true (stoppedBy: exit): leaving the club turns auto-renew off.", "设置 paid.autoRenew.stopsOnExit: true(stoppedBy: exit):退出粉丝团即关闭自动续费。"),
			check: func(p *fanclub.Policy) []hit {
				if !hasPaid(p) || p.Paid.AutoRenew.StopsOnExit {
					return nil
				}
				return []hit{{field: "paid.autoRenew.stopsOnExit", found: bl(false),
					message: loc("Leaving the club does not stop auto-renewal (stopped only by %s): the fan keeps paying for a club they left.", "退出粉丝团不会停止自动续费(只能通过%s停止):粉丝会继续为已退出的粉丝团付费。", term(p.Paid.AutoRenew.StoppedBy, renewalStopNames))}}
			},
		},
	}
}

// hasPaid reports whether the policy sells paid plans.
func hasPaid(p *fanclub.Policy) bool { return len(p.Paid.Plans) > 0 && len(p.Paid.Tiers) > 0 }

// checkNoRefund flags plans for which no exit option refunds all unused
// value or keeps benefits to the period end.
func checkNoRefund(p *fanclub.Policy) []hit {
	if !hasPaid(p) {
		return nil
	}
	var bare []fanclub.Plan
	for _, plan := range p.Paid.Plans {
		ok := false
		for _, o := range p.Paid.Options {
			r := o.Refund(plan)
			if o.BenefitsEnd == fanclub.BenefitsPeriodEnd || (r.Method != fanclub.RefundNone && r.Ratio >= 1) {
				ok = true
				break
			}
		}
		if !ok {
			bare = append(bare, plan)
		}
	}
	if len(bare) == 0 {
		return nil
	}
	return []hit{{field: "paid.options", found: list(bare), message: loc(
		"For %s plans no exit option refunds the unused value or keeps benefits to the period end: the fan loses what they prepaid.",
		"%s套餐没有任何退出选项退还未使用价值或保留权益至周期结束:粉丝预付的钱白白损失。", terms(bare, planNames, "and"))}}
}

// effectRules are the checks of dimension 4: effects on the leaver's account.
func effectRules() []Rule {
	return []Rule{
		{
			ID: "EFFECT-PENALTY", Dimension: 4, Severity: High, Basis: []Basis{art(LawPIPL, "16"), art(LawDSA, "25")},
			Title:  loc("Leaving penalises the fan's account", "退出后处罚粉丝账号"),
			Passes: loc("effects has no interaction_restricted or recommendation_weight entry.", "effects 中没有 interaction_restricted 或 recommendation_weight。"),
			Fix:    loc("Remove interaction restrictions and recommendation down-weighting from effects: leaving must not cost the fan anything elsewhere.", "从 effects 中删除互动限制和推荐降权:退出不应让粉丝在别处付出代价。"),
			check: func(p *fanclub.Policy) []hit {
				var hs []hit
				for i, e := range p.Effects {
					switch e.Kind {
					case fanclub.EffectInteractionRestricted:
						hs = append(hs, hit{field: fmt.Sprintf("effects[%d]", i), found: fmt.Sprintf("%s %s %s (%s)", e.Kind, list(e.Actions), spanText(e.Duration), e.Scope),
							message: loc("After leaving, the fan may not %s for %s (%s).", "退出后%[2]s内粉丝不能%[1]s(范围:%[3]s)。", terms(e.Actions, actionNames, "or"), spanTerm(e.Duration), term(e.Scope, scopeNames))})
					case fanclub.EffectRecommendationWeight:
						hs = append(hs, hit{field: fmt.Sprintf("effects[%d]", i), found: fmt.Sprintf("%s ×%g %s (%s)", e.Kind, e.Factor, spanText(e.Duration), e.Scope),
							message: loc("After leaving, the fan's content is down-weighted in search and recommendations for %s (%s).", "退出后%s内粉丝的内容在搜索和推荐中被降权(范围:%s)。", spanTerm(e.Duration), term(e.Scope, scopeNames))})
					}
				}
				return hs
			},
		},
		{
			ID: "EFFECT-VISIBILITY", Dimension: 4, Severity: Low, Basis: []Basis{art(LawPIPL, "16"), art(LawDSA, "25")},
			Title:  loc("Leaving hides club information from the fan", "退出后对粉丝隐藏粉丝团信息"),
			Passes: loc("effects has no member_count_hidden entry.", "effects 中没有 member_count_hidden。"),
			Fix:    loc("Remove member_count_hidden from effects: public club information stays visible to everyone.", "从 effects 中删除 member_count_hidden:公开的粉丝团信息对所有人可见。"),
			check: func(p *fanclub.Policy) []hit {
				var hs []hit
				for i, e := range p.Effects {
					if e.Kind == fanclub.EffectMemberCountHidden {
						hs = append(hs, hit{field: fmt.Sprintf("effects[%d]", i), found: fmt.Sprintf("%s %s (%s)", e.Kind, spanText(e.Duration), e.Scope),
							message: loc("After leaving, the club's member count is hidden from the fan until they rejoin: a nudge to come back.", "退出后,在重新加入之前粉丝看不到粉丝团成员数量:变相催促回归。")})
					}
				}
				return hs
			},
		},
	}
}

// atLeast reports whether a span is at least d long; a calendar day counts
// as 24 hours.
func atLeast(s fanclub.Span, d time.Duration) bool {
	switch {
	case s.Forever:
		return true
	case s.CalendarDays > 0:
		return time.Duration(s.CalendarDays)*24*time.Hour >= d
	}
	return s.Exact >= d
}

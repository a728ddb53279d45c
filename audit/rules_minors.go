package audit

import (
	"fmt"
	"slices"

	"fanclub"
)

// minorsRules are the checks of dimension 7: minors and guardians.
func minorsRules() []Rule {
	age := []Basis{art(LawPIPL, "31"), art(LawMinors, "72"), art(LawGDPR, "8"), whole(LawCOPPA)}
	spend := []Basis{art(LawMinors, "74"), art(LawMinorsRegs, "44")}
	return []Rule{
		{
			ID: "MINORS-CAPS", Dimension: 7, Severity: High, Jurisdiction: fanclub.JurisdictionCN, Basis: spend,
			Title:  loc("No spending caps for every minor age", "未按年龄为所有未成年人设置消费上限"),
			Passes: loc("minors.spendingCaps cover every age from 0 to adultAge−1.", "minors.spendingCaps 覆盖 0 岁到 adultAge−1 岁的每个年龄。"),
			Fix:    loc("Add minors.spendingCaps with per-day and per-transaction caps for each age band from 0 to adultAge−1.", "在 minors.spendingCaps 中为 0 岁到 adultAge−1 岁的每个年龄段设置每日和单笔上限。"),
			check: func(p *fanclub.Policy) []hit {
				if len(p.Minors.SpendingCaps) == 0 {
					return []hit{{field: "minors.spendingCaps", found: "[]",
						message: loc("Minors can spend without any cap by age.", "未成年人消费没有任何按年龄的上限。")}}
				}
				if gap, ok := uncoveredAge(p.Minors.SpendingCaps, p.Minors.AdultAge); ok {
					return []hit{{field: "minors.spendingCaps", found: fmt.Sprintf("%d bands", len(p.Minors.SpendingCaps)),
						message: loc("No spending cap covers age %d.", "没有消费上限覆盖 %d 岁。", gap)}}
				}
				return nil
			},
		},
		{
			ID: "MINORS-CONSUMPTION-RECORD", Dimension: 7, Severity: Medium, Basis: spend,
			Title:  loc("A minor's spending has no own, checkable record", "未成年人消费没有独立可查的记录"),
			Passes: loc("minors.consumptionAudit is face_verification or guardian_view.", "minors.consumptionAudit 为 face_verification 或 guardian_view。"),
			Fix:    loc("Set minors.consumptionAudit: guardian_view: keep the minor's own consumption record, visible to the guardian.", "设置 minors.consumptionAudit: guardian_view:为未成年人保留独立的消费记录,并对监护人可见。"),
			check: func(p *fanclub.Policy) []hit {
				switch p.Minors.ConsumptionAudit {
				case fanclub.AuditNone:
					return []hit{{field: "minors.consumptionAudit", found: string(p.Minors.ConsumptionAudit),
						message: loc("A minor's spending is not checked at all.", "未成年人的消费完全不受审核。")}}
				case fanclub.AuditBookedToGuardian:
					return []hit{{field: "minors.consumptionAudit", found: string(p.Minors.ConsumptionAudit),
						message: loc("A minor's spending is booked to the guardian with no record of its own, shifting liability to the parent.", "未成年人的消费记在监护人名下,没有独立记录,消费责任被转嫁给家长。")}}
				}
				return nil
			},
		},
		{
			ID: "MINORS-GUARDIAN", Dimension: 7, Severity: High, Basis: []Basis{art(LawPIPL, "31"), art(LawMinors, "72"), art(LawGDPR, "8"), whole(LawCOPPA)},
			Title:  loc("A guardian cannot simply exit and delete for a minor", "监护人无法便捷地为未成年人退出和删除数据"),
			Passes: loc("minors.guardian: remoteExit and erasure true; notarizedProof and manualApproval false.", "minors.guardian 中 remoteExit 和 erasure 为 true;notarizedProof 和 manualApproval 为 false。"),
			Fix:    loc("Set minors.guardian.remoteExit: true and erasure: true, and drop notarizedProof and manualApproval.", "设置 minors.guardian.remoteExit: true 和 erasure: true,并取消 notarizedProof 和 manualApproval。"),
			check: func(p *fanclub.Policy) []hit {
				g := p.Minors.Guardian
				var hs []hit
				if !g.Erasure {
					hs = append(hs, hit{field: "minors.guardian.erasure", found: bl(false),
						message: loc("A guardian cannot have the minor's data deleted.", "监护人不能要求删除未成年人的数据。")})
				}
				if g.ManualApproval {
					hs = append(hs, hit{field: "minors.guardian.manualApproval", found: bl(true),
						message: loc("Every guardian request waits for an operator's approval.", "监护人的每项请求都要等待人工审批。")})
				}
				if g.NotarizedProof {
					hs = append(hs, hit{field: "minors.guardian.notarizedProof", found: bl(true),
						message: loc("A guardian must bring notarized documents to act for the minor.", "监护人须提供公证材料才能代未成年人操作。")})
				}
				if !g.RemoteExit {
					hs = append(hs, hit{field: "minors.guardian.remoteExit", found: bl(false),
						message: loc("A guardian cannot exit the minor's memberships.", "监护人不能为未成年人退出粉丝团。")})
				}
				return hs
			},
		},
		{
			ID: "MINORS-INHERITED", Dimension: 7, Severity: High, Basis: []Basis{art(LawMinors, "74"), art(LawMinorsRegs, "44"), whole(LawSPC)},
			Title:  loc("Minors inherit the parent's account identity", "未成年人默认继承家长账号身份"),
			Passes: loc("minors.verification is not guardian_inherited.", "minors.verification 不是 guardian_inherited。"),
			Fix:    loc("Set minors.verification: id_check so a minor has an identity and age of their own.", "设置 minors.verification: id_check,让未成年人拥有自己的身份和年龄。"),
			check: func(p *fanclub.Policy) []hit {
				if p.Minors.Verification != fanclub.VerifyGuardianInherited {
					return nil
				}
				return []hit{{field: "minors.verification", found: string(p.Minors.Verification),
					message: loc("A minor inherits the parent's account by default, so the child passes as an adult and spending liability moves to the parent.", "未成年人默认继承家长账号,孩子被当作成年人,消费责任转嫁给家长。")}}
			},
		},
		{
			ID: "MINORS-REFUND-CHANNEL", Dimension: 7, Severity: High, Basis: []Basis{whole(LawSPC), art(LawMinors, "74")},
			Title:  loc("No simple guardian refund channel", "没有便捷的监护人退款渠道"),
			Passes: loc("minors.guardian.oneStepRefund is true and minors.refundOnlyIfDeclared is false.", "minors.guardian.oneStepRefund 为 true 且 minors.refundOnlyIfDeclared 为 false。"),
			Fix:    loc("Set minors.guardian.oneStepRefund: true and minors.refundOnlyIfDeclared: false.", "设置 minors.guardian.oneStepRefund: true 和 minors.refundOnlyIfDeclared: false。"),
			check: func(p *fanclub.Policy) []hit {
				var hs []hit
				if !p.Minors.Guardian.OneStepRefund {
					hs = append(hs, hit{field: "minors.guardian.oneStepRefund", found: bl(false),
						message: loc("A guardian cannot file a refund for a minor's spending in one step.", "监护人不能一步提交未成年人消费的退款申请。")})
				}
				if p.Minors.RefundOnlyIfDeclared {
					hs = append(hs, hit{field: "minors.refundOnlyIfDeclared", found: bl(true),
						message: loc("A minor's spending is refunded only if the guardian finds and declares it.", "只有监护人自己发现并申报,未成年人的消费才会退款。")})
				}
				return hs
			},
		},
		{
			ID: "MINORS-SELF-DECLARED", Dimension: 7, Severity: High, Basis: age,
			Title:  loc("Age is only self-declared", "年龄仅凭自行申报"),
			Passes: loc("minors.verification is id_check or bank_card.", "minors.verification 为 id_check 或 bank_card。"),
			Fix:    loc("Set minors.verification: id_check.", "设置 minors.verification: id_check。"),
			check: func(p *fanclub.Policy) []hit {
				if p.Minors.Verification != fanclub.VerifySelfDeclared {
					return nil
				}
				return []hit{{field: "minors.verification", found: string(p.Minors.Verification),
					message: loc("Anyone can register with a made-up identity and age, so minors are not recognised.", "任何人都能用虚拟身份和年龄注册,无法识别未成年人。")}}
			},
		},
		{
			ID: "MINORS-TIPPING", Dimension: 7, Severity: High, Jurisdiction: fanclub.JurisdictionCN, Basis: []Basis{whole(LawTipping), art(LawMinorsRegs, "44")},
			Title:  loc("Minors may tip", "允许未成年人打赏"),
			Passes: loc("minors.noTipping is true.", "minors.noTipping 为 true。"),
			Fix:    loc("Set minors.noTipping: true: minors may not send gifts or buy coins.", "设置 minors.noTipping: true:未成年人不得送礼物或充值。"),
			check: func(p *fanclub.Policy) []hit {
				if p.Minors.NoTipping {
					return nil
				}
				return []hit{{field: "minors.noTipping", found: bl(false),
					message: loc("Minors may send gifts and buy coins in live rooms.", "未成年人可以在直播间送礼物和充值。")}}
			},
		},
		{
			ID: "MINORS-VERIFY-BEFORE-PAID", Dimension: 7, Severity: High, Basis: append(age[:len(age):len(age)], spend...),
			Title:  loc("Paid features before age verification", "未验证年龄即可使用付费功能"),
			Passes: loc("minors.verifyBeforePaid is true.", "minors.verifyBeforePaid 为 true。"),
			Fix:    loc("Set minors.verifyBeforePaid: true: verify age before any paid action.", "设置 minors.verifyBeforePaid: true:任何付费操作前先验证年龄。"),
			check: func(p *fanclub.Policy) []hit {
				if p.Minors.VerifyBeforePaid {
					return nil
				}
				return []hit{{field: "minors.verifyBeforePaid", found: bl(false),
					message: loc("Fans can pay and tip before their age is verified.", "粉丝在年龄验证之前就可以付费和打赏。")}}
			},
		},
	}
}

// exportRules are the checks of dimension 8: portability.
func exportRules() []Rule {
	basis := []Basis{art(LawGDPR, "20"), art(LawPIPL, "45")}
	return []Rule{
		{
			ID: "EXPORT-MISSING", Dimension: 8, Severity: Medium, Basis: basis,
			Title:  loc("No data export", "不提供数据导出"),
			Passes: loc("portability.export lists at least one machine-readable format.", "portability.export 至少列出一种机器可读格式。"),
			Fix:    loc("Set portability.export: [json, csv] (activitystreams for moving between instances) and inExitFlow: true.", "设置 portability.export: [json, csv](跨实例迁移可加 activitystreams)以及 inExitFlow: true。"),
			check: func(p *fanclub.Policy) []hit {
				if len(p.Portability.Export) > 0 {
					return nil
				}
				return []hit{{field: "portability.export", found: "[]",
					message: loc("Fans cannot take their data with them: a data silo.", "粉丝无法带走自己的数据:数据孤岛。")}}
			},
		},
		{
			ID: "EXPORT-NOT-IN-EXIT", Dimension: 8, Severity: Low, Basis: basis,
			Title:  loc("Export not offered in the exit flow", "退出流程中不提供导出"),
			Passes: loc("portability.inExitFlow is true, or there is no export at all (see EXPORT-MISSING).", "portability.inExitFlow 为 true,或根本没有导出(见 EXPORT-MISSING)。"),
			Fix:    loc("Set portability.inExitFlow: true.", "设置 portability.inExitFlow: true。"),
			check: func(p *fanclub.Policy) []hit {
				if len(p.Portability.Export) == 0 || p.Portability.InExitFlow {
					return nil
				}
				return []hit{{field: "portability.inExitFlow", found: bl(false),
					message: loc("The export exists but is not offered when the fan leaves.", "虽有导出功能,但粉丝退出时不提供。")}}
			},
		},
	}
}

// uncoveredAge returns the youngest age below adultAge that no spending cap
// band covers, and whether there is one.
func uncoveredAge(caps []fanclub.SpendingCap, adultAge int) (int, bool) {
	bands := slices.Clone(caps)
	slices.SortFunc(bands, func(a, b fanclub.SpendingCap) int { return a.MinAge - b.MinAge })
	next := 0 // youngest age not yet covered
	for _, c := range bands {
		if c.MinAge > next {
			break
		}
		next = max(next, c.MaxAge+1)
	}
	if next < adultAge {
		return next, true
	}
	return 0, false
}

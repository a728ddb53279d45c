package audit

import (
	"fmt"
	"time"

	"fanclub"
)

// logWindow is the longest time behaviour logs may outlive an exit
// without being a declared legal hold.
const logWindow = 30 * 24 * time.Hour

// dataRules are the checks of dimension 5: personal data after exit.
func dataRules() []Rule {
	retention := []Basis{art(LawPIPL, "19"), art(LawPIPL, "47"), art(LawGDPR, "5(1)(e)"), art(LawGDPR, "17"), whole(LawCOPPA)}
	return []Rule{
		{
			ID: "DATA-DEVICE-KEPT", Dimension: 5, Severity: High, Basis: retention,
			Title:  loc("Device identifiers outlive the membership", "设备标识在退出后仍被保留"),
			Passes: loc("data.deviceIds is erase.", "data.deviceIds 为 erase。"),
			Fix:    loc("Set data.deviceIds: erase: device identifiers are erased at exit (or with kept progress).", "设置 data.deviceIds: erase:退出时(或随保留的进度到期时)删除设备标识。"),
			check: func(p *fanclub.Policy) []hit {
				switch p.Data.DeviceIDs {
				case fanclub.DeviceKeep:
					return []hit{{field: "data.deviceIds", found: string(p.Data.DeviceIDs),
						message: loc("Device identifiers (such as the IMEI) are kept after exit with no end: permanent retention beyond any purpose.", "退出后设备标识(如 IMEI)被无期限保留:超出目的的永久保存。")}}
				case fanclub.DeviceRefresh:
					return []hit{{field: "data.deviceIds", found: string(p.Data.DeviceIDs),
						message: loc("Device fingerprints are kept after exit and refreshed on every later sighting: the leaver is still tracked.", "退出后设备指纹被保留,并在之后每次出现时更新:退出者仍被追踪。")}}
				}
				return nil
			},
		},
		{
			ID: "DATA-INTERACTIONS-KEPT", Dimension: 5, Severity: Medium, Basis: []Basis{art(LawPIPL, "47"), art(LawGDPR, "17")},
			Title:  loc("Club interaction records are kept after exit", "退出后保留粉丝团互动记录"),
			Passes: loc("data.keepInteractionRecords is false.", "data.keepInteractionRecords 为 false。"),
			Fix:    loc("Set data.keepInteractionRecords: false: club-specific interaction records are erased with the membership.", "设置 data.keepInteractionRecords: false:粉丝团专属的互动记录随成员资格一同删除。"),
			check: func(p *fanclub.Policy) []hit {
				if !p.Data.KeepInteractionRecords {
					return nil
				}
				return []hit{{field: "data.keepInteractionRecords", found: bl(true),
					message: loc("The leaver's comments and likes with the creator are kept, with no stated end.", "退出者与创作者之间的评论和点赞被保留,且没有期限。")}}
			},
		},
		{
			ID: "DATA-LEGAL-HOLD", Dimension: 5, Severity: Medium, Basis: []Basis{art(LawPIPL, "47"), art(LawECL, "31"), art(LawCSL, "21"), art(LawGDPR, "17")},
			Title:  loc("A legal hold names no law or never ends", "法定留存未注明法律依据或没有期限"),
			Passes: loc("Every legal hold names its law and has a finite retention.", "每项法定留存都注明法律依据并有有限期限。"),
			Fix:    loc("Give each data.legalHolds entry the law that requires it (basis) and a finite retention; drop holds no law names.", "为每项 data.legalHolds 写明要求留存的法律(basis)和有限期限;删除没有法律依据的留存。"),
			check: func(p *fanclub.Policy) []hit {
				var hs []hit
				for i, h := range p.Data.LegalHolds {
					switch {
					case h.Basis == "":
						hs = append(hs, hit{field: fmt.Sprintf("data.legalHolds[%d].basis", i), found: "",
							message: loc("The hold on %s names no law that requires it.", "对 %s 的留存没有注明法律依据。", h.Records)})
					case h.Retention.Forever || h.Retention.IsZero():
						hs = append(hs, hit{field: fmt.Sprintf("data.legalHolds[%d].retention", i), found: spanText(h.Retention),
							message: loc("The hold on %s has no finite retention.", "对 %s 的留存没有有限期限。", h.Records)})
					}
				}
				return hs
			},
		},
		{
			ID: "DATA-LOGS-FOREVER", Dimension: 5, Severity: High, Basis: retention,
			Title:  loc("Behaviour logs are kept for ever", "行为日志永久保存"),
			Passes: loc("data.behaviourLogRetention is finite.", "data.behaviourLogRetention 为有限期限。"),
			Fix:    loc("Set data.behaviourLogRetention to \"0\" (erase at exit) and declare any log a law requires as a legal hold.", "将 data.behaviourLogRetention 设为 \"0\"(退出即删除),法律要求保存的日志单独声明为法定留存。"),
			check: func(p *fanclub.Policy) []hit {
				if !p.Data.BehaviourLogRetention.Forever {
					return nil
				}
				return []hit{{field: "data.behaviourLogRetention", found: spanText(p.Data.BehaviourLogRetention),
					message: loc("The leaver's behaviour logs are stored permanently.", "退出者的行为日志被永久保存。")}}
			},
		},
		{
			ID: "DATA-WINDOW", Dimension: 5, Severity: Medium, Basis: retention[:4],
			Title:  loc("Behaviour logs outlive the exit by more than 30 days", "行为日志在退出后保留超过 30 天"),
			Passes: loc("data.behaviourLogRetention is at most 30d; longer keeping is a declared legal hold.", "data.behaviourLogRetention 不超过 30 天;更长的保存须声明为法定留存。"),
			Fix:    loc("Cut data.behaviourLogRetention to at most 30d (\"0\" is best); keep network logs the Cybersecurity Law requires as a legal hold instead.", "将 data.behaviourLogRetention 缩短到 30 天以内(最好为 \"0\");《网络安全法》要求的网络日志改为法定留存。"),
			check: func(p *fanclub.Policy) []hit {
				r := p.Data.BehaviourLogRetention
				if r.Forever || !atLeast(r, logWindow+1) {
					return nil
				}
				return []hit{{field: "data.behaviourLogRetention", found: spanText(r),
					message: loc("Behaviour logs are kept %s after exit without being a declared legal hold.", "退出后行为日志保留%s,且未声明为法定留存。", spanTerm(r))}}
			},
		},
	}
}

// revenueRules are the checks of dimension 6: creator revenue and gifts.
func revenueRules() []Rule {
	reversal := []Basis{art(LawDSA, "25"), art(LawCRPLRegs, "22")}
	return []Rule{
		{
			ID: "REVENUE-CHARGE", Dimension: 6, Severity: High, Basis: []Basis{art(LawPIPL, "16"), art(LawDSA, "25")},
			Title:  loc("Leaving charges the fan", "退出要向粉丝收费"),
			Passes: loc("revenue.tipReturn is not damages: a voluntary exit charges nothing.", "revenue.tipReturn 不是 damages:自愿退出不收取任何费用。"),
			Fix:    loc("Set revenue.tipReturn: none: gifts are final and leaving charges the fan nothing.", "设置 revenue.tipReturn: none:礼物一经送出即为最终,退出不向粉丝收取任何费用。"),
			check: func(p *fanclub.Policy) []hit {
				if p.Revenue.TipReturn != fanclub.TipReturnDamages {
					return nil
				}
				return []hit{{field: "revenue.tipReturn", found: string(p.Revenue.TipReturn),
					message: loc("The leaver is charged the full value of unsettled gifts as damages for leaving.", "退出者被按未结算礼物的全部价值收取违约金。")}}
			},
		},
		{
			ID: "REVENUE-CLAWBACK", Dimension: 6, Severity: High, Basis: reversal,
			Title:  loc("Leaving reverses gift revenue", "退出会冲回礼物收益"),
			Passes: loc("revenue.pendingShare is keep and revenue.tipReturn is none.", "revenue.pendingShare 为 keep 且 revenue.tipReturn 为 none。"),
			Fix:    loc("Set revenue.pendingShare: keep and revenue.tipReturn: none: a voluntary exit reverses no revenue unless a law requires a refund.", "设置 revenue.pendingShare: keep 和 revenue.tipReturn: none:除非法律要求退款,自愿退出不冲回任何收益。"),
			check: func(p *fanclub.Policy) []hit {
				var hs []hit
				if ps := p.Revenue.PendingShare; ps != fanclub.PendingKeep && ps != "" {
					hs = append(hs, hit{field: "revenue.pendingShare", found: string(ps),
						message: loc("A fan's exit changes the creator's pending share of their gifts (%s), so creators pressure fans not to leave.", "粉丝退出会改变创作者对其礼物的待结算分成(%s),使创作者向粉丝施压、阻止退出。", term(ps, pendingShareNames))})
				}
				if p.Revenue.TipReturn == fanclub.TipReturnRatio {
					hs = append(hs, hit{field: "revenue.tipReturn", found: fmt.Sprintf("%s %g", p.Revenue.TipReturn, p.Revenue.TipReturnRatio),
						message: loc("Exit returns part of settled gifts, a reversal no law requires, taken from the creator.", "退出会按比例返还礼物,这是法律并未要求的冲回,由创作者承担。")})
				}
				return hs
			},
		},
		{
			ID: "REVENUE-TASK-PENALTY", Dimension: 6, Severity: High, Basis: []Basis{art(LawPIPL, "16"), art(LawDSA, "25")},
			Title:  loc("Leaving costs team-task rewards", "退出会被扣罚团队任务奖励"),
			Passes: loc("revenue.taskPenalty is none: rewards already earned are kept.", "revenue.taskPenalty 为 none:已获得的奖励保留。"),
			Fix:    loc("Set revenue.taskPenalty: none and remove penaltyPoints and penaltySteps.", "设置 revenue.taskPenalty: none,并删除 penaltyPoints 和 penaltySteps。"),
			check: func(p *fanclub.Policy) []hit {
				switch p.Revenue.TaskPenalty {
				case fanclub.TaskPenaltyNone, "":
					return nil
				case fanclub.TaskPenaltyPermanentBar:
					return []hit{{field: "revenue.taskPenalty", found: string(p.Revenue.TaskPenalty),
						message: loc("A leaver is barred from the club's task rewards for ever: a lock-in penalty.", "退出者被永久取消粉丝团任务奖励资格:变相强制约束。")}}
				case fanclub.TaskPenaltyTiered:
					return []hit{{field: "revenue.taskPenalty", found: string(p.Revenue.TaskPenalty),
						message: loc("Leaving forfeits task rewards, with bars that grow with each exit (%d steps).", "退出会没收任务奖励,且禁止期随退出次数递增(%d 级)。", len(p.Revenue.PenaltySteps))}}
				}
				return []hit{{field: "revenue.taskPenalty", found: string(p.Revenue.TaskPenalty),
					message: loc("If the exit makes the week's team task fail, the leaver forfeits its rewards and is charged %d points.", "如果退出导致本周团队任务失败,退出者将失去奖励并被扣 %d 积分。", p.Revenue.PenaltyPoints)}}
			},
		},
	}
}

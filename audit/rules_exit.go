package audit

import (
	"fmt"
	"slices"

	"fanclub"
)

// exitRules are the checks of dimension 1: the exit path.
func exitRules() []Rule {
	friction := []Basis{art(LawDSA, "25"), art(LawBGB, "312k"), art(LawGDPR, "7(3)"), art(LawPIPL, "15"), whole(LawMIIT)}
	return []Rule{
		{
			ID: "EXIT-CHALLENGE", Dimension: 1, Severity: High, Basis: friction,
			Title:  loc("Exit walled by a check joining did not need", "退出设置了加入时没有的验证关卡"),
			Passes: loc("Exit asks only for one neutral confirmation, or for no more than joining asked.", "退出只需一次中性确认,或不多于加入时的验证。"),
			Fix:    loc("Set exit.challenges to [confirm]; drop slider, password and captcha.", "将 exit.challenges 设为 [confirm],去掉滑动验证、密码和图文验证码。"),
			check:  checkExitChallenge,
		},
		{
			ID: "EXIT-CONFIRM-REPEATED", Dimension: 1, Severity: Medium, Basis: []Basis{art(LawDSA, "25"), art(LawBGB, "312k")},
			Title:  loc("Exit asks for confirmation more than once", "退出需要多次确认"),
			Passes: loc("At most one confirmation.", "最多一次确认。"),
			Fix:    loc("Keep a single confirm in exit.challenges.", "exit.challenges 中只保留一个 confirm。"),
			check: func(p *fanclub.Policy) []hit {
				n := 0
				for _, c := range p.Exit.Challenges {
					if c == fanclub.ChallengeConfirm {
						n++
					}
				}
				if n <= 1 {
					return nil
				}
				return []hit{{field: "exit.challenges", found: list(p.Exit.Challenges),
					message: loc("The fan must confirm the exit %d times; repeated confirmations make leaving harder than joining.", "粉丝需确认退出 %d 次;重复确认让退出比加入更难。", n)}}
			},
		},
		{
			ID: "EXIT-ENTRY", Dimension: 1, Severity: Medium,
			Basis:  []Basis{art(LawDSA, "25"), art(LawGDPR, "7(3)"), art(LawPIPL, "15"), whole(LawMIIT), whole(LawCAARL)},
			Title:  loc("Exit starts somewhere else than joining", "退出入口与加入入口不在同一处"),
			Passes: loc("exit.entry equals join.entry.", "exit.entry 与 join.entry 相同。"),
			Fix:    loc("Set exit.entry to the surface of join.entry, so fans leave where they joined.", "将 exit.entry 设为 join.entry 所在的页面,让粉丝在加入的地方退出。"),
			check: func(p *fanclub.Policy) []hit {
				if p.Exit.Entry == p.Join.Entry {
					return nil
				}
				return []hit{{field: "exit.entry", found: string(p.Exit.Entry),
					message: loc("Fans join from %s but must leave from %s.", "粉丝从%s加入,却要从%s退出。", term(p.Join.Entry, surfaceNames), term(p.Exit.Entry, surfaceNames))}}
			},
		},
		{
			ID: "EXIT-PATH-LONGER", Dimension: 1, Severity: Medium, Basis: []Basis{art(LawDSA, "25"), art(LawGDPR, "7(3)"), art(LawPIPL, "15"), whole(LawMIIT)},
			Title:  loc("Exit takes more steps than joining", "退出步骤多于加入步骤"),
			Passes: loc("len(exit.path) ≤ len(join.path).", "exit.path 的步数不多于 join.path。"),
			Fix:    loc("Shorten exit.path to at most as many steps as join.path.", "将 exit.path 缩短到不超过 join.path 的步数。"),
			check: func(p *fanclub.Policy) []hit {
				if len(p.Exit.Path) <= len(p.Join.Path) {
					return nil
				}
				return []hit{{field: "exit.path", found: fmt.Sprintf("%d > %d", len(p.Exit.Path), len(p.Join.Path)),
					message: loc("Leaving takes %d steps; joining takes %d.", "退出需要 %d 步,加入只需 %d 步。", len(p.Exit.Path), len(p.Join.Path))}}
			},
		},
		{
			ID: "EXIT-RECEIPT", Dimension: 1, Severity: Low, Basis: []Basis{art(LawBGB, "312k")},
			Title:  loc("No receipt for a confirmed exit", "退出确认后没有回执"),
			Passes: loc("exit.receipt is true.", "exit.receipt 为 true。"),
			Fix:    loc("Set exit.receipt: true so every confirmed exit leaves a receipt for the fan.", "设置 exit.receipt: true,每次确认退出都给粉丝一份回执。"),
			check: func(p *fanclub.Policy) []hit {
				if p.Exit.Receipt {
					return nil
				}
				return []hit{{field: "exit.receipt", found: bl(p.Exit.Receipt),
					message: loc("A confirmed exit leaves the fan no receipt to prove it happened.", "确认退出后粉丝拿不到任何回执,无法证明已经退出。")}}
			},
		},
	}
}

// checkExitChallenge flags exit challenges beyond a confirmation that the
// join path did not ask for.
func checkExitChallenge(p *fanclub.Policy) []hit {
	var walls []fanclub.Challenge
	for _, c := range p.Exit.Challenges {
		if c != fanclub.ChallengeConfirm && !slices.Contains(p.Join.Challenges, c) {
			walls = append(walls, c)
		}
	}
	if len(walls) == 0 {
		return nil
	}
	return []hit{{field: "exit.challenges", found: list(p.Exit.Challenges),
		message: loc("Leaving requires %s, which joining did not; this makes termination harder than signing up.",
			"退出需要通过%s,加入时却不需要;这让退出比加入更难。", terms(walls, challengeNames, "and"))}}
}

// progressRules are the checks of dimension 2: progress at exit and rejoin.
func progressRules() []Rule {
	return []Rule{
		{
			ID: "EXIT-PREVIEW", Dimension: 2, Severity: Medium, Basis: []Basis{art(LawDSA, "25"), art(LawBGB, "312k")},
			Title:  loc("The loss is not shown before confirming", "确认前未展示退出损失"),
			Passes: loc("exit.showsImpact is true: the confirmation shows what the fan loses.", "exit.showsImpact 为 true:确认页展示粉丝将失去什么。"),
			Fix:    loc("Set exit.showsImpact: true and show the exit preview on the confirmation screen.", "设置 exit.showsImpact: true,在确认页展示退出影响预览。"),
			check: func(p *fanclub.Policy) []hit {
				if p.Exit.ShowsImpact {
					return nil
				}
				return []hit{{field: "exit.showsImpact", found: bl(p.Exit.ShowsImpact),
					message: loc("Fans confirm the exit without seeing what they will lose in level, money, data and restrictions.", "粉丝在确认退出时看不到将失去的等级、金钱、数据和受到的限制。")}}
			},
		},
		{
			ID: "PROGRESS-COOLDOWN", Dimension: 2, Severity: Medium, Basis: []Basis{art(LawDSA, "25"), art(LawPIPL, "16")},
			Title:  loc("Rejoining is refused for longer than a day", "重新加入的冷却期超过一天"),
			Passes: loc("progress.rejoinCooldown is at most 24h.", "progress.rejoinCooldown 不超过 24 小时。"),
			Fix:    loc("Set progress.rejoinCooldown to \"0\" (or at most 24h, and only against abuse).", "将 progress.rejoinCooldown 设为 \"0\"(或最多 24 小时,且仅用于防滥用)。"),
			check: func(p *fanclub.Policy) []hit {
				c := p.Progress.RejoinCooldown
				if !c.Forever && c.CalendarDays == 0 && c.Exact <= fanclub.Hours(24).Exact {
					return nil
				}
				return []hit{{field: "progress.rejoinCooldown", found: spanText(c),
					message: loc("A fan who leaves cannot rejoin for %s; a cooldown longer than abuse needs punishes changing one's mind.", "退出后%s内不能重新加入;超出防滥用所需的冷却期是在惩罚改变主意的粉丝。", spanTerm(c))}}
			},
		},
		{
			ID: "PROGRESS-DECAY", Dimension: 2, Severity: Medium, Basis: []Basis{art(LawCRPLRegs, "22")}, Jurisdiction: fanclub.JurisdictionCN,
			Title:  loc("Kept progress shrinks while the fan is away", "保留的进度在离开期间衰减"),
			Passes: loc("Every progress option has decay: none.", "所有进度选项的 decay 均为 none。"),
			Fix:    loc("Set decay: none on every progress option; points earned with gifts must stay usable while kept.", "所有进度选项设置 decay: none;用礼物换来的积分在保留期内必须保持可用。"),
			check: func(p *fanclub.Policy) []hit {
				var hs []hit
				for i, o := range p.Progress.Options {
					if o.Decay != fanclub.DecayNone && o.Decay != "" {
						hs = append(hs, hit{field: fmt.Sprintf("progress.options[%d].decay", i), found: string(o.Decay),
							message: loc("Option %q shrinks kept points every day, including points bought with gifts.", "选项 %q 每天扣减保留的积分,包括用礼物换来的积分。", o.Name)})
					}
				}
				return hs
			},
		},
		{
			ID: "PROGRESS-HISTORY-ERASED", Dimension: 2, Severity: Medium, Basis: []Basis{art(LawCRPLRegs, "22")}, Jurisdiction: fanclub.JurisdictionCN,
			Title:  loc("Progress is lost at exit with no way to keep it", "退出即清空进度,无法选择保留"),
			Passes: loc("At least one progress option keeps progress for a while or converts it.", "至少有一个进度选项会保留一段时间或转换进度。"),
			Fix:    loc("Add a progress option the fan can choose that keeps progress for a stated time (e.g. retention: 30d, restore: points).", "增加一个粉丝可选的进度选项,在明确期限内保留进度(例如 retention: 30d, restore: points)。"),
			check: func(p *fanclub.Policy) []hit {
				if len(p.Progress.Options) == 0 || !earnsWithGifts(p) {
					return nil
				}
				for _, o := range p.Progress.Options {
					if !o.Retention.IsZero() || o.ConvertToGeneral > 0 {
						return nil
					}
				}
				return []hit{{field: "progress.options", found: optionNames(p.Progress.Options),
					message: loc("Every option erases level and points at exit, including points bought with gifts; the fan cannot keep them.", "所有选项都在退出时清空等级和积分,包括用礼物换来的积分;粉丝无法保留。")}}
			},
		},
		{
			ID: "PROGRESS-OPTIN", Dimension: 2, Severity: Medium, Basis: []Basis{art(LawPIPL, "47"), art(LawGDPR, "17")},
			Title:  loc("Progress is kept unless the fan objects", "默认保留进度,而非由粉丝选择"),
			Passes: loc("The default progress option keeps nothing (retention 0); keeping is a choice.", "默认进度选项不保留任何数据(retention 为 0);保留需粉丝主动选择。"),
			Fix:    loc("Make progress.default an option with retention \"0\"; offer keeping as an option the fan picks.", "将 progress.default 设为 retention 为 \"0\" 的选项;把保留作为粉丝主动选择的选项。"),
			check: func(p *fanclub.Policy) []hit {
				o, ok := p.Progress.Option("")
				if !ok || o.Retention.IsZero() {
					return nil
				}
				msg := loc("By default progress is kept for %s after exit; keeping data must be the fan's choice.", "默认在退出后保留进度%s;保留数据应由粉丝主动选择。", spanTerm(o.Retention))
				if o.Retention.Forever {
					msg = loc("By default progress is kept for ever after exit; keeping data must be the fan's choice.", "默认在退出后永久保留进度;保留数据应由粉丝主动选择。")
				}
				return []hit{{field: "progress.default", found: p.Progress.Default, message: msg}}
			},
		},
		{
			ID: "PROGRESS-RETENTION-FOREVER", Dimension: 2, Severity: High, Basis: []Basis{art(LawPIPL, "47"), art(LawGDPR, "5(1)(e)"), art(LawGDPR, "17")},
			Title:  loc("Progress is kept for ever", "进度永久保留"),
			Passes: loc("Every progress option has a finite retention.", "所有进度选项的保留期都有限。"),
			Fix:    loc("Replace retention: forever with a stated window (e.g. 30d) after which the progress is erased.", "将 retention: forever 改为明确期限(例如 30d),到期后删除进度。"),
			check: func(p *fanclub.Policy) []hit {
				var hs []hit
				for i, o := range p.Progress.Options {
					if o.Retention.Forever {
						hs = append(hs, hit{field: fmt.Sprintf("progress.options[%d].retention", i), found: spanText(o.Retention),
							message: loc("Option %q keeps the leaver's level and history for ever.", "选项 %q 永久保留退出者的等级和历史。", o.Name)})
					}
				}
				return hs
			},
		},
	}
}

// earnsWithGifts reports whether gifts, which cost money, earn level points.
func earnsWithGifts(p *fanclub.Policy) bool {
	for _, a := range p.Engagement.Actions {
		if a.Action == fanclub.ActionGift && a.Points > 0 {
			return true
		}
	}
	return false
}

// optionNames lists progress option names for a Found value.
func optionNames(os []fanclub.ProgressOption) string {
	names := make([]string, len(os))
	for i, o := range os {
		names[i] = o.Name
	}
	return list(names)
}

package audit_test

import (
	"reflect"
	"slices"
	"sort"
	"testing"

	"fanclub"
	"fanclub/audit"
)

// ruleIDs returns the sorted, distinct rule IDs of findings.
func ruleIDs(fs []audit.Finding) []string {
	var ids []string
	for _, f := range fs {
		if !slices.Contains(ids, f.RuleID) {
			ids = append(ids, f.RuleID)
		}
	}
	sort.Strings(ids)
	return ids
}

// TestPresetFindings pins the exact set of rules each shipped preset
// breaks: a rule that stops firing, or a new one that starts, fails.
func TestPresetFindings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		preset string
		want   []string
	}{
		{"wechat-channels", []string{
			"DATA-WINDOW", "EFFECT-VISIBILITY", "EXIT-ENTRY", "EXIT-PATH-LONGER", "EXIT-PREVIEW", "EXIT-RECEIPT",
			"EXPORT-MISSING", "MINORS-CAPS", "MINORS-GUARDIAN", "MINORS-REFUND-CHANNEL", "MINORS-TIPPING",
			"PAID-CHARGE-NOTICE", "PAID-CONSENT", "PAID-REFUND-ROUNDING", "PAID-REMINDER",
			"PROGRESS-COOLDOWN", "PROGRESS-HISTORY-ERASED", "REVENUE-CLAWBACK", "REVENUE-TASK-PENALTY",
		}},
		{"douyin", []string{
			"DATA-DEVICE-KEPT", "DATA-LOGS-FOREVER", "EFFECT-PENALTY", "EXIT-CHALLENGE", "EXIT-ENTRY", "EXIT-PATH-LONGER",
			"EXIT-PREVIEW", "EXIT-RECEIPT", "EXPORT-MISSING", "MINORS-CAPS", "MINORS-CONSUMPTION-RECORD",
			"MINORS-GUARDIAN", "MINORS-REFUND-CHANNEL", "MINORS-SELF-DECLARED", "MINORS-TIPPING", "MINORS-VERIFY-BEFORE-PAID",
			"PAID-CHARGE-NOTICE", "PAID-CONSENT", "PAID-PARTIAL-REFUND", "PAID-REMINDER", "PAID-RENEW-OUTLIVES",
			"PROGRESS-DECAY", "PROGRESS-OPTIN", "REVENUE-CLAWBACK", "REVENUE-TASK-PENALTY",
		}},
		{"kuaishou", []string{
			"DATA-DEVICE-KEPT", "DATA-INTERACTIONS-KEPT", "EFFECT-PENALTY", "EXIT-CHALLENGE", "EXIT-ENTRY", "EXIT-PATH-LONGER",
			"EXIT-PREVIEW", "EXIT-RECEIPT", "EXPORT-MISSING", "MINORS-CAPS", "MINORS-CONSUMPTION-RECORD",
			"MINORS-GUARDIAN", "MINORS-INHERITED", "MINORS-REFUND-CHANNEL", "MINORS-TIPPING", "MINORS-VERIFY-BEFORE-PAID",
			"PAID-CANCEL-ELSEWHERE", "PAID-CHARGE-NOTICE", "PAID-CONSENT", "PAID-NO-REFUND", "PAID-REMINDER", "PAID-RENEW-OUTLIVES",
			"PROGRESS-OPTIN", "PROGRESS-RETENTION-FOREVER", "REVENUE-CHARGE", "REVENUE-CLAWBACK", "REVENUE-TASK-PENALTY",
		}},
		{"fair", nil},
	}
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			t.Parallel()
			got := ruleIDs(audit.Run(presetPolicy(t, tt.preset)))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("rule ids\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
}

// TestSeedProblems checks, field by field, that every problem the source
// article points out is reported at high severity.
func TestSeedProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		preset, rule, field string
	}{
		{"douyin", "PAID-RENEW-OUTLIVES", "paid.autoRenew.stopsOnExit"},       // 需手动取消
		{"douyin", "PAID-PARTIAL-REFUND", "paid.options[0].refunds[1].ratio"}, // 季度订阅可退50%
		{"douyin", "DATA-DEVICE-KEPT", "data.deviceIds"},                      // 设备信息永久保留
		{"douyin", "EXIT-CHALLENGE", "exit.challenges"},                       // 滑动验证+密码输入
		{"douyin", "EFFECT-PENALTY", "effects[0]"},                            // 限制点赞、评论
		{"kuaishou", "PAID-NO-REFUND", "paid.options"},                        // 年度订阅不退款
		{"kuaishou", "MINORS-INHERITED", "minors.verification"},               // 默认继承家长账号
		{"kuaishou", "EXIT-CHALLENGE", "exit.challenges"},                     // 图文验证码
		{"kuaishou", "REVENUE-TASK-PENALTY", "revenue.taskPenalty"},           // 永久取消资格
		{"kuaishou", "REVENUE-CHARGE", "revenue.tipReturn"},                   // 全额扣除违约金
		{"kuaishou", "EFFECT-PENALTY", "effects[0]"},                          // 降低搜索推荐权重
		{"wechat-channels", "REVENUE-TASK-PENALTY", "revenue.taskPenalty"},    // 团队任务失败扣罚
	}
	for _, tt := range tests {
		t.Run(tt.preset+"/"+tt.rule, func(t *testing.T) {
			t.Parallel()
			for _, f := range audit.Run(presetPolicy(t, tt.preset)) {
				if f.RuleID == tt.rule && f.Field == tt.field {
					if f.Severity != audit.High {
						t.Errorf("severity %s, want high", f.Severity)
					}
					return
				}
			}
			t.Errorf("no %s finding on %s", tt.rule, tt.field)
		})
	}
	// Exit friction (path elsewhere or longer) and the data silo, for all three.
	for _, name := range []string{"wechat-channels", "douyin", "kuaishou"} {
		ids := ruleIDs(audit.Run(presetPolicy(t, name)))
		for _, want := range []string{"EXIT-ENTRY", "EXIT-PATH-LONGER", "EXPORT-MISSING"} {
			if !slices.Contains(ids, want) {
				t.Errorf("%s: missing %s", name, want)
			}
		}
	}
}

// TestRunOrder checks findings come sorted by dimension, rule and field,
// and that two runs agree.
func TestRunOrder(t *testing.T) {
	t.Parallel()
	p := presetPolicy(t, "douyin")
	a, b := audit.Run(p), audit.Run(p)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs differ")
	}
	less := func(x, y audit.Finding) bool {
		if x.Dimension != y.Dimension {
			return x.Dimension < y.Dimension
		}
		if x.RuleID != y.RuleID {
			return x.RuleID < y.RuleID
		}
		return x.Field < y.Field
	}
	for i := 1; i < len(a); i++ {
		if less(a[i], a[i-1]) {
			t.Errorf("finding %d (%s %s) before %d (%s %s)", i-1, a[i-1].RuleID, a[i-1].Field, i, a[i].RuleID, a[i].Field)
		}
	}
}

// TestJurisdiction checks CN-only rules stay silent for other jurisdictions
// while universal rules still apply, and that a finding lists the bases of
// the policy's own jurisdiction first.
func TestJurisdiction(t *testing.T) {
	t.Parallel()
	p := presetPolicy(t, "fair")
	p.Minors.NoTipping = false
	p.Exit.Challenges = []fanclub.Challenge{fanclub.ChallengeCaptcha}
	for _, j := range []fanclub.Jurisdiction{fanclub.JurisdictionEU, fanclub.JurisdictionUS, fanclub.JurisdictionNone} {
		p.Metadata.Jurisdiction = j
		ids := ruleIDs(audit.Run(p))
		if !reflect.DeepEqual(ids, []string{"EXIT-CHALLENGE"}) {
			t.Errorf("%s: got %q, want only EXIT-CHALLENGE", j, ids)
		}
	}
	p.Metadata.Jurisdiction = fanclub.JurisdictionEU
	f := audit.Run(p)[0]
	if got := f.Basis[0].Jurisdiction(); got != fanclub.JurisdictionEU {
		t.Errorf("first basis under EU: %s (%s)", f.Basis[0].Text("en"), got)
	}
	p.Metadata.Jurisdiction = fanclub.JurisdictionCN
	ids := ruleIDs(audit.Run(p))
	if !reflect.DeepEqual(ids, []string{"EXIT-CHALLENGE", "MINORS-TIPPING"}) {
		t.Errorf("CN: got %q", ids)
	}
	if f := audit.Run(p)[0]; f.Basis[0].Text("en") != "PIPL Art. 15" {
		t.Errorf("first basis under CN: %s", f.Basis[0].Text("en"))
	}
}

// TestPaidReminderWindow checks the CN reminder must come 5 days ahead
// while elsewhere any reminder passes.
func TestPaidReminderWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		j        fanclub.Jurisdiction
		reminder fanclub.Span
		fires    bool
	}{
		{fanclub.JurisdictionCN, fanclub.Days(5), false},
		{fanclub.JurisdictionCN, fanclub.CalendarDays(5), false},
		{fanclub.JurisdictionCN, fanclub.Days(4), true},
		{fanclub.JurisdictionCN, fanclub.Span{}, true},
		{fanclub.JurisdictionEU, fanclub.Days(1), false},
		{fanclub.JurisdictionEU, fanclub.Span{}, true},
	}
	for _, tt := range tests {
		p := presetPolicy(t, "fair")
		p.Metadata.Jurisdiction = tt.j
		p.Paid.AutoRenew.ReminderBefore = tt.reminder
		got := slices.Contains(ruleIDs(audit.Run(p)), "PAID-REMINDER")
		if got != tt.fires {
			t.Errorf("%s reminder %s: fires=%v, want %v", tt.j, tt.reminder, got, tt.fires)
		}
	}
}

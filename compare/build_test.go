package compare

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"fanclub"
)

// TestBuildRejects checks the invalid inputs of Build and Render.
func TestBuildRejects(t *testing.T) {
	t.Parallel()
	ps := presetPolicies(t, "fair")
	for _, tc := range []struct {
		name     string
		policies []*fanclub.Policy
		lang     string
		allowed  string
	}{
		{"unknown language", ps, "fr", "zh, en"},
		{"empty language", ps, "", "zh, en"},
		{"no policies", nil, "zh", ""},
		{"nil policy", []*fanclub.Policy{nil}, "en", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Build(tc.policies, tc.lang)
			if c != nil || fanclub.ErrorCode(err) != fanclub.EINVALID {
				t.Fatalf("Build = %v, %v; want nil and an invalid error", c, err)
			}
			if tc.allowed != "" {
				fs := fanclub.ErrorFields(err)
				if len(fs) != 1 || fs[0].Allowed != tc.allowed {
					t.Errorf("fields = %+v, want allowed %q", fs, tc.allowed)
				}
			}
		})
	}
	t.Run("unknown format", func(t *testing.T) {
		t.Parallel()
		err := Render(&bytes.Buffer{}, buildComparison(t, ps, "zh"), "pdf")
		if fanclub.ErrorCode(err) != fanclub.EINVALID {
			t.Fatalf("Render(pdf) = %v, want an invalid error", err)
		}
	})
	t.Run("unknown value", func(t *testing.T) {
		t.Parallel()
		p := presetPolicy(t, "fair")
		p.Data.DeviceIDs = "sold"
		_, err := Build([]*fanclub.Policy{p}, "en")
		fs := fanclub.ErrorFields(err)
		if fanclub.ErrorCode(err) != fanclub.EINVALID || len(fs) != 1 || fs[0].Found != "sold" {
			t.Fatalf("Build = %v, want an invalid error on data.deviceIds", err)
		}
	})
}

// TestCellsFollowValues checks that changed policy values render changed,
// truthful texts, with the numbers interpolated.
func TestCellsFollowValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		base   string
		change func(p *fanclub.Policy)
		dim    int
		column string
		zh, en string
	}{
		{"claimed time", "wechat-channels", func(p *fanclub.Policy) { p.Exit.ClaimedTime = fanclub.Span{Exact: 20 * time.Second} },
			1, "操作耗时", "约20秒", "~20 s"},
		{"no challenge", "wechat-channels", func(p *fanclub.Policy) { p.Exit.Challenges = nil },
			1, "确认方式", "无需确认", "No confirmation"},
		{"cooldown", "wechat-channels", func(p *fanclub.Policy) { p.Progress.RejoinCooldown = fanclub.Hours(48) },
			2, "重启规则", "48小时冷却期", "Cooldown of 48 hours"},
		{"long cooldown", "wechat-channels", func(p *fanclub.Policy) { p.Progress.RejoinCooldown = fanclub.Days(30) },
			2, "重启规则", "30天冷却期", "Cooldown of 30 days"},
		{"retention", "douyin", func(p *fanclub.Policy) { p.Progress.Options[0].Retention = fanclub.Days(14) },
			2, "等级保留", "保留14天", "Kept 14 days"},
		{"partial conversion", "kuaishou", func(p *fanclub.Policy) { p.Progress.Options[0].ConvertToGeneral = 0.5 },
			2, "贡献值处理", "50%转化为普通积分", "50% converted to general points"},
		{"quarterly ratio", "douyin", func(p *fanclub.Policy) { p.Paid.Options[0].Refunds[1].Ratio = 0.3 },
			3, "退款政策", "季度订阅可退30%", "Quarterly plans: 30% of the unused part refunded"},
		{"benefits delay", "wechat-channels", func(p *fanclub.Policy) { p.Paid.Options[0].BenefitsAfter = fanclub.Hours(48) },
			3, "权益截止", "48小时内失效", "End within 48 hours"},
		{"monthly only no refund", "kuaishou", func(p *fanclub.Policy) { p.Paid.Plans = []fanclub.Plan{fanclub.PlanMonthly} },
			3, "退款政策", "月度订阅不退款", "No refund, not even on monthly plans"},
		{"restriction", "douyin", func(p *fanclub.Policy) {
			p.Effects[0].Duration = fanclub.Hours(12)
			p.Effects[0].Actions = []fanclub.Action{fanclub.ActionShare}
		}, 4, "影响", "退出后12小时内限制分享等互动功能", "Shares and other interactions restricted for 12 hours after the exit"},
		{"weight days", "kuaishou", func(p *fanclub.Policy) { p.Effects[0].Duration = fanclub.CalendarDays(5) },
			4, "影响", "降低搜索推荐权重,持续5个自然日", "Search and recommendation weight lowered to ×0.5 for 5 calendar days"},
		{"member count, follow kept", "wechat-channels", func(p *fanclub.Policy) { p.Data.Follow = fanclub.FollowKeep },
			4, "影响", "退出后,创作者主页不再显示粉丝团成员数量", "After the exit, the creator's page no longer shows the fan club's member count"},
		{"log retention", "wechat-channels", func(p *fanclub.Policy) { p.Data.BehaviourLogRetention = fanclub.Days(90) },
			5, "行为日志", "保留90天", "Kept 90 days, then purged"},
		{"log buffer", "kuaishou", func(p *fanclub.Policy) { p.Data.BehaviourLogRetention = fanclub.Days(7) },
			5, "行为日志", "7天缓冲期", "Purged after a buffer of 7 days"},
		{"full tip return", "douyin", func(p *fanclub.Policy) { p.Revenue.TipReturnRatio = 1 },
			6, "打赏返还", "全额返还", "Unsettled gifts returned in full"},
		{"remote exit added", "kuaishou", func(p *fanclub.Policy) { p.Minors.Guardian.RemoteExit = true },
			7, "监护人介入", "支持远程注销,禁止单方面解绑", "Remote exit by the guardian; link cannot be removed by one side"},
		{"export", "douyin", func(p *fanclub.Policy) { p.Portability.Export = []fanclub.ExportFormat{fanclub.ExportCSV} },
			8, "数据导出", "支持导出:CSV", "Export: CSV"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := presetPolicy(t, tc.base)
			tc.change(p)
			zh := buildComparison(t, []*fanclub.Policy{p}, "zh")
			if got := cellAt(t, zh, tc.dim, tc.base, tc.column); got != tc.zh {
				t.Errorf("zh = %q, want %q", got, tc.zh)
			}
			en := buildComparison(t, []*fanclub.Policy{p}, "en")
			col := slicesIndex(zh.Dimensions[tc.dim-1].Columns, tc.column)
			if got := en.Dimensions[tc.dim-1].Rows[0].Cells[col]; got != tc.en {
				t.Errorf("en = %q, want %q", got, tc.en)
			}
		})
	}
}

// slicesIndex returns the index of s in list, or -1.
func slicesIndex(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// TestRenderEscapes checks that outside text cannot break the HTML page or
// a Markdown table, and that JSON keeps the structured values.
func TestRenderEscapes(t *testing.T) {
	t.Parallel()
	p := presetPolicy(t, "fair")
	p.Metadata.DisplayName = fanclub.Localized{ZH: "<script>x|y</script>", EN: "<script>x|y</script>"}
	c := buildComparison(t, []*fanclub.Policy{p}, "en")
	var html, md, js bytes.Buffer
	for format, buf := range map[string]*bytes.Buffer{"html": &html, "md": &md, "json": &js} {
		if err := Render(buf, c, format); err != nil {
			t.Fatalf("Render(%s): %v", format, err)
		}
	}
	if strings.Contains(html.String(), "<script>") || !strings.Contains(html.String(), "&lt;script&gt;") {
		t.Errorf("html does not escape the display name")
	}
	if !strings.Contains(md.String(), `x\|y`) {
		t.Errorf("markdown does not escape the pipe")
	}
	var back Comparison
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("json does not decode: %v", err)
	}
	if back.Dimensions[0].Rows[0].Values["estimate"] == nil || back.Policies[0].Name != "fair" {
		t.Errorf("json lost the structured values: %+v", back.Dimensions[0].Rows[0].Values)
	}
}

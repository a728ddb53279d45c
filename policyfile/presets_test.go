package policyfile_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"fanclub"
	"fanclub/policyfile"
)

// specPresetNames are the four shipped presets, in the order docs/presets.md
// lists them.
var specPresetNames = []string{"wechat-channels", "douyin", "kuaishou", "fair"}

// loadSpecPreset returns the named preset from a fresh registry of the
// embedded presets, and checks that it equals the file on disk parsed alone.
func loadSpecPreset(t *testing.T, name string) *fanclub.Policy {
	t.Helper()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatalf("preset %s: NewRegistry: %v", name, err)
	}
	p, err := reg.Policy(name)
	if err != nil {
		t.Fatalf("preset %s: registry: %v", name, err)
	}
	file := filepath.Join("presets", name+".yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("preset %s: read: %v", name, err)
	}
	onDisk, err := policyfile.Parse(file, data)
	if err != nil {
		t.Fatalf("preset %s: parse %s: %v", name, file, err)
	}
	if !reflect.DeepEqual(p, onDisk) {
		t.Fatalf("preset %s: registry policy differs from %s", name, file)
	}
	return p
}

// assertSpecDimension compares one dimension of a preset with what
// docs/presets.md says the cell means, reporting every differing field by its path.
func assertSpecDimension(t *testing.T, preset, dimension string, got, want any) {
	t.Helper()
	for _, d := range diffSpecFields("", reflect.ValueOf(got), reflect.ValueOf(want)) {
		t.Errorf("preset %s, %s: %s", preset, dimension, d)
	}
}

// diffSpecFields lists the fields where got and want differ, by path.
func diffSpecFields(path string, got, want reflect.Value) []string {
	if got.Type() != want.Type() {
		return []string{fmt.Sprintf("%s: type %s, want %s", path, got.Type(), want.Type())}
	}
	if got.Type() == reflect.TypeOf(fanclub.Span{}) {
		if !reflect.DeepEqual(got.Interface(), want.Interface()) {
			return []string{fmt.Sprintf("%s: got %v, want %v", path, got.Interface(), want.Interface())}
		}
		return nil
	}
	switch got.Kind() {
	case reflect.Pointer:
		if got.IsNil() || want.IsNil() {
			if got.IsNil() != want.IsNil() {
				return []string{fmt.Sprintf("%s: got nil=%v, want nil=%v", path, got.IsNil(), want.IsNil())}
			}
			return nil
		}
		return diffSpecFields(path, got.Elem(), want.Elem())
	case reflect.Struct:
		var out []string
		for i := range got.NumField() {
			name := got.Type().Field(i).Name
			p := name
			if path != "" {
				p = path + "." + name
			}
			out = append(out, diffSpecFields(p, got.Field(i), want.Field(i))...)
		}
		return out
	case reflect.Slice:
		if got.Len() != want.Len() {
			return []string{fmt.Sprintf("%s: got %d items %v, want %d items %v", path, got.Len(), got.Interface(), want.Len(), want.Interface())}
		}
		var out []string
		for i := range got.Len() {
			out = append(out, diffSpecFields(fmt.Sprintf("%s[%d]", path, i), got.Index(i), want.Index(i))...)
		}
		return out
	default:
		if !reflect.DeepEqual(got.Interface(), want.Interface()) {
			return []string{fmt.Sprintf("%s: got %v, want %v", path, got.Interface(), want.Interface())}
		}
		return nil
	}
}

// specExact returns an exact span.
func specExact(d time.Duration) fanclub.Span { return fanclub.Span{Exact: d} }

// specText returns a Localized text.
func specText(zh, en string) fanclub.Localized { return fanclub.Localized{ZH: zh, EN: en} }

// specEngagement is the engagement table of docs/presets.md: one table for
// all presets.
func specEngagement() fanclub.Engagement {
	return fanclub.Engagement{
		Actions: []fanclub.ActionRule{
			{Action: fanclub.ActionWatchMinutes, Points: 1, DailyCap: 60},
			{Action: fanclub.ActionLike, Points: 1, DailyCap: 30},
			{Action: fanclub.ActionComment, Points: 5, DailyCap: 50},
			{Action: fanclub.ActionShare, Points: 10, DailyCap: 50},
			{Action: fanclub.ActionGift, Points: 10, DailyCap: 0},
		},
		Levels: []int64{0, 100, 300, 600, 1000, 1500, 2200, 3000, 4000, 5500,
			7500, 10000, 13000, 17000, 22000, 28000, 36000, 46000, 60000, 80000},
		LitWindow:       fanclub.Days(7),
		TierMultipliers: []fanclub.TierMultiplier{{Tier: "vip", Multiplier: 1}},
	}
}

func TestPresetHeaderAndMetadata(t *testing.T) {
	t.Parallel()
	display := map[string]fanclub.Localized{
		"wechat-channels": specText("微信视频号", "WeChat Channels"),
		"douyin":          specText("抖音", "Douyin"),
		"kuaishou":        specText("快手", "Kuaishou"),
		"fair":            specText("公平退出", "Fair exit"),
	}
	for _, name := range specPresetNames {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := loadSpecPreset(t, name)
			if p.APIVersion != fanclub.PolicyAPIVersion || p.Kind != fanclub.PolicyKind {
				t.Errorf("preset %s: header %s/%s, want %s/%s", name, p.APIVersion, p.Kind, fanclub.PolicyAPIVersion, fanclub.PolicyKind)
			}
			m := p.Metadata
			assertSpecDimension(t, name, "metadata", m.DisplayName, display[name])
			if m.Name != name {
				t.Errorf("preset %s, metadata: Name %q", name, m.Name)
			}
			if m.TimeZone != "Asia/Shanghai" || m.Jurisdiction != fanclub.JurisdictionCN {
				t.Errorf("preset %s, metadata: TimeZone %q Jurisdiction %q, want Asia/Shanghai CN", name, m.TimeZone, m.Jurisdiction)
			}
			if m.Version == "" || m.Provenance == "" {
				t.Errorf("preset %s, metadata: Version %q Provenance %q, want both set", name, m.Version, m.Provenance)
			}
			if _, err := time.LoadLocation(m.TimeZone); err != nil {
				t.Errorf("preset %s, metadata: TimeZone: %v", name, err)
			}
		})
	}
}

func TestPresetEngagementIsSharedSpecTable(t *testing.T) {
	t.Parallel()
	first := loadSpecPreset(t, specPresetNames[0]).Engagement
	for _, name := range specPresetNames {
		got := loadSpecPreset(t, name).Engagement
		assertSpecDimension(t, name, "engagement (shared table)", got, specEngagement())
		assertSpecDimension(t, name, "engagement (same as "+specPresetNames[0]+")", got, first)
	}
}

func TestPresetJoin(t *testing.T) {
	t.Parallel()
	seedJoin := fanclub.JoinRule{
		Entry:     fanclub.SurfaceCreatorPage,
		Path:      []fanclub.Localized{specText("创作者主页", "Creator's page"), specText("加入粉丝团", "Join fan club")},
		CostCoins: 0,
	}
	want := map[string]fanclub.JoinRule{
		"wechat-channels": seedJoin,
		"douyin":          seedJoin,
		"kuaishou":        seedJoin,
		"fair": {
			Entry:     fanclub.SurfaceClubPage,
			Path:      []fanclub.Localized{specText("粉丝团页面", "Fan club page"), specText("加入", "Join")},
			CostCoins: 0,
		},
	}
	for _, name := range specPresetNames {
		assertSpecDimension(t, name, "join", loadSpecPreset(t, name).Join, want[name])
	}
}

func TestPresetDimension1Exit(t *testing.T) {
	t.Parallel()
	want := map[string]fanclub.ExitRule{
		"wechat-channels": {
			Entry:        fanclub.SurfaceProfile,
			Path:         []fanclub.Localized{specText("个人主页", "Profile"), specText("粉丝团标识", "Fan club badge"), specText("退出按钮", "Exit button")},
			Challenges:   []fanclub.Challenge{fanclub.ChallengeConfirm},
			ClaimedTime:  specExact(30 * time.Second),
			ChallengeTTL: specExact(5 * time.Minute),
			MaxAttempts:  3,
		},
		"douyin": {
			Entry:           fanclub.SurfaceProfile,
			Path:            []fanclub.Localized{specText("主页右上角", "Top right of the profile"), specText("粉丝团", "Fan club"), specText("退出选项", "Exit option")},
			Challenges:      []fanclub.Challenge{fanclub.ChallengeSlider, fanclub.ChallengePassword},
			ClaimedTime:     specExact(45 * time.Second),
			ChallengeTTL:    specExact(5 * time.Minute),
			MaxAttempts:     3,
			SliderTolerance: 6,
		},
		"kuaishou": {
			Entry:        fanclub.SurfaceSettings,
			Path:         []fanclub.Localized{specText("设置", "Settings"), specText("账号管理", "Account management"), specText("粉丝团解除", "Leave fan club")},
			Challenges:   []fanclub.Challenge{fanclub.ChallengeCaptcha},
			ClaimedTime:  specExact(60 * time.Second),
			ChallengeTTL: specExact(5 * time.Minute),
			MaxAttempts:  3,
		},
		"fair": {
			Entry:        fanclub.SurfaceClubPage,
			Path:         []fanclub.Localized{specText("粉丝团页面", "Fan club page"), specText("退出", "Exit")},
			Challenges:   []fanclub.Challenge{fanclub.ChallengeConfirm},
			ShowsImpact:  true,
			Receipt:      true,
			ChallengeTTL: specExact(5 * time.Minute),
			MaxAttempts:  3,
		},
	}
	for _, name := range specPresetNames {
		assertSpecDimension(t, name, "dimension 1 (exit)", loadSpecPreset(t, name).Exit, want[name])
	}
}

func TestPresetFairExitMirrorsJoin(t *testing.T) {
	t.Parallel()
	p := loadSpecPreset(t, "fair")
	if p.Exit.Entry != p.Join.Entry {
		t.Errorf("preset fair, dimension 1: exit entry %s, join entry %s: want the same page", p.Exit.Entry, p.Join.Entry)
	}
	if len(p.Exit.Path) > len(p.Join.Path) {
		t.Errorf("preset fair, dimension 1: exit takes %d steps, join %d: want no more", len(p.Exit.Path), len(p.Join.Path))
	}
	if len(p.Exit.Challenges) > len(p.Join.Challenges)+1 {
		t.Errorf("preset fair, dimension 1: exit challenges %v, want one neutral confirmation", p.Exit.Challenges)
	}
}

func TestPresetDimension2Progress(t *testing.T) {
	t.Parallel()
	want := map[string]fanclub.ProgressRule{
		"wechat-channels": {
			Default: "erase",
			Options: []fanclub.ProgressOption{{
				Name:          "erase",
				Label:         specText("等级立即清零并清除历史数据", "Level reset to zero and history deleted at once"),
				Decay:         fanclub.DecayNone,
				Restore:       fanclub.RestoreNone,
				DeleteHistory: true,
			}},
			RejoinCooldown: fanclub.Hours(72),
		},
		"douyin": {
			Default: "retain",
			Options: []fanclub.ProgressOption{{
				Name:      "retain",
				Label:     specText("保留7天，按日衰减", "Kept 7 days, decaying daily"),
				Retention: fanclub.Days(7),
				Decay:     fanclub.DecayLinearDaily,
				Restore:   fanclub.RestorePoints,
			}},
		},
		"kuaishou": {
			Default: "convert",
			Options: []fanclub.ProgressOption{{
				Name:             "convert",
				Label:            specText("等级永久保留，贡献值转化为普通积分", "Level kept for ever; level points converted to general points"),
				Retention:        fanclub.Forever(),
				Decay:            fanclub.DecayNone,
				ConvertToGeneral: 1,
				Restore:          fanclub.RestoreLevelThreshold,
			}},
		},
		"fair": {
			Default: "erase",
			Options: []fanclub.ProgressOption{
				{
					Name:          "erase",
					Label:         specText("立即删除我的进度", "Delete my progress now"),
					Decay:         fanclub.DecayNone,
					Restore:       fanclub.RestoreNone,
					DeleteHistory: true,
				},
				{
					Name:      "keep",
					Label:     specText("保留我的进度30天", "Keep my progress for 30 days"),
					Retention: fanclub.Days(30),
					Decay:     fanclub.DecayNone,
					Restore:   fanclub.RestorePoints,
				},
			},
		},
	}
	for _, name := range specPresetNames {
		got := loadSpecPreset(t, name).Progress
		assertSpecDimension(t, name, "dimension 2 (progress)", got, want[name])
		if _, ok := got.Option(""); !ok {
			t.Errorf("preset %s, dimension 2 (progress): default option %q is not among the options", name, got.Default)
		}
	}
}

func TestDiffSpecFieldsNamesTheDriftingField(t *testing.T) {
	t.Parallel()
	want := specEngagement()
	got := specEngagement()
	got.Actions[2].DailyCap = 55
	got.Levels = got.Levels[:3]
	diffs := diffSpecFields("", reflect.ValueOf(got), reflect.ValueOf(want))
	if len(diffs) != 2 {
		t.Fatalf("diffSpecFields found %d differences, want 2: %v", len(diffs), diffs)
	}
	if diffs[0] != "Actions[2].DailyCap: got 55, want 50" {
		t.Errorf("diffSpecFields()[0] = %q", diffs[0])
	}
	if want := "Levels: got 3 items"; len(diffs[1]) < len(want) || diffs[1][:len(want)] != want {
		t.Errorf("diffSpecFields()[1] = %q, want prefix %q", diffs[1], want)
	}
}

func TestRegistryHoldsExactlyTheFourPresets(t *testing.T) {
	t.Parallel()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatalf("NewRegistry: %v", err)
	}
	if got := reg.Names(); !reflect.DeepEqual(got, specPresetNames) {
		t.Errorf("registry names = %v, want %v", got, specPresetNames)
	}
	for _, name := range specPresetNames {
		p, err := reg.Policy(name)
		if err != nil {
			t.Fatalf("preset %s: %v", name, err)
		}
		if fields := p.Validate(); len(fields) > 0 {
			t.Errorf("preset %s: invalid: %v", name, fields)
		}
	}
}

// seedWords are the source article's table cells for each platform,
// dimensions 1–7.
var seedWords = map[string][]string{
	"wechat-channels": {
		"个人主页→粉丝团标识→退出按钮", "二次弹窗确认", "约30秒",
		"立即清零", "同步清除历史数据", "72小时冷却期",
		"退出即关闭", "按月折算退款", "24小时内失效",
		"创作者主页不再显示粉丝团成员数量",
		"保留180天", "清除设备标识", "解除关注绑定",
		"按周结算扣除", "不返还已兑换权益", "团队任务失败扣罚",
		"强制绑定银行卡", "自动触发人脸核验", "支持远程注销",
	},
	"douyin": {
		"主页右上角→粉丝团→退出选项", "滑动验证+密码输入", "约45秒",
		"保留7天", "按日衰减扣除", "即时重置",
		"需手动取消", "季度订阅可退50%", "周期结束终止",
		"退出后24小时内限制点赞、评论等互动功能",
		"永久存储", "保留IMEI信息", "维持单向关注",
		"即时冻结未发放收益", "按比例折算返还", "阶梯式惩罚机制",
		"允许虚拟身份注册", "需主动申报退款", "需公证材料证明",
	},
	"kuaishou": {
		"设置→账号管理→粉丝团解除", "图文验证码", "约60秒",
		"永久保留", "转化为普通积分", "无限制重入",
		"关联支付协议", "年度订阅不退款", "立即终止",
		"降低搜索推荐权重,持续3个自然日",
		"30天缓冲期", "更新设备指纹", "保留互动记录",
		"标记异常账户审查", "全额扣除违约金", "永久取消资格",
		"默认继承家长账号", "无独立消费记录", "禁止单方面解绑",
	},
}

func TestPresetFilesQuoteTheSeed(t *testing.T) {
	t.Parallel()
	for name, words := range seedWords {
		data, err := os.ReadFile(filepath.Join("presets", name+".yaml"))
		if err != nil {
			t.Fatalf("preset %s: %v", name, err)
		}
		for _, w := range words {
			if !strings.Contains(string(data), w) {
				t.Errorf("preset %s: file does not quote the article's %q", name, w)
			}
		}
	}
}

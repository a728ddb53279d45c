package compare

import (
	"strings"
	"testing"
)

// seedTables holds every cell of the source article's tables, by dimension,
// preset and column, exactly as the article writes it.
var seedTables = []struct {
	dim     int
	title   string
	columns []string
	rows    map[string][]string
}{
	{1, "一、基础退出路径与操作流程", []string{"平台", "退出路径", "确认方式", "操作耗时"}, map[string][]string{
		"wechat-channels": {"微信视频号", "个人主页→粉丝团标识→退出按钮", "二次弹窗确认", "约30秒"},
		"douyin":          {"抖音", "主页右上角→粉丝团→退出选项", "滑动验证+密码输入", "约45秒"},
		"kuaishou":        {"快手", "设置→账号管理→粉丝团解除", "图文验证码", "约60秒"},
	}},
	{2, "二、粉丝等级与贡献值处理规则", []string{"平台", "等级保留", "贡献值处理", "重启规则"}, map[string][]string{
		"wechat-channels": {"微信视频号", "立即清零", "同步清除历史数据", "72小时冷却期"},
		"douyin":          {"抖音", "保留7天", "按日衰减扣除", "即时重置"},
		"kuaishou":        {"快手", "永久保留", "转化为普通积分", "无限制重入"},
	}},
	{3, "三、付费会员权益终止条款", []string{"平台", "自动续费", "退款政策", "权益截止"}, map[string][]string{
		"wechat-channels": {"微信视频号", "退出即关闭", "按月折算退款", "24小时内失效"},
		"douyin":          {"抖音", "需手动取消", "季度订阅可退50%", "周期结束终止"},
		"kuaishou":        {"快手", "关联支付协议", "年度订阅不退款", "立即终止"},
	}},
	{4, "四、账号权重关联影响", []string{"平台", "影响"}, map[string][]string{
		"wechat-channels": {"微信视频号", "取消关注后,创作者主页不再显示粉丝团成员数量"},
		"douyin":          {"抖音", "退出后24小时内限制点赞、评论等互动功能"},
		"kuaishou":        {"快手", "降低搜索推荐权重,持续3个自然日"},
	}},
	{5, "五、隐私数据清除范围", []string{"平台", "行为日志", "设备信息", "社交关系"}, map[string][]string{
		"wechat-channels": {"微信视频号", "保留180天", "清除设备标识", "解除关注绑定"},
		"douyin":          {"抖音", "永久存储", "保留IMEI信息", "维持单向关注"},
		"kuaishou":        {"快手", "30天缓冲期", "更新设备指纹", "保留互动记录"},
	}},
	{6, "六、创作者收益分成影响", []string{"平台", "礼物分成", "打赏返还", "任务奖励"}, map[string][]string{
		"wechat-channels": {"微信视频号", "按周结算扣除", "不返还已兑换权益", "团队任务失败扣罚"},
		"douyin":          {"抖音", "即时冻结未发放收益", "按比例折算返还", "阶梯式惩罚机制"},
		"kuaishou":        {"快手", "标记异常账户审查", "全额扣除违约金", "永久取消资格"},
	}},
	{7, "七、未成年人特殊退出政策", []string{"平台", "实名认证", "消费审计", "监护人介入"}, map[string][]string{
		"wechat-channels": {"微信视频号", "强制绑定银行卡", "自动触发人脸核验", "支持远程注销"},
		"douyin":          {"抖音", "允许虚拟身份注册", "需主动申报退款", "需公证材料证明"},
		"kuaishou":        {"快手", "默认继承家长账号", "无独立消费记录", "禁止单方面解绑"},
	}},
	{8, "八、跨平台数据迁移", []string{"平台", "数据导出"}, map[string][]string{
		"wechat-channels": {"微信视频号", "不支持导出(数据孤岛)"},
		"douyin":          {"抖音", "不支持导出(数据孤岛)"},
		"kuaishou":        {"快手", "不支持导出(数据孤岛)"},
	}},
}

// TestSeedCells checks that the three platform presets, compared in
// Chinese, reproduce every cell of the source article's tables in exactly
// its row and column, under the article's section titles and headers.
func TestSeedCells(t *testing.T) {
	t.Parallel()
	c := buildComparison(t, presetPolicies(t, defaultPresets...), "zh")
	if len(c.Dimensions) != len(seedTables) {
		t.Fatalf("got %d dimensions, want %d", len(c.Dimensions), len(seedTables))
	}
	for _, want := range seedTables {
		tab := c.Dimensions[want.dim-1]
		if tab.Title != want.title {
			t.Errorf("dimension %d title = %q, want %q", want.dim, tab.Title, want.title)
		}
		if got := strings.Join(tab.Columns[:len(want.columns)], "|"); got != strings.Join(want.columns, "|") {
			t.Errorf("dimension %d columns = %q, want prefix %q", want.dim, tab.Columns, want.columns)
		}
		for preset, cells := range want.rows {
			for i, cell := range cells {
				if got := cellAt(t, c, want.dim, preset, want.columns[i]); got != cell {
					t.Errorf("dimension %d, %s, %s = %q, want %q", want.dim, preset, want.columns[i], got, cell)
				}
			}
		}
	}
}

// TestSeedCellsOnlyInTheirRow checks that no seed cell text of one
// platform preset appears in another platform's row of the same column, so
// each reads as the article's cell for that platform alone. (fair may share
// a text with a platform where its rule is the same.)
func TestSeedCellsOnlyInTheirRow(t *testing.T) {
	t.Parallel()
	c := buildComparison(t, presetPolicies(t, defaultPresets...), "zh")
	for _, want := range seedTables {
		if want.dim == 8 {
			continue // the article gives all three platforms the same data silo
		}
		for preset, cells := range want.rows {
			for i := 1; i < len(cells); i++ {
				for other := range want.rows {
					if other == preset {
						continue
					}
					if got := cellAt(t, c, want.dim, other, want.columns[i]); got == cells[i] {
						t.Errorf("dimension %d, %s: %s shows %s's cell %q", want.dim, want.columns[i], other, preset, got)
					}
				}
			}
		}
	}
}

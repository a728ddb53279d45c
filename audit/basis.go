package audit

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fanclub"
)

// Law identifiers used in Basis.Law. Each names a source listed in the
// project's docs/regulations.md.
const (
	LawPIPL       = "PIPL"         // 个人信息保护法
	LawMinors     = "MPL"          // 未成年人保护法
	LawMinorsRegs = "MINORS-REGS"  // 未成年人网络保护条例 (2024)
	LawTipping    = "TIPPING-2022" // 关于规范网络直播打赏 加强未成年人保护的意见
	LawSPC        = "SPC-II-2020"  // SPC Guidance (II) 2020 on minors' online spending
	LawOTSM       = "OTSM-2021"    // 网络交易监督管理办法 (article unconfirmed)
	LawMIIT       = "MIIT-2023"    // 工信部信管函〔2023〕26号
	LawCRPLRegs   = "CRPL-REGS"    // 消费者权益保护法实施条例 (2024)
	LawECL        = "ECL"          // 电子商务法
	LawCSL        = "CSL"          // 网络安全法
	LawGDPR       = "GDPR"         // EU General Data Protection Regulation
	LawDSA        = "DSA"          // EU Digital Services Act
	LawCRD        = "CRD"          // EU Consumer Rights Directive
	LawBGB        = "BGB"          // German Civil Code
	LawCAARL      = "CA-ARL"       // California Automatic Renewal Law, AB 2863
	LawFTC        = "FTC-CANCEL"   // FTC click-to-cancel rule (vacated)
	LawCOPPA      = "COPPA"        // US Children's Online Privacy Protection Act
)

// Basis is one legal source behind a rule.
type Basis struct {
	// Law is one of the Law* identifiers.
	Law string `json:"law"`
	// Article is the article or section, e.g. "47", "5(1)(e)", "312k";
	// empty when the source is cited as a whole.
	Article string `json:"article,omitempty"`
	// Confirmed is false when the article number is not confirmed: the
	// rendered text then says "see" and quotes no article.
	Confirmed bool `json:"confirmed"`
}

// law describes a legal source for rendering.
type law struct {
	jurisdiction fanclub.Jurisdiction
	// en and zh are the source's names; a CN source's zh name is rendered
	// in title marks 《》.
	en, zh string
	// section is true for sources numbered by § rather than articles.
	section bool
	// note is appended to the rendered name, e.g. that a rule was vacated.
	note fanclub.Localized
}

// laws are the sources of docs/regulations.md.
var laws = map[string]law{
	LawPIPL:       {jurisdiction: fanclub.JurisdictionCN, en: "PIPL", zh: "个人信息保护法"},
	LawMinors:     {jurisdiction: fanclub.JurisdictionCN, en: "Minors Protection Law", zh: "未成年人保护法"},
	LawMinorsRegs: {jurisdiction: fanclub.JurisdictionCN, en: "Regulations on the Online Protection of Minors (2024)", zh: "未成年人网络保护条例"},
	LawTipping:    {jurisdiction: fanclub.JurisdictionCN, en: "2022 opinions on live-stream tipping", zh: "关于规范网络直播打赏 加强未成年人保护的意见"},
	LawSPC:        {jurisdiction: fanclub.JurisdictionCN, en: "SPC Guidance (II) 2020", zh: "最高人民法院指导意见(二)(2020)"},
	LawOTSM:       {jurisdiction: fanclub.JurisdictionCN, en: "Online Trading Supervision Measures (2021)", zh: "网络交易监督管理办法"},
	LawMIIT:       {jurisdiction: fanclub.JurisdictionCN, en: "MIIT notice 2023 (工信部信管函〔2023〕26号)", zh: "工信部信管函〔2023〕26号"},
	LawCRPLRegs:   {jurisdiction: fanclub.JurisdictionCN, en: "CN Consumer Rights implementing regs", zh: "消费者权益保护法实施条例"},
	LawECL:        {jurisdiction: fanclub.JurisdictionCN, en: "E-Commerce Law", zh: "电子商务法"},
	LawCSL:        {jurisdiction: fanclub.JurisdictionCN, en: "Cybersecurity Law", zh: "网络安全法"},
	LawGDPR:       {jurisdiction: fanclub.JurisdictionEU, en: "GDPR", zh: "GDPR"},
	LawDSA:        {jurisdiction: fanclub.JurisdictionEU, en: "DSA", zh: "数字服务法(DSA)"},
	LawCRD:        {jurisdiction: fanclub.JurisdictionEU, en: "Consumer Rights Directive", zh: "消费者权利指令"},
	LawBGB:        {jurisdiction: fanclub.JurisdictionEU, en: "BGB", zh: "德国民法典(BGB)", section: true},
	LawCAARL:      {jurisdiction: fanclub.JurisdictionUS, en: "California Automatic Renewal Law (AB 2863)", zh: "加州自动续费法(AB 2863)"},
	LawFTC:        {jurisdiction: fanclub.JurisdictionUS, en: "FTC click-to-cancel rule (2024)", zh: "美国联邦贸易委员会“一键取消”规则(2024)", note: fanclub.Localized{EN: ", vacated guidance", ZH: ",已被撤销,仅作参考"}},
	LawCOPPA:      {jurisdiction: fanclub.JurisdictionUS, en: "COPPA", zh: "儿童在线隐私保护法(COPPA)"},
}

// Jurisdiction returns the body of law the basis belongs to.
func (b Basis) Jurisdiction() fanclub.Jurisdiction { return laws[b.Law].jurisdiction }

// Text renders the basis in a language: "PIPL Art. 47" or
// "《个人信息保护法》第四十七条"; an unconfirmed basis renders as "see …" or
// "参见…" without an article number.
func (b Basis) Text(lang string) string {
	l, ok := laws[b.Law]
	if !ok {
		return b.Law
	}
	zh := isZH(lang)
	name := l.en
	if zh {
		name = "《" + l.zh + "》"
	}
	if !b.Confirmed {
		if zh {
			if b.Law == LawOTSM {
				return "参见" + name + "(2021)"
			}
			return "参见" + name
		}
		return "see " + name
	}
	var s string
	switch {
	case b.Article == "":
		s = name
	case zh && l.jurisdiction == fanclub.JurisdictionCN:
		s = name + chineseArticle(b.Article)
	case zh && l.section:
		s = name + "第" + b.Article + "条"
	case zh:
		s = name + "第" + b.Article + "条"
	case l.section:
		s = name + " §" + b.Article
	default:
		s = name + " Art. " + b.Article
	}
	return s + l.note.In(lang)
}

// chineseArticle renders an article number as 第…条 with Chinese numerals
// when it is a plain number, e.g. "47" → "第四十七条".
func chineseArticle(article string) string {
	n, err := strconv.Atoi(article)
	if err != nil || n <= 0 || n >= 1000 {
		return "第" + article + "条"
	}
	return "第" + chineseNumber(n) + "条"
}

// chineseNumber writes 1..999 in Chinese numerals.
func chineseNumber(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	var b strings.Builder
	h, t, u := n/100, n/10%10, n%10
	if h > 0 {
		b.WriteString(digits[h] + "百")
		if t == 0 && u != 0 {
			b.WriteString("零")
		}
	}
	if t > 0 {
		if !(t == 1 && h == 0) {
			b.WriteString(digits[t])
		}
		b.WriteString("十")
	}
	if u > 0 {
		b.WriteString(digits[u])
	}
	return b.String()
}

// basisTexts renders a list of bases joined for a table cell.
func basisTexts(bs []Basis, lang string) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Text(lang)
	}
	return out
}

// art returns a confirmed basis for one article of a law.
func art(lawID, article string) Basis { return Basis{Law: lawID, Article: article, Confirmed: true} }

// whole returns a confirmed basis citing a source as a whole.
func whole(lawID string) Basis { return Basis{Law: lawID, Confirmed: true} }

// see returns a basis whose article is unconfirmed: rendered as "see …".
func see(lawID string) Basis { return Basis{Law: lawID} }

// spanText renders a span for a Found value.
func spanText(s fanclub.Span) string { return s.String() }

// list joins values for a Found value.
func list[T ~string](vs []T) string {
	if len(vs) == 0 {
		return "[]"
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = string(v)
	}
	return strings.Join(parts, ", ")
}

// bl renders a bool for a Found value.
func bl(v bool) string { return strconv.FormatBool(v) }

// loc builds a Localized from printf formats in both languages. An
// argument that is itself a fanclub.Localized (a term from the functions
// below) is rendered in each format's own language.
func loc(en, zh string, args ...any) fanclub.Localized {
	return fanclub.Localized{EN: fmt.Sprintf(en, argsIn(args, "en")...), ZH: fmt.Sprintf(zh, argsIn(args, "zh")...)}
}

// argsIn replaces Localized arguments by their text in lang.
func argsIn(args []any, lang string) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if l, ok := a.(fanclub.Localized); ok {
			a = l.In(lang)
		}
		out[i] = a
	}
	return out
}

// spanTerm names a span in prose: "72 hours" / "72小时", "7 days" / "7天",
// "3 calendar days" / "3个自然日"; a forever span is "ever" / "永久", so
// that "for %s" reads "for ever".
func spanTerm(s fanclub.Span) fanclub.Localized {
	switch {
	case s.Forever:
		return fanclub.Localized{EN: "ever", ZH: "永久"}
	case s.CalendarDays > 0:
		return fanclub.Localized{EN: s.String(), ZH: fmt.Sprintf("%d个自然日", s.CalendarDays)}
	}
	if d, ok := s.WholeDays(); ok && d > 3 {
		return fanclub.Localized{EN: fmt.Sprintf("%d days", d), ZH: fmt.Sprintf("%d天", d)}
	}
	if h := s.Exact / time.Hour; s.Exact%time.Hour == 0 && h > 0 {
		unit := "hours"
		if h == 1 {
			unit = "hour"
		}
		return fanclub.Localized{EN: fmt.Sprintf("%d %s", h, unit), ZH: fmt.Sprintf("%d小时", h)}
	}
	return fanclub.Localized{EN: s.String(), ZH: s.String()}
}

// term looks a value up in a table of names, falling back to the value.
func term[T ~string](v T, names map[T]fanclub.Localized) fanclub.Localized {
	if l, ok := names[v]; ok {
		return l
	}
	return fanclub.Localized{EN: string(v), ZH: string(v)}
}

// terms names a list of values, joined in English by enJoin ("and", "or")
// and in Chinese by "、".
func terms[T ~string](vs []T, names map[T]fanclub.Localized, enJoin string) fanclub.Localized {
	en, zh := make([]string, len(vs)), make([]string, len(vs))
	for i, v := range vs {
		l := term(v, names)
		en[i], zh[i] = l.EN, l.ZH
	}
	return fanclub.Localized{EN: strings.Join(en, " "+enJoin+" "), ZH: strings.Join(zh, "、")}
}

// surfaceNames names the places an app path starts from.
var surfaceNames = map[fanclub.Surface]fanclub.Localized{
	fanclub.SurfaceClubPage:     {EN: "the club page", ZH: "粉丝团页面"},
	fanclub.SurfaceProfile:      {EN: "their profile", ZH: "个人主页"},
	fanclub.SurfaceCreatorPage:  {EN: "the creator's page", ZH: "创作者主页"},
	fanclub.SurfaceSettings:     {EN: "the settings", ZH: "设置"},
	fanclub.SurfaceLiveRoom:     {EN: "the live room", ZH: "直播间"},
	fanclub.SurfaceAccountPages: {EN: "account management", ZH: "账号管理"},
}

// renewalStopNames names what stops an auto-renewal.
var renewalStopNames = map[fanclub.RenewalStop]fanclub.Localized{
	fanclub.RenewalStopExit:            {EN: "leaving the club", ZH: "退出粉丝团"},
	fanclub.RenewalStopManualCancel:    {EN: "a separate manual cancellation", ZH: "另行手动取消"},
	fanclub.RenewalStopRevokeAgreement: {EN: "revoking the payment agreement", ZH: "解除支付协议"},
}

// pendingShareNames names what exit does to a creator's pending share.
var pendingShareNames = map[fanclub.PendingShareHandling]fanclub.Localized{
	fanclub.PendingKeep:               {EN: "kept", ZH: "保持不变"},
	fanclub.PendingDeductAtSettlement: {EN: "deducted at the weekly settlement", ZH: "在每周结算时扣除"},
	fanclub.PendingFreezeUntilRelease: {EN: "frozen until an operator releases it", ZH: "冻结至运营人员释放"},
	fanclub.PendingHoldForReview:      {EN: "held while the creator's account is under review", ZH: "标记创作者账户审查并暂扣结算"},
}

// actionNames names interactions.
var actionNames = map[fanclub.Action]fanclub.Localized{
	fanclub.ActionWatchMinutes: {EN: "watch", ZH: "观看"},
	fanclub.ActionLike:         {EN: "like", ZH: "点赞"},
	fanclub.ActionComment:      {EN: "comment", ZH: "评论"},
	fanclub.ActionShare:        {EN: "share", ZH: "分享"},
	fanclub.ActionGift:         {EN: "send gifts", ZH: "送礼"},
}

// scopeNames names where an effect applies.
var scopeNames = map[fanclub.Scope]fanclub.Localized{
	fanclub.ScopeClub:     {EN: "this club", ZH: "本粉丝团"},
	fanclub.ScopeInstance: {EN: "everywhere on the platform", ZH: "全平台"},
}

// challengeNames names exit challenges.
var challengeNames = map[fanclub.Challenge]fanclub.Localized{
	fanclub.ChallengeConfirm:  {EN: "a confirmation", ZH: "确认"},
	fanclub.ChallengeSlider:   {EN: "a slider", ZH: "滑动验证"},
	fanclub.ChallengePassword: {EN: "the password", ZH: "密码输入"},
	fanclub.ChallengeCaptcha:  {EN: "a captcha", ZH: "图文验证码"},
}

// planNames names billing plans.
var planNames = map[fanclub.Plan]fanclub.Localized{
	fanclub.PlanMonthly:   {EN: "monthly", ZH: "月度"},
	fanclub.PlanQuarterly: {EN: "quarterly", ZH: "季度"},
	fanclub.PlanAnnual:    {EN: "annual", ZH: "年度"},
}

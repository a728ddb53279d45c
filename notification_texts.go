package fanclub

import (
	"fmt"
	"strings"
	"time"
)

// NotificationTemplate is the title and body of a notification kind in
// both languages. Placeholders in braces are replaced by the facts:
// {club}, {amount} (with its currency), {time} (in the policy's time
// zone), {tier}, {reason} and {cancel} (how to cancel).
type NotificationTemplate struct {
	Title Localized
	Body  Localized
}

// notificationTemplates is the built-in catalogue, one entry per kind.
// Policies do not override it: a policy states the facts the texts use
// (currency, time zone, tiers, exit path, what stops renewal), and the
// texts are the engine's. Later kinds add their entry here.
var notificationTemplates = map[NotificationKind]NotificationTemplate{
	NotifyRenewalReminder: {
		Title: Localized{ZH: "{club} 即将自动续费", EN: "{club} renews soon"},
		Body: Localized{
			ZH: "你在 {club} 的会员({tier})将于 {time} 自动续费,扣款 {amount}。如不想续费,请在此之前取消:{cancel}。",
			EN: "Your membership of {club} ({tier}) renews automatically at {time} for {amount}. To stop it, cancel before then: {cancel}.",
		},
	},
	NotifyChargeNotice: {
		Title: Localized{ZH: "{club} 扣款通知", EN: "Charge notice from {club}"},
		Body: Localized{
			ZH: "{time} 已从你的账户扣款 {amount},用于 {club} 的会员({tier})。取消方式:{cancel}。",
			EN: "At {time} you were charged {amount} for your membership of {club} ({tier}). How to cancel: {cancel}.",
		},
	},
	NotifyRefundReceipt: {
		Title: Localized{ZH: "{club} 退款凭证", EN: "Refund receipt from {club}"},
		Body: Localized{
			ZH: "{time} 已向你退款 {amount}({reason})。",
			EN: "At {time} you were refunded {amount} ({reason}).",
		},
	},
	NotifyExitReceipt: {
		Title: Localized{ZH: "你已退出 {club}", EN: "You left {club}"},
		Body: Localized{
			ZH: "你已于 {time} 退出 {club}。{reason}",
			EN: "You left {club} at {time}. {reason}",
		},
	},
	NotifyRevenueSettled: {
		Title: Localized{ZH: "{club} 周结算完成", EN: "{club}: week settled"},
		Body:  Localized{ZH: "自 {time} 起的一周已结算:{amount} 转入可提现余额({reason})。", EN: "The week from {time} settled: {amount} moved to your available balance ({reason})."},
	},
	NotifyRevenueFrozen: {
		Title: Localized{ZH: "{club} 收益已冻结", EN: "{club}: revenue frozen"},
		Body:  Localized{ZH: "一位粉丝于 {time} 退出 {club},其礼物收益 {amount} 已冻结,待运营审核释放。", EN: "A fan left {club} at {time}; {amount} of your pending revenue from their gifts is frozen until an operator releases it."},
	},
	NotifyRevenueReleased: {
		Title: Localized{ZH: "{club} 冻结收益已释放", EN: "{club}: frozen revenue released"},
		Body:  Localized{ZH: "冻结的 {amount} 已于 {time} 释放({reason}),将在下次结算时转入可提现余额。", EN: "The frozen {amount} was released at {time} ({reason}); it settles at the next settlement."},
	},
	NotifyRevenueVoided: {
		Title: Localized{ZH: "{club} 冻结收益已作废", EN: "{club}: frozen revenue voided"},
		Body:  Localized{ZH: "冻结的 {amount} 已于 {time} 作废并退回平台({reason})。", EN: "The frozen {amount} was voided at {time} and returned to the platform ({reason})."},
	},
	NotifyRevenueFlagged: {
		Title: Localized{ZH: "你的账户已被标记审查", EN: "Your account is flagged for review"},
		Body:  Localized{ZH: "一位粉丝于 {time} 退出 {club} 后,你的账户被标记审查;审查结束前所有结算暂停。", EN: "After a fan left {club} at {time}, your account was flagged for review; no settlement moves money until the review closes."},
	},
	NotifyReviewClosed: {
		Title: Localized{ZH: "账户审查已结束", EN: "Your review is closed"},
		Body:  Localized{ZH: "你的账户审查已于 {time} 结束({reason}),暂停的结算将补发。", EN: "The review of your account closed at {time} ({reason}); the held settlements now settle."},
	},
	NotifyDamagesCharged: {
		Title: Localized{ZH: "退出 {club} 的违约金", EN: "Damages for leaving {club}"},
		Body:  Localized{ZH: "你于 {time} 退出 {club},被扣除违约金:{reason}。", EN: "You left {club} at {time} and were charged liquidated damages: {reason}."},
	},
	NotifyPenaltyCharged: {
		Title: Localized{ZH: "{club} 团队任务扣罚", EN: "{club}: team task penalty"},
		Body:  Localized{ZH: "你退出后 {club} 自 {time} 起一周的团队任务未完成,扣除 {reason}。", EN: "The team task of {club} for the week from {time} failed after you left; you were charged {reason}."},
	},
}

// NotificationTemplates returns a copy of the built-in catalogue.
func NotificationTemplates() map[NotificationKind]NotificationTemplate {
	out := make(map[NotificationKind]NotificationTemplate, len(notificationTemplates))
	for k, v := range notificationTemplates {
		out[k] = v
	}
	return out
}

// renderNotification renders kind's template with the facts: amounts with
// the currency, times in the policy's time zone.
func renderNotification(p *Policy, kind NotificationKind, f NotificationFacts) (title, body Localized, err error) {
	tpl, ok := notificationTemplates[kind]
	if !ok {
		return title, body, Errorf(EINVALID, "Unknown notification kind %q.", kind)
	}
	loc, err := p.Location()
	if err != nil {
		return title, body, err
	}
	tier := Localized{ZH: f.Tier, EN: f.Tier}
	for _, t := range p.Paid.Tiers {
		if t.Name == f.Tier && t.DisplayName != (Localized{}) {
			tier = Localized{ZH: t.DisplayName.In("zh"), EN: t.DisplayName.In("en")}
		}
	}
	vars := map[string]Localized{
		"club":   {ZH: f.Club, EN: f.Club},
		"amount": FormatMoney(f.Amount, f.Currency),
		"time":   formatNoticeTime(f.Time, loc),
		"tier":   tier,
		"reason": {ZH: f.Reason.In("zh"), EN: f.Reason.In("en")},
		"cancel": {ZH: f.Cancel.In("zh"), EN: f.Cancel.In("en")},
	}
	fill := func(s, lang string) string {
		args := make([]string, 0, 2*len(vars))
		for k, v := range vars {
			args = append(args, "{"+k+"}", v.In(lang))
		}
		return strings.TrimSpace(emptyParens.Replace(strings.NewReplacer(args...).Replace(s)))
	}
	title = Localized{ZH: fill(tpl.Title.ZH, "zh"), EN: fill(tpl.Title.EN, "en")}
	body = Localized{ZH: fill(tpl.Body.ZH, "zh"), EN: fill(tpl.Body.EN, "en")}
	return title, body, nil
}

// emptyParens drops the parentheses around an empty value.
var emptyParens = strings.NewReplacer(" ()", "", "()", "")

// minorDigits is the number of minor-unit digits of the currencies that
// do not have two.
var minorDigits = map[string]int{"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "JOD": 3, "OMR": 3, "TND": 3}

// currencySymbols are the signs shown before amounts in English.
var currencySymbols = map[string]string{"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "JP¥"}

// FormatMoney formats an amount in minor units (fen for CNY) of an ISO
// 4217 currency: "¥12.30" and "12.30 元" for 1230 CNY, "12.30 USD" in
// Chinese and "$12.30" in English for 1230 USD.
func FormatMoney(amount int64, currency string) Localized {
	digits, ok := minorDigits[currency]
	if !ok {
		digits = 2
	}
	sign := ""
	u := uint64(amount)
	if amount < 0 {
		sign, u = "-", uint64(-amount) // -MinInt64 wraps to its own magnitude as uint64
	}
	num := fmt.Sprint(u)
	if digits > 0 {
		scale := uint64(1)
		for range digits {
			scale *= 10
		}
		num = fmt.Sprintf("%d.%0*d", u/scale, digits, u%scale)
	}
	en := sign + currency + " " + num
	if s, ok := currencySymbols[currency]; ok {
		en = sign + s + num
	}
	zh := sign + num + " " + currency
	if currency == "CNY" {
		zh = sign + num + " 元"
	}
	return Localized{ZH: zh, EN: en}
}

// formatNoticeTime formats a time in the policy's zone, with the zone.
func formatNoticeTime(t time.Time, loc *time.Location) Localized {
	if t.IsZero() {
		return Localized{}
	}
	t = t.In(loc)
	return Localized{ZH: t.Format("2006年1月2日 15:04 (MST)"), EN: t.Format("2 Jan 2006 15:04 MST")}
}

// cancelText says how the policy lets a fan stop paying: leaving the club
// by its exit path when that stops renewal, otherwise a separate cancel or
// revoking the payment agreement.
func cancelText(p *Policy) Localized {
	var zh, en []string
	for _, s := range p.Exit.Path {
		zh, en = append(zh, s.In("zh")), append(en, s.In("en"))
	}
	path := Localized{ZH: strings.Join(zh, " → "), EN: strings.Join(en, " → ")}
	switch p.Paid.AutoRenew.StoppedBy {
	case RenewalStopManualCancel:
		return Localized{ZH: "在会员设置中关闭自动续费(仅退出粉丝团不会停止续费)",
			EN: "turn off auto-renewal in your membership settings (leaving the club alone does not stop it)"}
	case RenewalStopRevokeAgreement:
		return Localized{ZH: "在支付平台解除代扣协议(仅退出粉丝团不会停止续费)",
			EN: "revoke the payment agreement with your payment provider (leaving the club alone does not stop it)"}
	default:
		// A one-step cancel stops renewal too; leaving the club does as well.
		cancel := Localized{ZH: "在会员设置中一键关闭自动续费", EN: "turn off auto-renewal in your membership settings in one step"}
		if path.EN == "" {
			return Localized{ZH: cancel.ZH + ",或退出粉丝团", EN: cancel.EN + ", or leave the club"}
		}
		return Localized{ZH: cancel.ZH + ",或退出粉丝团:" + path.ZH, EN: cancel.EN + ", or leave the club: " + path.EN}
	}
}

package fanclub

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// noticePolicy is a policy with what notification texts read.
func noticePolicy(stop RenewalStop) *Policy {
	p := &Policy{}
	p.Metadata.TimeZone = "Asia/Shanghai"
	p.Paid.Currency = "CNY"
	p.Paid.Tiers = []Tier{{Name: "vip", DisplayName: Localized{ZH: "付费会员", EN: "Paid member"}}}
	p.Paid.AutoRenew.StoppedBy = stop
	p.Exit.Path = []Localized{{ZH: "个人主页", EN: "Profile"}, {ZH: "退出", EN: "Exit"}}
	return p
}

func TestNewNotificationTexts(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 1, 30, 0, 0, time.UTC) // 09:30 in Shanghai
	facts := NotificationFacts{Club: "Luna", Amount: 1530, Time: at, Tier: "vip", Reason: Localized{ZH: "未用月份", EN: "unused months"}}
	tests := []struct {
		name   string
		kind   NotificationKind
		stop   RenewalStop
		wantZH []string
		wantEN []string
	}{
		{"charge notice, exit stops renewal", NotifyChargeNotice, RenewalStopExit,
			[]string{"2026年3月1日 09:30 (CST)", "15.30 元", "付费会员", "Luna", "在会员设置中一键关闭自动续费,或退出粉丝团:个人主页 → 退出"},
			[]string{"1 Mar 2026 09:30 CST", "¥15.30", "Paid member", "Luna", "turn off auto-renewal in your membership settings in one step, or leave the club: Profile → Exit"}},
		{"charge notice, manual cancel", NotifyChargeNotice, RenewalStopManualCancel,
			[]string{"15.30 元", "关闭自动续费"}, []string{"¥15.30", "turn off auto-renewal"}},
		{"renewal reminder", NotifyRenewalReminder, RenewalStopRevokeAgreement,
			[]string{"自动续费", "15.30 元", "解除代扣协议"}, []string{"renews automatically at 1 Mar 2026 09:30 CST", "revoke the payment agreement"}},
		{"refund receipt", NotifyRefundReceipt, RenewalStopExit, []string{"退款 15.30 元", "未用月份"}, []string{"refunded ¥15.30 (unused months)"}},
		{"exit receipt", NotifyExitReceipt, RenewalStopExit, []string{"你已于 2026年3月1日 09:30 (CST) 退出 Luna"}, []string{"You left Luna at 1 Mar 2026 09:30 CST"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id := NotificationID(tc.kind, "sub", 12, 3)
			n, err := NewNotification(noticePolicy(tc.stop), tc.kind, id, FanRecipient(12), 5, at, facts)
			if err != nil {
				t.Fatalf("NewNotification: %v", err)
			}
			if n.ID != string(tc.kind)+"/sub/12/3" || n.Kind != tc.kind || n.Recipient != FanRecipient(12) || n.ClubID != 5 {
				t.Errorf("notification = %+v", n)
			}
			for lang, want := range map[string][]string{"zh": tc.wantZH, "en": tc.wantEN} {
				text := n.Title.In(lang) + "\n" + n.Body.In(lang)
				if strings.Contains(text, "{") {
					t.Errorf("%s: a placeholder is left in %q", lang, text)
				}
				for _, w := range want {
					if !strings.Contains(text, w) {
						t.Errorf("%s: %q lacks %q", lang, text, w)
					}
				}
			}
			var data NotificationFacts
			if err := json.Unmarshal(n.Data, &data); err != nil || data.Amount != 1530 || data.Currency != "CNY" || !data.Time.Equal(at) || data.Cancel.EN == "" {
				t.Errorf("data = %s (%v)", n.Data, err)
			}
		})
	}
}

func TestNotificationWithoutTier(t *testing.T) {
	t.Parallel()
	n, err := NewNotification(noticePolicy(RenewalStopExit), NotifyChargeNotice, "charge_notice/x/1", FanRecipient(1), 1, time.Now(),
		NotificationFacts{Club: "Luna", Amount: 100})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(n.Body.EN+n.Body.ZH, "()") || !strings.Contains(n.Body.EN, "membership of Luna. How to cancel") {
		t.Errorf("body %+v: empty parentheses left", n.Body)
	}
}

func TestNewNotificationRefuses(t *testing.T) {
	t.Parallel()
	p := noticePolicy(RenewalStopExit)
	at := time.Now()
	tests := []struct {
		name string
		kind NotificationKind
		id   string
		to   Recipient
	}{
		{"unknown kind", "no_such_kind", "x/1", FanRecipient(1)},
		{"no id", NotifyExitReceipt, "", FanRecipient(1)},
		{"no recipient", NotifyExitReceipt, "x/1", Recipient{}},
		{"unknown recipient kind", NotifyExitReceipt, "x/1", Recipient{Kind: "robot", ID: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := NewNotification(p, tc.kind, tc.id, tc.to, 1, at, NotificationFacts{}); ErrorCode(err) != EINVALID {
				t.Errorf("error = %v, want %s", err, EINVALID)
			}
		})
	}
}

func TestFormatMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount   int64
		currency string
		zh, en   string
	}{
		{1230, "CNY", "12.30 元", "¥12.30"},
		{5, "CNY", "0.05 元", "¥0.05"},
		{-1230, "CNY", "-12.30 元", "-¥12.30"},
		{1230, "USD", "12.30 USD", "$12.30"},
		{1230, "JPY", "1230 JPY", "JP¥1230"},
		{12345, "KWD", "12.345 KWD", "KWD 12.345"},
		{-9223372036854775808, "CHF", "-92233720368547758.08 CHF", "-CHF 92233720368547758.08"},
	}
	for _, tc := range tests {
		got := FormatMoney(tc.amount, tc.currency)
		if got.ZH != tc.zh || got.EN != tc.en {
			t.Errorf("FormatMoney(%d, %s) = %+v, want %q, %q", tc.amount, tc.currency, got, tc.zh, tc.en)
		}
	}
}

func TestNotificationTemplatesCoverKinds(t *testing.T) {
	t.Parallel()
	cat := NotificationTemplates()
	for _, k := range []NotificationKind{NotifyRenewalReminder, NotifyChargeNotice, NotifyRefundReceipt, NotifyExitReceipt,
		NotifyRevenueSettled, NotifyRevenueFrozen, NotifyRevenueReleased, NotifyRevenueVoided, NotifyRevenueFlagged, NotifyReviewClosed,
		NotifyDamagesCharged, NotifyPenaltyCharged} {
		tpl, ok := cat[k]
		if !ok || tpl.Title.ZH == "" || tpl.Title.EN == "" || tpl.Body.ZH == "" || tpl.Body.EN == "" {
			t.Errorf("kind %s: template %+v, want both languages", k, tpl)
		}
	}
	if !strings.Contains(cat[NotifyChargeNotice].Body.EN, "{time}") || !strings.Contains(cat[NotifyChargeNotice].Body.EN, "{amount}") ||
		!strings.Contains(cat[NotifyChargeNotice].Body.EN, "{cancel}") {
		t.Error("the charge notice must state time, amount and how to cancel")
	}
}

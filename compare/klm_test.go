package compare

import (
	"math"
	"testing"

	"fanclub"
)

// exitRuleWith builds an exit rule with a path of n steps and challenges.
func exitRuleWith(n int, showsImpact bool, chs ...fanclub.Challenge) fanclub.ExitRule {
	r := fanclub.ExitRule{Challenges: chs, ShowsImpact: showsImpact}
	for i := 0; i < n; i++ {
		r.Path = append(r.Path, fanclub.Localized{ZH: "步骤", EN: "step"})
	}
	return r
}

// TestEstimateExit checks the KLM arithmetic for each operator sequence.
func TestEstimateExit(t *testing.T) {
	t.Parallel()
	const (
		step     = MentalAct + FingerMove + Keystroke + SystemResponse // 2.97
		confirm  = step
		slider   = MentalAct + Gesture + SystemResponse                                              // 3.15
		password = MentalAct + 2*(FingerMove+Keystroke) + PasswordLength*Keystroke + SystemResponse  // 6.71
		captcha  = 2*SystemResponse + MentalAct + 2*(FingerMove+Keystroke) + CaptchaLength*Keystroke // 6.15
	)
	tests := []struct {
		name string
		rule fanclub.ExitRule
		want float64
	}{
		{"no path, no challenge", exitRuleWith(0, false), 0},
		{"wechat-channels: 3 steps + confirm", exitRuleWith(3, false, fanclub.ChallengeConfirm), 11.88},
		{"douyin: 3 steps + slider + password", exitRuleWith(3, false, fanclub.ChallengeSlider, fanclub.ChallengePassword), 18.77},
		{"kuaishou: 3 steps + captcha", exitRuleWith(3, false, fanclub.ChallengeCaptcha), 15.06},
		{"fair: 2 steps + preview + confirm", exitRuleWith(2, true, fanclub.ChallengeConfirm), 10.26},
		{"one step alone", exitRuleWith(1, false), step},
		{"slider alone", exitRuleWith(0, false, fanclub.ChallengeSlider), slider},
		{"password alone", exitRuleWith(0, false, fanclub.ChallengePassword), password},
		{"captcha alone", exitRuleWith(0, false, fanclub.ChallengeCaptcha), captcha},
		{"confirm alone", exitRuleWith(0, false, fanclub.ChallengeConfirm), confirm},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := DefaultModel().EstimateExit(tc.rule)
			if math.Abs(e.Seconds-tc.want) > 0.005 {
				t.Errorf("estimate = %.2f s, want %.2f s", e.Seconds, tc.want)
			}
			var sum float64
			for _, s := range e.Steps {
				sum += s.Seconds
			}
			if math.Abs(sum-e.Seconds) > 0.011 {
				t.Errorf("steps sum to %.2f s, total is %.2f s", sum, e.Seconds)
			}
			want := len(tc.rule.Path) + len(tc.rule.Challenges)
			if tc.rule.ShowsImpact {
				want++ // reading the impact preview
			}
			if len(e.Steps) != want {
				t.Errorf("got %d steps, want %d", len(e.Steps), want)
			}
		})
	}
}

// TestEstimateCells checks that the estimate column shows the rounded
// estimate and the claimed column the policy's claim or a dash.
func TestEstimateCells(t *testing.T) {
	t.Parallel()
	c := buildComparison(t, presetPolicies(t, defaultPresets...), "zh")
	for _, tc := range []struct{ policy, claimed, estimated string }{
		{"wechat-channels", "约30秒", "约12秒"},
		{"douyin", "约45秒", "约19秒"},
		{"kuaishou", "约60秒", "约15秒"},
		{"fair", "—", "约10秒"},
	} {
		if got := cellAt(t, c, 1, tc.policy, "操作耗时"); got != tc.claimed {
			t.Errorf("%s 操作耗时 = %q, want %q", tc.policy, got, tc.claimed)
		}
		if got := cellAt(t, c, 1, tc.policy, "估算耗时"); got != tc.estimated {
			t.Errorf("%s 估算耗时 = %q, want %q", tc.policy, got, tc.estimated)
		}
	}
}

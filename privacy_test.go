package fanclub

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPlanDataExit checks every preset's data plan: what happens to each
// category and when, with and without kept progress, and which actions
// a log purge keeps (comments and likes under kuaishou's
// keepInteractionRecords, named in the rule).
func TestPlanDataExit(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	in30 := at.Add(30 * 24 * time.Hour)
	in180 := at.Add(180 * 24 * time.Hour)
	type want struct {
		action string
		at     *time.Time // nil: never
	}
	tests := []struct {
		name          string
		preset        string
		choices       map[string]string
		retainedUntil *time.Time
		forever       bool
		logs, devices want
		follow        want
		keeps         bool // the log step keeps the interaction records
	}{
		{"wechat", "wechat-channels", nil, nil, false, want{DataErase, &in180}, want{DataErase, &at}, want{DataErase, &at}, false},
		{"douyin", "douyin", nil, nil, false, want{DataKeep, nil}, want{DataKeep, nil}, want{DataKeep, nil}, false},
		{"kuaishou", "kuaishou", nil, nil, false, want{DataErase, &in30}, want{DataRefresh, nil}, want{DataKeep, nil}, true},
		{"fair erase", "fair", nil, nil, false, want{DataErase, &at}, want{DataErase, &at}, want{DataKeep, nil}, false},
		{"fair unfollow", "fair", map[string]string{ChoiceFollow: ChoiceUnfollow}, nil, false, want{DataErase, &at}, want{DataErase, &at}, want{DataErase, &at}, false},
		{"fair keep", "fair", nil, &in30, false, want{DataErase, &in30}, want{DataErase, &in30}, want{DataKeep, nil}, false},
		{"fair keep forever", "fair", nil, nil, true, want{DataKeep, nil}, want{DataKeep, nil}, want{DataKeep, nil}, false},
		{"wechat ignores kept progress", "wechat-channels", nil, &in30, false, want{DataErase, &in180}, want{DataErase, &at}, want{DataErase, &at}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := presetPolicy(tc.preset)
			d := PlanDataExit(p, time.UTC, tc.choices, at, tc.retainedUntil, tc.forever)
			for c, w := range map[DataCategory]want{DataBehaviourLog: tc.logs, DataDeviceIDs: tc.devices, DataFollow: tc.follow} {
				s, ok := d.Step(c)
				switch {
				case !ok:
					t.Fatalf("no %s step", c)
				case s.Action != w.action:
					t.Errorf("%s: action %s, want %s", c, s.Action, w.action)
				case (s.At == nil) != (w.at == nil) || (s.At != nil && !s.At.Equal(*w.at)):
					t.Errorf("%s: at %v, want %v", c, s.At, w.at)
				case (s.At == nil) != s.Never:
					t.Errorf("%s: never %v with at %v", c, s.Never, s.At)
				case s.Rule == "" || s.Basis == "":
					t.Errorf("%s: rule %q, basis %q", c, s.Rule, s.Basis)
				}
			}
			logs, _ := d.Step(DataBehaviourLog)
			var keep []Action
			if tc.keeps {
				keep = []Action{ActionComment, ActionLike}
			}
			if !slices.Equal(logs.Keep, keep) || strings.Contains(logs.Rule, "keepInteractionRecords") != tc.keeps {
				t.Errorf("log step keeps %v (rule %q), want %v", logs.Keep, logs.Rule, keep)
			}
		})
	}
}

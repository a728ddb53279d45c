package fanclub

import (
	"reflect"
	"testing"
	"time"
)

// activeMember returns an active membership with points and their level.
func activeMember(points int64) Membership {
	t0 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	return Membership{FanID: 7, ClubID: 3, Status: StatusActive, LevelPoints: points,
		Level: LevelFor(specLevels, points), JoinedAt: t0, LastInteractionAt: t0, Version: 4}
}

func TestPlanExitPresets(t *testing.T) {
	t.Parallel()
	loc := mustShanghai(t)
	// 2026-03-10 22:30 in Shanghai.
	at := time.Date(2026, 3, 10, 14, 30, 0, 0, time.UTC)
	ptr := func(t time.Time) *time.Time { return &t }
	tests := []struct {
		policy, option       string
		levelAfter           int
		retained, converted  int64
		lost                 int64
		retainedUntil        *time.Time
		forever, history     bool
		rejoinFrom           time.Time
		effect               EffectKind
		effectUntil          *time.Time
		effectEndsOnRejoin   bool
		restoreAfter8d       int64
		restoreLevelAfter8d  int
		membershipHasRetains bool
	}{
		{policy: "wechat-channels", option: "erase", levelAfter: 0, lost: 1234, history: true,
			rejoinFrom: at.Add(72 * time.Hour), effect: EffectMemberCountHidden, effectEndsOnRejoin: true,
			restoreLevelAfter8d: 1},
		{policy: "douyin", option: "retain", levelAfter: 5, retained: 1234, retainedUntil: ptr(at.Add(7 * 24 * time.Hour)),
			rejoinFrom: at, effect: EffectInteractionRestricted, effectUntil: ptr(at.Add(24 * time.Hour)),
			restoreLevelAfter8d: 1, membershipHasRetains: true},
		{policy: "kuaishou", option: "convert", levelAfter: 5, retained: 1000, converted: 1234, forever: true,
			rejoinFrom: at, effect: EffectRecommendationWeight,
			// exit day 2026-03-10 (Shanghai): ends 00:00 on 03-14 Shanghai = 03-13 16:00 UTC.
			effectUntil:    ptr(time.Date(2026, 3, 13, 16, 0, 0, 0, time.UTC)),
			restoreAfter8d: 1000, restoreLevelAfter8d: 5, membershipHasRetains: true},
		{policy: "fair", option: "erase", levelAfter: 0, lost: 1234, history: true, rejoinFrom: at, restoreLevelAfter8d: 1},
		{policy: "fair", option: "keep", levelAfter: 5, retained: 1234, retainedUntil: ptr(at.Add(30 * 24 * time.Hour)),
			rejoinFrom: at, restoreAfter8d: 1234, restoreLevelAfter8d: 5, membershipHasRetains: true},
	}
	for _, tt := range tests {
		t.Run(tt.policy+"/"+tt.option, func(t *testing.T) {
			t.Parallel()
			p := presetPolicy(tt.policy)
			m := activeMember(1234)
			choices := map[string]string{ChoiceProgress: tt.option}
			plan, err := PlanExit(p, loc, m, choices, at)
			if err != nil {
				t.Fatalf("PlanExit: %v", err)
			}
			im := plan.Impact
			if im.Option != tt.option || im.LevelBefore != 5 || im.LevelPointsBefore != 1234 {
				t.Errorf("before: %+v", im)
			}
			if im.LevelAfter != tt.levelAfter || im.LevelPointsAfter != 0 {
				t.Errorf("after: L%d/%d, want L%d/0", im.LevelAfter, im.LevelPointsAfter, tt.levelAfter)
			}
			if im.PointsRetained != tt.retained || im.PointsConverted != tt.converted || im.PointsLost != tt.lost {
				t.Errorf("retained/converted/lost = %d/%d/%d, want %d/%d/%d", im.PointsRetained, im.PointsConverted, im.PointsLost, tt.retained, tt.converted, tt.lost)
			}
			if !sameTimePtr(im.RetainedUntil, tt.retainedUntil) || im.RetainedForever != tt.forever {
				t.Errorf("retained until %v forever %v, want %v %v", im.RetainedUntil, im.RetainedForever, tt.retainedUntil, tt.forever)
			}
			if im.HistoryDeleted != tt.history || !im.RejoinFrom.Equal(tt.rejoinFrom) {
				t.Errorf("history %v rejoin %v", im.HistoryDeleted, im.RejoinFrom)
			}
			if tt.effect == "" {
				if len(im.Effects) != 0 {
					t.Errorf("effects %+v, want none", im.Effects)
				}
			} else {
				if len(im.Effects) != 1 || im.Effects[0].Kind != tt.effect {
					t.Fatalf("effects %+v, want one %s", im.Effects, tt.effect)
				}
				ef := im.Effects[0]
				if !sameTimePtr(ef.Until, tt.effectUntil) || ef.EndsOnRejoin != tt.effectEndsOnRejoin || !ef.Start.Equal(at) {
					t.Errorf("effect %+v", ef)
				}
			}
			after := plan.Membership
			if after.Status != StatusLeft || !after.LeftAt.Equal(at) || after.Exits != 1 || after.Version != 5 {
				t.Errorf("membership after: %+v", after)
			}
			if (after.Retained != nil) != tt.membershipHasRetains {
				t.Errorf("retained = %+v", after.Retained)
			}
			lvl, pts := RestoreAt(specLevels, after, at.Add(8*24*time.Hour))
			if lvl != tt.restoreLevelAfter8d || pts != tt.restoreAfter8d {
				t.Errorf("restore after 8 days: L%d/%d, want L%d/%d", lvl, pts, tt.restoreLevelAfter8d, tt.restoreAfter8d)
			}
			again, _ := PlanExit(p, loc, m, choices, at)
			if !reflect.DeepEqual(again, plan) {
				t.Error("PlanExit is not deterministic")
			}
		})
	}
}

func TestPlanExitRejects(t *testing.T) {
	t.Parallel()
	loc := mustShanghai(t)
	at := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	p := presetPolicy("fair")
	tests := []struct {
		name    string
		m       Membership
		choices map[string]string
		code    string
		path    string
	}{
		{"unknown option", activeMember(10), map[string]string{"progress": "hide"}, EINVALID, "choices.progress"},
		{"unknown key", activeMember(10), map[string]string{"colour": "red"}, EINVALID, "choices.colour"},
		{"left member", Membership{Status: StatusLeft}, nil, ENOTMEMBER, ""},
	}
	for _, tt := range tests {
		_, err := PlanExit(p, loc, tt.m, tt.choices, at)
		if ErrorCode(err) != tt.code {
			t.Errorf("%s: code %q, want %q (%v)", tt.name, ErrorCode(err), tt.code, err)
			continue
		}
		if tt.path != "" {
			f := ErrorFields(err)
			if len(f) != 1 || f[0].Path != tt.path || f[0].Allowed == "" {
				t.Errorf("%s: fields %+v", tt.name, f)
			}
		}
	}
}

func TestApplyJoinRules(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	m := &Membership{Status: StatusActive}
	if err := applyJoin(m, specLevels, now); ErrorCode(err) != EALREADYMEMBER {
		t.Errorf("active: %v", err)
	}
	cool := &Membership{Status: StatusLeft, RejoinAfter: now.Add(time.Hour)}
	err := applyJoin(cool, specLevels, now)
	if de, ok := asDomain(err); !ok || de.Code != ECOOLDOWN || de.Until == "" {
		t.Errorf("cooldown: %v", err)
	}
	fresh := &Membership{}
	if err := applyJoin(fresh, specLevels, now); err != nil || fresh.Level != 1 || fresh.LevelPoints != 0 || fresh.Version != 1 || fresh.Status != StatusActive {
		t.Errorf("first join: %+v %v", fresh, err)
	}
}

// sameTimePtr reports whether two optional times are the same instant.
func sameTimePtr(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

package fanclub

import "time"

// specLevels are the presets' level thresholds, L1..L20 (docs/presets.md).
var specLevels = []int64{0, 100, 300, 600, 1000, 1500, 2200, 3000, 4000, 5500, 7500, 10000, 13000, 17000, 22000, 28000, 36000, 46000, 60000, 80000}

// specEngagement is the engagement table shared by every preset
// (docs/presets.md, "Engagement and joining").
func specEngagement() Engagement {
	return Engagement{
		Actions: []ActionRule{
			{Action: ActionWatchMinutes, Points: 1, DailyCap: 60},
			{Action: ActionLike, Points: 1, DailyCap: 30},
			{Action: ActionComment, Points: 5, DailyCap: 50},
			{Action: ActionShare, Points: 10, DailyCap: 50},
			{Action: ActionGift, Points: 10},
		},
		Levels:    specLevels,
		LitWindow: Days(7),
	}
}

// presetPolicy builds, in Go, the exit-relevant parts of a preset as the
// docs/presets.md defines them (dimensions 1, 2 and 4).
func presetPolicy(name string) *Policy {
	p := &Policy{APIVersion: PolicyAPIVersion, Kind: PolicyKind, Engagement: specEngagement()}
	p.Metadata.Name = name
	p.Metadata.TimeZone = "Asia/Shanghai"
	p.Exit.ChallengeTTL = Span{Exact: 5 * time.Minute}
	p.Exit.MaxAttempts = 3
	switch name {
	case "wechat-channels":
		p.Exit.Challenges = []Challenge{ChallengeConfirm}
		p.Progress = ProgressRule{Default: "erase", RejoinCooldown: Hours(72), Options: []ProgressOption{
			{Name: "erase", Decay: DecayNone, Restore: RestoreNone, DeleteHistory: true}}}
		p.Effects = []EffectRule{{Kind: EffectMemberCountHidden, Duration: Forever(), EndsOnRejoin: true, Scope: ScopeClub}}
	case "douyin":
		p.Exit.Challenges = []Challenge{ChallengeSlider, ChallengePassword}
		p.Exit.SliderTolerance = 6
		p.Progress = ProgressRule{Default: "retain", Options: []ProgressOption{
			{Name: "retain", Retention: Days(7), Decay: DecayLinearDaily, Restore: RestorePoints}}}
		p.Effects = []EffectRule{{Kind: EffectInteractionRestricted, Duration: Hours(24), Scope: ScopeInstance, Actions: []Action{ActionLike, ActionComment}}}
	case "kuaishou":
		p.Exit.Challenges = []Challenge{ChallengeCaptcha}
		p.Progress = ProgressRule{Default: "convert", Options: []ProgressOption{
			{Name: "convert", Retention: Forever(), Decay: DecayNone, ConvertToGeneral: 1, Restore: RestoreLevelThreshold}}}
		p.Effects = []EffectRule{{Kind: EffectRecommendationWeight, Duration: CalendarDays(3), Factor: 0.5, Scope: ScopeInstance}}
	case "fair":
		p.Exit.Challenges = []Challenge{ChallengeConfirm}
		p.Progress = ProgressRule{Default: "erase", Options: []ProgressOption{
			{Name: "erase", Decay: DecayNone, Restore: RestoreNone, DeleteHistory: true},
			{Name: "keep", Retention: Days(30), Decay: DecayNone, Restore: RestorePoints}}}
	}
	p.Data = presetData(name)
	return p
}

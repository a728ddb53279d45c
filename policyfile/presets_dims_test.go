package policyfile_test

import (
	"testing"

	"fanclub"
)

// specTiers is the one paid tier every preset offers, prices in fen.
func specTiers() []fanclub.Tier {
	return []fanclub.Tier{{
		Name:        "vip",
		DisplayName: specText("付费会员", "Paid member"),
		Prices: []fanclub.PlanPrice{
			{Plan: fanclub.PlanMonthly, Price: 1500},
			{Plan: fanclub.PlanQuarterly, Price: 4000},
			{Plan: fanclub.PlanAnnual, Price: 15000},
		},
	}}
}

// specRefunds builds one refund rule per plan, monthly, quarterly and annual.
func specRefunds(monthly, quarterly, annual fanclub.RefundRule) []fanclub.RefundRule {
	monthly.Plan, quarterly.Plan, annual.Plan = fanclub.PlanMonthly, fanclub.PlanQuarterly, fanclub.PlanAnnual
	return []fanclub.RefundRule{monthly, quarterly, annual}
}

func TestPresetDimension3Paid(t *testing.T) {
	t.Parallel()
	none := fanclub.RefundRule{Method: fanclub.RefundNone}
	months := fanclub.RefundRule{Method: fanclub.RefundUnusedMonths, Ratio: 1}
	days := fanclub.RefundRule{Method: fanclub.RefundUnusedDays, Ratio: 1}
	plans := []fanclub.Plan{fanclub.PlanMonthly, fanclub.PlanQuarterly, fanclub.PlanAnnual}
	want := map[string]fanclub.PaidRule{
		"wechat-channels": {
			AutoRenew: fanclub.AutoRenewRule{StopsOnExit: true, StoppedBy: fanclub.RenewalStopExit},
			RefundOn:  fanclub.RefundOnExit,
			Default:   "prorated_refund",
			Options: []fanclub.PaidExitOption{{
				Name:          "prorated_refund",
				Label:         specText("按月折算退款", "Refund of unused whole months"),
				Refunds:       specRefunds(months, months, months),
				BenefitsEnd:   fanclub.BenefitsAfterExit,
				BenefitsAfter: fanclub.Hours(24),
			}},
		},
		"douyin": {
			AutoRenew: fanclub.AutoRenewRule{StopsOnExit: false, StoppedBy: fanclub.RenewalStopManualCancel},
			RefundOn:  fanclub.RefundOnCancel,
			Default:   "period_end",
			Options: []fanclub.PaidExitOption{{
				Name:        "period_end",
				Label:       specText("季度订阅可退50%，周期结束终止", "Quarterly plans refund 50% of the unused part; benefits to period end"),
				Refunds:     specRefunds(none, fanclub.RefundRule{Method: fanclub.RefundUnusedDays, Ratio: 0.5}, none),
				BenefitsEnd: fanclub.BenefitsPeriodEnd,
			}},
		},
		"kuaishou": {
			AutoRenew: fanclub.AutoRenewRule{StopsOnExit: false, StoppedBy: fanclub.RenewalStopRevokeAgreement},
			RefundOn:  fanclub.RefundOnExit,
			Default:   "no_refund",
			Options: []fanclub.PaidExitOption{{
				Name:        "no_refund",
				Label:       specText("不退款，权益立即终止", "No refund; benefits end at once"),
				Refunds:     specRefunds(none, none, none),
				BenefitsEnd: fanclub.BenefitsAfterExit,
			}},
		},
		"fair": {
			AutoRenew: fanclub.AutoRenewRule{
				StopsOnExit:     true,
				StoppedBy:       fanclub.RenewalStopExit,
				ReminderBefore:  fanclub.Days(5),
				ChargeNotice:    true,
				ExplicitConsent: true,
			},
			RefundOn: fanclub.RefundOnExit,
			Default:  "keep_benefits",
			Options: []fanclub.PaidExitOption{
				{
					Name:        "keep_benefits",
					Label:       specText("权益保留到本期结束，不退款", "Keep benefits to the end of the paid period; no refund"),
					Refunds:     specRefunds(none, none, none),
					BenefitsEnd: fanclub.BenefitsPeriodEnd,
				},
				{
					Name:        "refund",
					Label:       specText("立即结束并按天退还未使用部分", "End now and refund the unused days"),
					Refunds:     specRefunds(days, days, days),
					BenefitsEnd: fanclub.BenefitsAfterExit,
				},
			},
		},
	}
	for _, name := range specPresetNames {
		w := want[name]
		w.Currency, w.Plans, w.Tiers = "CNY", plans, specTiers()
		got := loadSpecPreset(t, name).Paid
		assertSpecDimension(t, name, "dimension 3 (paid)", got, w)
		if _, ok := got.Option(""); !ok {
			t.Errorf("preset %s, dimension 3 (paid): default option %q is not among the options", name, got.Default)
		}
	}
}

func TestPresetDimension4Effects(t *testing.T) {
	t.Parallel()
	want := map[string][]fanclub.EffectRule{
		"wechat-channels": {{
			Kind:         fanclub.EffectMemberCountHidden,
			Duration:     fanclub.Forever(),
			EndsOnRejoin: true,
			Scope:        fanclub.ScopeClub,
		}},
		"douyin": {{
			Kind:     fanclub.EffectInteractionRestricted,
			Duration: fanclub.Hours(24),
			Scope:    fanclub.ScopeInstance,
			Actions:  []fanclub.Action{fanclub.ActionLike, fanclub.ActionComment},
		}},
		"kuaishou": {{
			Kind:     fanclub.EffectRecommendationWeight,
			Duration: fanclub.CalendarDays(3),
			Factor:   0.5,
			Scope:    fanclub.ScopeInstance,
		}},
		"fair": nil,
	}
	for _, name := range specPresetNames {
		assertSpecDimension(t, name, "dimension 4 (effects)", loadSpecPreset(t, name).Effects, want[name])
	}
}

func TestPresetDimension5Data(t *testing.T) {
	t.Parallel()
	want := map[string]fanclub.DataRule{
		"wechat-channels": {
			BehaviourLogRetention: fanclub.Days(180),
			DeviceIDs:             fanclub.DeviceErase,
			Follow:                fanclub.FollowRemove,
		},
		"douyin": {
			BehaviourLogRetention: fanclub.Forever(),
			DeviceIDs:             fanclub.DeviceKeep,
			Follow:                fanclub.FollowKeep,
		},
		"kuaishou": {
			BehaviourLogRetention:  fanclub.Days(30),
			DeviceIDs:              fanclub.DeviceRefresh,
			Follow:                 fanclub.FollowKeep,
			KeepInteractionRecords: true,
		},
		"fair": {
			ErasedWithProgress: true,
			DeviceIDs:          fanclub.DeviceErase,
			Follow:             fanclub.FollowFanChoice,
			LegalHolds: []fanclub.LegalHold{
				{Records: "transaction_records", Retention: fanclub.Days(1096), Basis: "E-Commerce Law Art. 31"},
				{Records: "network_logs", Retention: fanclub.Days(184), Basis: "Cybersecurity Law Art. 21"},
			},
			DeletionReceipts: true,
		},
	}
	for _, name := range specPresetNames {
		assertSpecDimension(t, name, "dimension 5 (data)", loadSpecPreset(t, name).Data, want[name])
	}
}

func TestPresetDimension6Revenue(t *testing.T) {
	t.Parallel()
	want := map[string]fanclub.RevenueRule{
		"wechat-channels": {
			PendingShare:  fanclub.PendingDeductAtSettlement,
			TipReturn:     fanclub.TipReturnNone,
			TaskPenalty:   fanclub.TaskPenaltyIfTaskFails,
			PenaltyPoints: 100,
		},
		"douyin": {
			PendingShare:   fanclub.PendingFreezeUntilRelease,
			TipReturn:      fanclub.TipReturnRatio,
			TipReturnRatio: 0.5,
			TaskPenalty:    fanclub.TaskPenaltyTiered,
			PenaltySteps: []fanclub.PenaltyStep{
				{Exits: 1, Window: fanclub.Days(90)},
				{Exits: 2, Window: fanclub.Days(90), BarFor: fanclub.Days(7)},
				{Exits: 3, Window: fanclub.Days(90), BarFor: fanclub.Days(30)},
			},
		},
		"kuaishou": {
			PendingShare: fanclub.PendingHoldForReview,
			TipReturn:    fanclub.TipReturnDamages,
			TaskPenalty:  fanclub.TaskPenaltyPermanentBar,
		},
		"fair": {
			PendingShare: fanclub.PendingKeep,
			TipReturn:    fanclub.TipReturnNone,
			TaskPenalty:  fanclub.TaskPenaltyNone,
		},
	}
	for _, name := range specPresetNames {
		w := want[name]
		w.CreatorShare = 0.5
		w.TeamTask = fanclub.TeamTask{WeeklyGoal: 5000, RewardPoints: 50}
		assertSpecDimension(t, name, "dimension 6 (revenue)", loadSpecPreset(t, name).Revenue, w)
	}
}

func TestPresetDimension7Minors(t *testing.T) {
	t.Parallel()
	want := map[string]fanclub.MinorsRule{
		"wechat-channels": {
			Verification:     fanclub.VerifyBankCard,
			VerifyBeforePaid: true,
			ConsumptionAudit: fanclub.AuditFaceVerification,
			Guardian:         fanclub.GuardianRule{RemoteExit: true, UnilateralUnlink: true},
		},
		"douyin": {
			Verification:         fanclub.VerifySelfDeclared,
			ConsumptionAudit:     fanclub.AuditNone,
			RefundOnlyIfDeclared: true,
			Guardian: fanclub.GuardianRule{
				RemoteExit:       true,
				NotarizedProof:   true,
				ManualApproval:   true,
				UnilateralUnlink: true,
			},
		},
		"kuaishou": {
			Verification:     fanclub.VerifyGuardianInherited,
			ConsumptionAudit: fanclub.AuditBookedToGuardian,
			Guardian:         fanclub.GuardianRule{UnilateralUnlink: false},
		},
		"fair": {
			Verification:     fanclub.VerifyIDCheck,
			VerifyBeforePaid: true,
			ConsumptionAudit: fanclub.AuditGuardianView,
			NoTipping:        true,
			SpendingCaps: []fanclub.SpendingCap{
				{MinAge: 0, MaxAge: 7, PerDay: 0, PerTransaction: 0},
				{MinAge: 8, MaxAge: 15, PerDay: 10000, PerTransaction: 5000},
				{MinAge: 16, MaxAge: 17, PerDay: 20000, PerTransaction: 10000},
			},
			Guardian: fanclub.GuardianRule{
				RemoteExit:      true,
				ViewConsumption: true,
				OneStepRefund:   true,
				Erasure:         true,
			},
		},
	}
	for _, name := range specPresetNames {
		w := want[name]
		w.AdultAge = 18
		assertSpecDimension(t, name, "dimension 7 (minors)", loadSpecPreset(t, name).Minors, w)
	}
}

func TestPresetDimension8Portability(t *testing.T) {
	t.Parallel()
	want := map[string]fanclub.PortabilityRule{
		"wechat-channels": {},
		"douyin":          {},
		"kuaishou":        {},
		"fair": {
			Export:     []fanclub.ExportFormat{fanclub.ExportJSON, fanclub.ExportCSV, fanclub.ExportActivityStreams},
			InExitFlow: true,
			Import:     true,
		},
	}
	for _, name := range specPresetNames {
		assertSpecDimension(t, name, "dimension 8 (portability)", loadSpecPreset(t, name).Portability, want[name])
	}
}

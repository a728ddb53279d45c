package fanclub

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// validFullPolicy builds a complete policy that passes Validate.
func validFullPolicy() *Policy {
	p := presetPolicy("douyin")
	p.Metadata = PolicyMetadata{
		Name: "valid-test", TimeZone: "Asia/Shanghai", Jurisdiction: JurisdictionCN,
		DisplayName: Localized{ZH: "测试", EN: "Test"},
	}
	p.Engagement.TierMultipliers = []TierMultiplier{{Tier: "vip", Multiplier: 1}}
	p.Join = JoinRule{Entry: SurfaceClubPage, Path: []Localized{{EN: "Join"}}}
	p.Exit.Entry = SurfaceClubPage
	p.Exit.Path = []Localized{{EN: "Exit"}}
	p.Paid = PaidRule{
		Currency: "CNY",
		Plans:    []Plan{PlanMonthly, PlanAnnual},
		Tiers: []Tier{{Name: "vip", Prices: []PlanPrice{
			{Plan: PlanMonthly, Price: 1500}, {Plan: PlanAnnual, Price: 15000}}}},
		AutoRenew: AutoRenewRule{StoppedBy: RenewalStopExit},
		Default:   "refund",
		Options: []PaidExitOption{{Name: "refund", BenefitsEnd: BenefitsAfterExit, BenefitsAfter: Hours(24),
			Refunds: []RefundRule{{Plan: PlanMonthly, Method: RefundUnusedDays, Ratio: 1}}}},
	}
	p.Data = DataRule{DeviceIDs: DeviceErase, Follow: FollowKeep,
		LegalHolds: []LegalHold{{Records: "transaction_records", Retention: Days(1096), Basis: "law"}}}
	p.Revenue = RevenueRule{CreatorShare: 0.5, PendingShare: PendingKeep, TipReturn: TipReturnRatio, TipReturnRatio: 0.5,
		TaskPenalty: TaskPenaltyTiered, PenaltySteps: []PenaltyStep{{Exits: 1, Window: Days(90)}, {Exits: 2, Window: Days(90), BarFor: Days(7)}}}
	p.Minors = MinorsRule{AdultAge: 18, Verification: VerifyIDCheck, ConsumptionAudit: AuditGuardianView,
		SpendingCaps: []SpendingCap{{MinAge: 8, MaxAge: 15, PerDay: 100, PerTransaction: 50}}}
	p.Portability = PortabilityRule{Export: []ExportFormat{ExportJSON}, InExitFlow: true}
	return p
}

func TestValidateAcceptsValidPolicy(t *testing.T) {
	t.Parallel()
	if errs := validFullPolicy().Validate(); len(errs) != 0 {
		t.Fatalf("Validate() = %v, want none", errs)
	}
}

func TestValidateReportsEachProblem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(p *Policy)
		paths []string // every path reported, in order
		found string   // Found of the first error, when checked
	}{
		{"api version", func(p *Policy) { p.APIVersion = "v2" }, []string{"apiVersion"}, `"v2"`},
		{"kind", func(p *Policy) { p.Kind = "" }, []string{"kind"}, `""`},
		{"slug", func(p *Policy) { p.Metadata.Name = "Bad Name" }, []string{"metadata.name"}, `"Bad Name"`},
		{"display name", func(p *Policy) { p.Metadata.DisplayName = Localized{} }, []string{"metadata.displayName"}, ""},
		{"time zone", func(p *Policy) { p.Metadata.TimeZone = "Mars/Olympus" }, []string{"metadata.timeZone"}, `"Mars/Olympus"`},
		{"jurisdiction", func(p *Policy) { p.Metadata.Jurisdiction = "XX" }, []string{"metadata.jurisdiction"}, `"XX"`},
		{"unknown action", func(p *Policy) { p.Engagement.Actions[1].Action = "poke" }, []string{"engagement.actions[1].action"}, `"poke"`},
		{"duplicate action", func(p *Policy) { p.Engagement.Actions[2].Action = ActionLike }, []string{"engagement.actions[2].action"}, `"like"`},
		{"negative cap", func(p *Policy) { p.Engagement.Actions[0].DailyCap = -1 }, []string{"engagement.actions[0].dailyCap"}, "-1"},
		{"no levels", func(p *Policy) { p.Engagement.Levels = nil }, []string{"engagement.levels"}, "none"},
		{"first level", func(p *Policy) { p.Engagement.Levels = []int64{5, 10} }, []string{"engagement.levels[0]"}, "5"},
		{"levels not increasing", func(p *Policy) { p.Engagement.Levels = []int64{0, 100, 100, 50} },
			[]string{"engagement.levels[2]", "engagement.levels[3]"}, "100"},
		{"zero lit window", func(p *Policy) { p.Engagement.LitWindow = Span{} }, []string{"engagement.litWindow"}, `"0"`},
		{"tier multiplier", func(p *Policy) { p.Engagement.TierMultipliers[0].Multiplier = 0 }, []string{"engagement.tierMultipliers[0].multiplier"}, "0"},
		{"infinite multiplier", func(p *Policy) { p.Engagement.TierMultipliers[0].Multiplier = math.Inf(1) }, []string{"engagement.tierMultipliers[0].multiplier"}, "+Inf"},
		{"multiplier tier unknown", func(p *Policy) { p.Engagement.TierMultipliers[0].Tier = "gold" }, []string{"engagement.tierMultipliers[0].tier"}, `"gold"`},
		{"refund trigger", func(p *Policy) { p.Paid.RefundOn = "renewal" }, []string{"paid.refundOn"}, `"renewal"`},
		{"cancel refund without cancel", func(p *Policy) {
			p.Paid.RefundOn, p.Paid.AutoRenew.StoppedBy = RefundOnCancel, RenewalStopRevokeAgreement
		}, []string{"paid.refundOn"}, `"cancel"`},
		{"join entry", func(p *Policy) { p.Join.Entry = "nowhere" }, []string{"join.entry"}, `"nowhere"`},
		{"no exit challenge", func(p *Policy) { p.Exit.Challenges = nil }, []string{"exit.challenges"}, "none"},
		{"unknown challenge", func(p *Policy) { p.Exit.Challenges = []Challenge{"riddle"} }, []string{"exit.challenges[0]"}, `"riddle"`},
		{"challenge ttl", func(p *Policy) { p.Exit.ChallengeTTL = Forever() }, []string{"exit.challengeTTL"}, `"forever"`},
		{"max attempts", func(p *Policy) { p.Exit.MaxAttempts = 0 }, []string{"exit.maxAttempts"}, "0"},
		{"slider tolerance", func(p *Policy) { p.Exit.SliderTolerance = 0 }, []string{"exit.sliderTolerance"}, "0"},
		{"progress default", func(p *Policy) { p.Progress.Default = "keep" }, []string{"progress.default"}, `"keep"`},
		{"option names", func(p *Policy) {
			p.Progress.Options = append(p.Progress.Options, p.Progress.Options[0], ProgressOption{Decay: DecayNone, Restore: RestoreNone})
		}, []string{"progress.options[1].name", "progress.options[2].name"}, `"retain"`},
		{"convert ratio", func(p *Policy) { p.Progress.Options[0].ConvertToGeneral = 1.5 }, []string{"progress.options[0].convertToGeneral"}, "1.5"},
		{"linear decay retention", func(p *Policy) { p.Progress.Options[0].Retention = CalendarDays(3) }, []string{"progress.options[0].retention"}, `"3 calendar days"`},
		{"decay enum", func(p *Policy) { p.Progress.Options[0].Decay = "fast" }, []string{"progress.options[0].decay"}, `"fast"`},
		{"currency", func(p *Policy) { p.Paid.Currency = "yuan" }, []string{"paid.currency"}, `"yuan"`},
		{"duplicate plan", func(p *Policy) { p.Paid.Plans = append(p.Paid.Plans, PlanMonthly) }, []string{"paid.plans[2]"}, `"monthly"`},
		{"missing price", func(p *Policy) { p.Paid.Tiers[0].Prices = p.Paid.Tiers[0].Prices[:1] }, []string{"paid.tiers[0].prices"}, `"annual"`},
		{"price for plan not offered", func(p *Policy) {
			p.Paid.Tiers[0].Prices = append(p.Paid.Tiers[0].Prices, PlanPrice{Plan: PlanQuarterly, Price: 1})
		}, []string{"paid.tiers[0].prices[2].plan"}, `"quarterly"`},
		{"price zero", func(p *Policy) { p.Paid.Tiers[0].Prices[1].Price = 0 }, []string{"paid.tiers[0].prices[1].price"}, "0"},
		{"refund plan not offered", func(p *Policy) { p.Paid.Options[0].Refunds[0].Plan = PlanQuarterly }, []string{"paid.options[0].refunds[0].plan"}, `"quarterly"`},
		{"refund ratio", func(p *Policy) { p.Paid.Options[0].Refunds[0].Ratio = -0.1 }, []string{"paid.options[0].refunds[0].ratio"}, "-0.1"},
		{"paid default", func(p *Policy) { p.Paid.Default = "" }, []string{"paid.default"}, `""`},
		{"benefits after", func(p *Policy) { p.Paid.Options[0].BenefitsEnd = BenefitsPeriodEnd }, []string{"paid.options[0].benefitsAfter"}, `"1d"`},
		{"effect factor", func(p *Policy) {
			p.Effects = append(p.Effects, EffectRule{Kind: EffectRecommendationWeight, Duration: Days(1), Scope: ScopeClub, Factor: 0})
		}, []string{"effects[1].factor"}, "0"},
		{"restriction without actions", func(p *Policy) { p.Effects[0].Actions = nil }, []string{"effects[0].actions"}, "none"},
		{"duplicate effect", func(p *Policy) { p.Effects = append(p.Effects, p.Effects[0]) }, []string{"effects[1].kind"}, `"interaction_restricted"`},
		{"effect scope", func(p *Policy) { p.Effects[0].Scope = "planet" }, []string{"effects[0].scope"}, `"planet"`},
		{"device ids", func(p *Policy) { p.Data.DeviceIDs = "sell" }, []string{"data.deviceIds"}, `"sell"`},
		{"creator share", func(p *Policy) { p.Revenue.CreatorShare = 2 }, []string{"revenue.creatorShare"}, "2"},
		{"tiered needs steps", func(p *Policy) { p.Revenue.PenaltySteps = nil }, []string{"revenue.penaltySteps"}, "none"},
		{"steps increase", func(p *Policy) { p.Revenue.PenaltySteps[1].Exits = 1 }, []string{"revenue.penaltySteps[1].exits"}, "1"},
		{"tip ratio", func(p *Policy) { p.Revenue.TipReturnRatio = 0 }, []string{"revenue.tipReturnRatio"}, "0"},
		{"caps band", func(p *Policy) { p.Minors.SpendingCaps[0].MaxAge = 18 }, []string{"minors.spendingCaps[0].maxAge"}, "18"},
		{"caps order", func(p *Policy) { p.Minors.SpendingCaps[0].MinAge = 16 }, []string{"minors.spendingCaps[0].minAge"}, "16"},
		{"verification", func(p *Policy) { p.Minors.Verification = "" }, []string{"minors.verification"}, `""`},
		{"export", func(p *Policy) { p.Portability.Export = []ExportFormat{"xml"} }, []string{"portability.export[0]"}, `"xml"`},
		{"export in exit flow", func(p *Policy) { p.Portability.Export = nil }, []string{"portability.inExitFlow"}, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := validFullPolicy()
			tt.edit(p)
			errs := p.Validate()
			var paths []string
			for _, e := range errs {
				paths = append(paths, e.Path)
			}
			if !slices.Equal(paths, tt.paths) {
				t.Fatalf("paths = %q, want %q\nerrors: %v", paths, tt.paths, errs)
			}
			if errs[0].Found != tt.found {
				t.Errorf("found = %q, want %q", errs[0].Found, tt.found)
			}
			if errs[0].Message == "" || (errs[0].Allowed == "" && tt.found != "") {
				t.Errorf("error lacks message or allowed values: %+v", errs[0])
			}
		})
	}
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	p := validFullPolicy()
	p.Kind = "Other"
	p.Exit.MaxAttempts = 0
	p.Revenue.CreatorShare = 1.5
	if n := len(p.Validate()); n != 3 {
		t.Fatalf("got %d errors, want 3: %v", n, p.Validate())
	}
}

func TestValidateAllowedListsEnumValues(t *testing.T) {
	t.Parallel()
	p := validFullPolicy()
	p.Metadata.Jurisdiction = "XX"
	errs := p.Validate()
	if len(errs) != 1 || errs[0].Allowed != "CN, EU, US, none" {
		t.Fatalf("errors = %+v", errs)
	}
	if s := errs[0].String(); !strings.Contains(s, `metadata.jurisdiction: unknown value (found "XX"; allowed: CN, EU, US, none)`) {
		t.Fatalf("String() = %q", s)
	}
}

func TestPolicyLocation(t *testing.T) {
	t.Parallel()
	p := validFullPolicy()
	loc, err := p.Location()
	if err != nil || loc.String() != "Asia/Shanghai" {
		t.Fatalf("Location() = %v, %v", loc, err)
	}
	if _, off := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Zone(); off != 8*3600 {
		t.Fatalf("offset = %d", off)
	}
	for _, tz := range []string{"", "Nowhere/City"} {
		p.Metadata.TimeZone = tz
		if _, err := p.Location(); ErrorCode(err) != EINVALID {
			t.Errorf("Location(%q) error = %v, want invalid", tz, err)
		}
	}
}

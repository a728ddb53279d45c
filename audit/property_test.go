package audit_test

import (
	"bytes"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"fanclub"
	"fanclub/audit"
	"fanclub/policyfile"
)

// TestSpendingCapCoverage checks MINORS-CAPS finds the youngest uncovered
// age whatever the order of the bands.
func TestSpendingCapCoverage(t *testing.T) {
	t.Parallel()
	band := func(lo, hi int) fanclub.SpendingCap {
		return fanclub.SpendingCap{MinAge: lo, MaxAge: hi, PerDay: 1, PerTransaction: 1}
	}
	tests := []struct {
		name  string
		caps  []fanclub.SpendingCap
		fires bool
	}{
		{"covered", []fanclub.SpendingCap{band(0, 7), band(8, 17)}, false},
		{"unordered", []fanclub.SpendingCap{band(8, 17), band(0, 7)}, false},
		{"overlapping", []fanclub.SpendingCap{band(0, 10), band(5, 17)}, false},
		{"gap", []fanclub.SpendingCap{band(0, 7), band(9, 17)}, true},
		{"short", []fanclub.SpendingCap{band(0, 16)}, true},
		{"late start", []fanclub.SpendingCap{band(1, 17)}, true},
	}
	for _, tt := range tests {
		p := presetPolicy(t, "fair")
		p.Minors.SpendingCaps = tt.caps
		got := slices.Contains(ruleIDs(audit.Run(p)), "MINORS-CAPS")
		if got != tt.fires {
			t.Errorf("%s: fires=%v, want %v", tt.name, got, tt.fires)
		}
	}
}

// drawPolicy draws a policy from the fair preset with every audited field
// replaced by an arbitrary allowed value.
func drawPolicy(t *rapid.T, base *fanclub.Policy) *fanclub.Policy {
	p := *base
	span := rapid.Custom(func(t *rapid.T) fanclub.Span {
		switch rapid.IntRange(0, 3).Draw(t, "spanKind") {
		case 0:
			return fanclub.Span{}
		case 1:
			return fanclub.Forever()
		case 2:
			return fanclub.CalendarDays(rapid.IntRange(1, 400).Draw(t, "calendarDays"))
		}
		return fanclub.Hours(rapid.IntRange(1, 10000).Draw(t, "hours"))
	})
	p.Metadata.Jurisdiction = rapid.SampledFrom(fanclub.Jurisdictions).Draw(t, "jurisdiction")
	p.Join.Entry = rapid.SampledFrom(fanclub.Surfaces).Draw(t, "joinEntry")
	p.Exit.Entry = rapid.SampledFrom(fanclub.Surfaces).Draw(t, "exitEntry")
	p.Exit.Challenges = rapid.SliceOfN(rapid.SampledFrom(fanclub.Challenges), 0, 4).Draw(t, "challenges")
	p.Join.Challenges = rapid.SliceOfN(rapid.SampledFrom(fanclub.Challenges), 0, 2).Draw(t, "joinChallenges")
	p.Exit.Path = make([]fanclub.Localized, rapid.IntRange(1, 5).Draw(t, "exitSteps"))
	p.Exit.ShowsImpact = rapid.Bool().Draw(t, "showsImpact")
	p.Exit.Receipt = rapid.Bool().Draw(t, "receipt")
	p.Progress.RejoinCooldown = span.Draw(t, "cooldown")
	p.Progress.Options = rapid.SliceOfN(rapid.Custom(func(t *rapid.T) fanclub.ProgressOption {
		return fanclub.ProgressOption{
			Name:             rapid.StringMatching(`[a-z]{1,6}`).Draw(t, "name"),
			Retention:        span.Draw(t, "retention"),
			Decay:            rapid.SampledFrom(fanclub.Decays).Draw(t, "decay"),
			ConvertToGeneral: rapid.Float64Range(0, 1).Draw(t, "convert"),
		}
	}), 0, 3).Draw(t, "progressOptions")
	if len(p.Progress.Options) > 0 {
		p.Progress.Default = p.Progress.Options[0].Name
	}
	p.Paid.AutoRenew = fanclub.AutoRenewRule{
		StopsOnExit:     rapid.Bool().Draw(t, "stopsOnExit"),
		StoppedBy:       rapid.SampledFrom(fanclub.RenewalStops).Draw(t, "stoppedBy"),
		ReminderBefore:  span.Draw(t, "reminder"),
		ChargeNotice:    rapid.Bool().Draw(t, "chargeNotice"),
		ExplicitConsent: rapid.Bool().Draw(t, "consent"),
	}
	p.Paid.Options = rapid.SliceOfN(rapid.Custom(func(t *rapid.T) fanclub.PaidExitOption {
		return fanclub.PaidExitOption{
			Name: rapid.StringMatching(`[a-z]{1,6}`).Draw(t, "name"),
			Refunds: rapid.SliceOfN(rapid.Custom(func(t *rapid.T) fanclub.RefundRule {
				return fanclub.RefundRule{
					Plan:   rapid.SampledFrom(fanclub.Plans).Draw(t, "plan"),
					Method: rapid.SampledFrom(fanclub.RefundMethods).Draw(t, "method"),
					Ratio:  rapid.Float64Range(0, 1).Draw(t, "ratio"),
				}
			}), 0, 3).Draw(t, "refunds"),
			BenefitsEnd: rapid.SampledFrom(fanclub.BenefitsEnds).Draw(t, "benefitsEnd"),
		}
	}), 0, 3).Draw(t, "paidOptions")
	p.Effects = rapid.SliceOfN(rapid.Custom(func(t *rapid.T) fanclub.EffectRule {
		return fanclub.EffectRule{
			Kind:     rapid.SampledFrom(fanclub.EffectKinds).Draw(t, "kind"),
			Duration: span.Draw(t, "duration"),
			Scope:    rapid.SampledFrom(fanclub.Scopes).Draw(t, "scope"),
			Actions:  rapid.SliceOfN(rapid.SampledFrom(fanclub.Actions), 0, 3).Draw(t, "actions"),
		}
	}), 0, 3).Draw(t, "effects")
	p.Data.BehaviourLogRetention = span.Draw(t, "logs")
	p.Data.DeviceIDs = rapid.SampledFrom(fanclub.DeviceHandlings).Draw(t, "device")
	p.Data.KeepInteractionRecords = rapid.Bool().Draw(t, "interactions")
	p.Revenue.PendingShare = rapid.SampledFrom(fanclub.PendingShareHandlings).Draw(t, "pending")
	p.Revenue.TipReturn = rapid.SampledFrom(fanclub.TipReturns).Draw(t, "tipReturn")
	p.Revenue.TaskPenalty = rapid.SampledFrom(fanclub.TaskPenalties).Draw(t, "taskPenalty")
	p.Minors.AdultAge = rapid.IntRange(0, 21).Draw(t, "adultAge")
	p.Minors.Verification = rapid.SampledFrom(fanclub.AgeVerifications).Draw(t, "verification")
	p.Minors.ConsumptionAudit = rapid.SampledFrom(fanclub.ConsumptionAudits).Draw(t, "consumptionAudit")
	p.Minors.NoTipping = rapid.Bool().Draw(t, "noTipping")
	p.Minors.Guardian.Erasure = rapid.Bool().Draw(t, "erasure")
	p.Minors.Guardian.RemoteExit = rapid.Bool().Draw(t, "remoteExit")
	p.Portability.Export = rapid.SliceOfN(rapid.SampledFrom(fanclub.ExportFormats), 0, 3).Draw(t, "export")
	p.Portability.InExitFlow = rapid.Bool().Draw(t, "inExitFlow")
	return &p
}

// TestRunProperties checks, on arbitrary policies, that Run is
// deterministic and ordered, that every finding comes from a catalogue rule
// applying to the policy's jurisdiction with texts in both languages, and
// that both output formats render.
func TestRunProperties(t *testing.T) {
	t.Parallel()
	base := presetPolicy(t, "fair")
	rules := map[string]audit.Rule{}
	for _, r := range audit.Catalogue() {
		rules[r.ID] = r
	}
	rapid.Check(t, func(t *rapid.T) {
		p := drawPolicy(t, base)
		fs := audit.Run(p)
		if again := audit.Run(p); !slices.EqualFunc(fs, again, func(a, b audit.Finding) bool {
			return a.RuleID == b.RuleID && a.Field == b.Field && a.Message == b.Message
		}) {
			t.Fatal("Run is not deterministic")
		}
		for i, f := range fs {
			r, ok := rules[f.RuleID]
			if !ok || !r.AppliesTo(p.Metadata.Jurisdiction) {
				t.Fatalf("finding of unknown or inapplicable rule %s", f.RuleID)
			}
			if f.Field == "" || f.Message.EN == "" || f.Message.ZH == "" || len(f.Basis) != len(r.Basis) {
				t.Fatalf("incomplete finding %+v", f)
			}
			if i > 0 && (fs[i-1].Dimension > f.Dimension || fs[i-1].Dimension == f.Dimension && fs[i-1].RuleID > f.RuleID) {
				t.Fatalf("out of order at %d", i)
			}
		}
		for _, format := range []string{"md", "json"} {
			if err := audit.Render(&bytes.Buffer{}, []audit.Report{{Policy: "x", Findings: fs}}, format, "zh"); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzAuditPolicyFile audits whatever policy file text parses: auditing
// and rendering an accepted policy never fails.
func FuzzAuditPolicyFile(f *testing.F) {
	for _, name := range []string{"fair", "douyin", "kuaishou", "wechat-channels"} {
		data, err := readPreset(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := policyfile.Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		r := audit.Audit(p)
		for _, format := range []string{"md", "json"} {
			if err := audit.Render(&bytes.Buffer{}, []audit.Report{r}, format, "en"); err != nil {
				t.Fatal(err)
			}
		}
	})
}

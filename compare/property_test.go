package compare

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"fanclub"
)

// spanGen draws a policy span: zero, exact hours or days, calendar days or forever.
func spanGen() *rapid.Generator[fanclub.Span] {
	return rapid.OneOf(
		rapid.Just(fanclub.Span{}),
		rapid.Just(fanclub.Forever()),
		rapid.Map(rapid.IntRange(1, 200), func(n int) fanclub.Span { return fanclub.Hours(n) }),
		rapid.Map(rapid.IntRange(1, 400), func(n int) fanclub.Span { return fanclub.Days(n) }),
		rapid.Map(rapid.IntRange(1, 30), func(n int) fanclub.Span { return fanclub.CalendarDays(n) }),
	)
}

// randomPolicy draws a policy from the fair preset with every enumerated
// value, flag and span of the eight dimensions redrawn.
func randomPolicy(t *rapid.T, base *fanclub.Policy) *fanclub.Policy {
	p := *base
	p.Exit.Challenges = rapid.SliceOfN(rapid.SampledFrom(fanclub.Challenges), 0, 4).Draw(t, "challenges")
	p.Exit.ShowsImpact = rapid.Bool().Draw(t, "showsImpact")
	p.Exit.ClaimedTime = fanclub.Span{Exact: time.Duration(rapid.IntRange(0, 300).Draw(t, "claimed")) * time.Second}
	opt := fanclub.ProgressOption{Name: "only", Retention: spanGen().Draw(t, "retention"),
		Decay:            rapid.SampledFrom(fanclub.Decays).Draw(t, "decay"),
		ConvertToGeneral: rapid.SampledFrom([]float64{0, 0.25, 0.5, 1}).Draw(t, "convert"),
		Restore:          rapid.SampledFrom(fanclub.Restores).Draw(t, "restore"),
		DeleteHistory:    rapid.Bool().Draw(t, "deleteHistory")}
	p.Progress = fanclub.ProgressRule{Default: "only", Options: []fanclub.ProgressOption{opt},
		RejoinCooldown: spanGen().Draw(t, "cooldown")}
	p.Paid.AutoRenew.StopsOnExit = rapid.Bool().Draw(t, "stopsOnExit")
	p.Paid.AutoRenew.StoppedBy = rapid.SampledFrom(fanclub.RenewalStops).Draw(t, "stoppedBy")
	var refunds []fanclub.RefundRule
	for _, pl := range fanclub.Plans {
		refunds = append(refunds, fanclub.RefundRule{Plan: pl,
			Method: rapid.SampledFrom(fanclub.RefundMethods).Draw(t, "method"),
			Ratio:  rapid.SampledFrom([]float64{0, 0.3, 0.5, 1}).Draw(t, "ratio")})
	}
	p.Paid.Options = []fanclub.PaidExitOption{{Name: "only", Refunds: refunds,
		BenefitsEnd:   rapid.SampledFrom(fanclub.BenefitsEnds).Draw(t, "benefitsEnd"),
		BenefitsAfter: spanGen().Draw(t, "benefitsAfter")}}
	p.Paid.Default = "only"
	p.Effects = nil
	for _, k := range rapid.SliceOfNDistinct(rapid.SampledFrom(fanclub.EffectKinds), 0, 3, rapid.ID[fanclub.EffectKind]).Draw(t, "effects") {
		p.Effects = append(p.Effects, fanclub.EffectRule{Kind: k, Duration: spanGen().Draw(t, "duration"),
			Factor: 0.5, Actions: rapid.SliceOfN(rapid.SampledFrom(fanclub.Actions), 1, 3).Draw(t, "actions")})
	}
	p.Data.BehaviourLogRetention = spanGen().Draw(t, "logs")
	p.Data.DeviceIDs = rapid.SampledFrom(fanclub.DeviceHandlings).Draw(t, "device")
	p.Data.Follow = rapid.SampledFrom(fanclub.FollowHandlings).Draw(t, "follow")
	p.Data.KeepInteractionRecords = rapid.Bool().Draw(t, "records")
	p.Revenue.PendingShare = rapid.SampledFrom(fanclub.PendingShareHandlings).Draw(t, "pending")
	p.Revenue.TipReturn = rapid.SampledFrom(fanclub.TipReturns).Draw(t, "tip")
	p.Revenue.TipReturnRatio = rapid.SampledFrom([]float64{0.2, 0.5, 1}).Draw(t, "tipRatio")
	p.Revenue.TaskPenalty = rapid.SampledFrom(fanclub.TaskPenalties).Draw(t, "task")
	p.Minors.Verification = rapid.SampledFrom(fanclub.AgeVerifications).Draw(t, "verify")
	p.Minors.VerifyBeforePaid = rapid.Bool().Draw(t, "verifyBeforePaid")
	p.Minors.ConsumptionAudit = rapid.SampledFrom(fanclub.ConsumptionAudits).Draw(t, "audit")
	p.Minors.RefundOnlyIfDeclared = rapid.Bool().Draw(t, "declared")
	p.Minors.Guardian.RemoteExit = rapid.Bool().Draw(t, "remoteExit")
	p.Minors.Guardian.NotarizedProof = rapid.Bool().Draw(t, "notarized")
	p.Minors.Guardian.UnilateralUnlink = rapid.Bool().Draw(t, "unlink")
	p.Portability.Export = rapid.SliceOfNDistinct(rapid.SampledFrom(fanclub.ExportFormats), 0, 3, rapid.ID[fanclub.ExportFormat]).Draw(t, "export")
	return &p
}

// TestAnyPolicyRenders checks that every combination of allowed values
// renders in both languages with every cell filled, and that the level and
// cooldown cells carry the policy's numbers.
func TestAnyPolicyRenders(t *testing.T) {
	t.Parallel()
	base := presetPolicy(t, "fair")
	unfilled := regexp.MustCompile(`\{[a-z]+\}`)
	rapid.Check(t, func(t *rapid.T) {
		p := randomPolicy(t, base)
		for _, lang := range Languages {
			c, err := Build([]*fanclub.Policy{p}, lang)
			if err != nil {
				t.Fatalf("Build(%s): %v", lang, err)
			}
			for _, tab := range c.Dimensions {
				for _, s := range tab.Rows[0].Cells {
					if s == "" || unfilled.MatchString(s) || strings.Contains(s, "labels") {
						t.Fatalf("%s dimension %d: unfilled cell %q", lang, tab.Number, s)
					}
				}
			}
		}
		zh, _ := Build([]*fanclub.Policy{p}, "zh")
		for _, tc := range []struct {
			span fanclub.Span
			dim  int
			col  int
		}{{p.Progress.Options[0].Retention, 2, 1}, {p.Progress.RejoinCooldown, 2, 3}} {
			if tc.span.IsZero() || tc.span.Forever {
				continue
			}
			n := tc.span.CalendarDays
			if d, ok := tc.span.WholeDays(); ok && d > 3 {
				n = d
			} else if n == 0 {
				n = int(tc.span.Exact / time.Hour)
			}
			if cell := zh.Dimensions[tc.dim-1].Rows[0].Cells[tc.col]; !strings.Contains(cell, strconv.Itoa(n)) {
				t.Fatalf("dimension %d cell %q lacks %d (span %s)", tc.dim, cell, n, tc.span)
			}
		}
	})
}

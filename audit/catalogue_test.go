package audit_test

import (
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"fanclub"
	"fanclub/audit"
)

// breaks holds, for every rule, a change to the fair preset that the rule
// must catch. A rule missing here fails TestEveryRuleFires.
var breaks = map[string]func(p *fanclub.Policy){
	"EXIT-CHALLENGE":        func(p *fanclub.Policy) { p.Exit.Challenges = []fanclub.Challenge{fanclub.ChallengePassword} },
	"EXIT-CONFIRM-REPEATED": func(p *fanclub.Policy) { p.Exit.Challenges = []fanclub.Challenge{"confirm", "confirm"} },
	"EXIT-ENTRY":            func(p *fanclub.Policy) { p.Exit.Entry = fanclub.SurfaceSettings },
	"EXIT-PATH-LONGER":      func(p *fanclub.Policy) { p.Exit.Path = append(p.Exit.Path, fanclub.Localized{EN: "Are you sure?"}) },
	"EXIT-RECEIPT":          func(p *fanclub.Policy) { p.Exit.Receipt = false },
	"EXIT-PREVIEW":          func(p *fanclub.Policy) { p.Exit.ShowsImpact = false },
	"PROGRESS-COOLDOWN":     func(p *fanclub.Policy) { p.Progress.RejoinCooldown = fanclub.Hours(25) },
	"PROGRESS-DECAY":        func(p *fanclub.Policy) { p.Progress.Options[1].Decay = fanclub.DecayLinearDaily },
	"PROGRESS-HISTORY-ERASED": func(p *fanclub.Policy) {
		p.Progress.Options = p.Progress.Options[:1]
	},
	"PROGRESS-OPTIN":             func(p *fanclub.Policy) { p.Progress.Default = "keep" },
	"PROGRESS-RETENTION-FOREVER": func(p *fanclub.Policy) { p.Progress.Options[1].Retention = fanclub.Forever() },
	"PAID-CANCEL-ELSEWHERE": func(p *fanclub.Policy) {
		p.Paid.AutoRenew.StoppedBy = fanclub.RenewalStopRevokeAgreement
	},
	"PAID-CHARGE-NOTICE": func(p *fanclub.Policy) { p.Paid.AutoRenew.ChargeNotice = false },
	"PAID-CONSENT":       func(p *fanclub.Policy) { p.Paid.AutoRenew.ExplicitConsent = false },
	"PAID-NO-REFUND": func(p *fanclub.Policy) {
		p.Paid.Options = p.Paid.Options[:1]
		p.Paid.Options[0].BenefitsEnd = fanclub.BenefitsAfterExit
	},
	"PAID-PARTIAL-REFUND": func(p *fanclub.Policy) { p.Paid.Options[1].Refunds[2].Ratio = 0.9 },
	"PAID-REFUND-ROUNDING": func(p *fanclub.Policy) {
		p.Paid.Options[1].Refunds[0].Method = fanclub.RefundUnusedMonths
	},
	"PAID-REMINDER":       func(p *fanclub.Policy) { p.Paid.AutoRenew.ReminderBefore = fanclub.Days(1) },
	"PAID-RENEW-OUTLIVES": func(p *fanclub.Policy) { p.Paid.AutoRenew.StopsOnExit = false },
	"EFFECT-PENALTY": func(p *fanclub.Policy) {
		p.Effects = []fanclub.EffectRule{{Kind: fanclub.EffectRecommendationWeight, Duration: fanclub.Days(1), Factor: 0.9, Scope: fanclub.ScopeClub}}
	},
	"EFFECT-VISIBILITY": func(p *fanclub.Policy) {
		p.Effects = []fanclub.EffectRule{{Kind: fanclub.EffectMemberCountHidden, Duration: fanclub.Forever(), EndsOnRejoin: true, Scope: fanclub.ScopeClub}}
	},
	"DATA-DEVICE-KEPT":       func(p *fanclub.Policy) { p.Data.DeviceIDs = fanclub.DeviceRefresh },
	"DATA-INTERACTIONS-KEPT": func(p *fanclub.Policy) { p.Data.KeepInteractionRecords = true },
	"DATA-LEGAL-HOLD":        func(p *fanclub.Policy) { p.Data.LegalHolds[0].Basis = "" },
	"DATA-LOGS-FOREVER":      func(p *fanclub.Policy) { p.Data.BehaviourLogRetention = fanclub.Forever() },
	"DATA-WINDOW":            func(p *fanclub.Policy) { p.Data.BehaviourLogRetention = fanclub.Days(31) },
	"REVENUE-CHARGE":         func(p *fanclub.Policy) { p.Revenue.TipReturn = fanclub.TipReturnDamages },
	"REVENUE-CLAWBACK":       func(p *fanclub.Policy) { p.Revenue.PendingShare = fanclub.PendingDeductAtSettlement },
	"REVENUE-TASK-PENALTY":   func(p *fanclub.Policy) { p.Revenue.TaskPenalty = fanclub.TaskPenaltyPermanentBar },
	"MINORS-CAPS":            func(p *fanclub.Policy) { p.Minors.SpendingCaps = p.Minors.SpendingCaps[1:] },
	"MINORS-CONSUMPTION-RECORD": func(p *fanclub.Policy) {
		p.Minors.ConsumptionAudit = fanclub.AuditBookedToGuardian
	},
	"MINORS-GUARDIAN":           func(p *fanclub.Policy) { p.Minors.Guardian.NotarizedProof = true },
	"MINORS-INHERITED":          func(p *fanclub.Policy) { p.Minors.Verification = fanclub.VerifyGuardianInherited },
	"MINORS-REFUND-CHANNEL":     func(p *fanclub.Policy) { p.Minors.RefundOnlyIfDeclared = true },
	"MINORS-SELF-DECLARED":      func(p *fanclub.Policy) { p.Minors.Verification = fanclub.VerifySelfDeclared },
	"MINORS-TIPPING":            func(p *fanclub.Policy) { p.Minors.NoTipping = false },
	"MINORS-VERIFY-BEFORE-PAID": func(p *fanclub.Policy) { p.Minors.VerifyBeforePaid = false },
	"EXPORT-MISSING":            func(p *fanclub.Policy) { p.Portability.Export = nil; p.Portability.InExitFlow = false },
	"EXPORT-NOT-IN-EXIT":        func(p *fanclub.Policy) { p.Portability.InExitFlow = false },
}

// TestEveryRuleFires checks each rule catches its constructed breach of the
// fair preset, stays silent on fair itself, and that the breach produces
// findings only of that rule (each check tests what it says).
func TestEveryRuleFires(t *testing.T) {
	t.Parallel()
	if fs := audit.Run(presetPolicy(t, "fair")); len(fs) != 0 {
		t.Fatalf("fair has %d findings: %q", len(fs), ruleIDs(fs))
	}
	for _, r := range audit.Catalogue() {
		t.Run(r.ID, func(t *testing.T) {
			t.Parallel()
			breakIt, ok := breaks[r.ID]
			if !ok {
				t.Fatalf("no constructed breach for %s", r.ID)
			}
			p := presetPolicy(t, "fair")
			breakIt(p)
			fs := audit.Run(p)
			if got := ruleIDs(fs); !slices.Equal(got, []string{r.ID}) {
				t.Fatalf("breach fired %q, want only %s", got, r.ID)
			}
			for _, f := range fs {
				if f.Field == "" || f.Message.EN == "" || f.Message.ZH == "" || f.Fix.EN == "" || f.Fix.ZH == "" {
					t.Errorf("finding lacks field, message or fix: %+v", f)
				}
				if strings.Contains(f.Message.EN+f.Message.ZH, "%!") {
					t.Errorf("bad format in message: %+v", f.Message)
				}
				if f.Severity != r.Severity || f.Dimension != r.Dimension {
					t.Errorf("finding severity/dimension %s/%d, rule %s/%d", f.Severity, f.Dimension, r.Severity, r.Dimension)
				}
			}
		})
	}
	for id := range breaks {
		if !slices.ContainsFunc(audit.Catalogue(), func(r audit.Rule) bool { return r.ID == id }) {
			t.Errorf("breach for unknown rule %s", id)
		}
	}
}

// knownLaws are every Law* identifier of package audit.
var knownLaws = []string{
	audit.LawPIPL, audit.LawMinors, audit.LawMinorsRegs, audit.LawTipping, audit.LawSPC,
	audit.LawOTSM, audit.LawMIIT, audit.LawCRPLRegs, audit.LawECL, audit.LawCSL,
	audit.LawGDPR, audit.LawDSA, audit.LawCRD, audit.LawBGB,
	audit.LawCAARL, audit.LawFTC, audit.LawCOPPA,
}

// regulationRow is a table row of docs/regulations.md: "| `ID` | title |
// cited |", cited being "Art. 15, 16", "§312k" or "—".
var regulationRow = regexp.MustCompile("(?m)^\\| `([A-Z0-9-]+)` \\| ([^|]+) \\| ([^|]+) \\|$")

// regulations reads the legal sources of docs/regulations.md: each law id
// with the set of articles its row lists.
func regulations(t *testing.T) map[string]map[string]bool {
	t.Helper()
	raw, err := os.ReadFile("../docs/regulations.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	for _, m := range regulationRow.FindAllStringSubmatch(string(raw), -1) {
		id, cited := m[1], strings.TrimSpace(m[3])
		if out[id] != nil {
			t.Fatalf("docs/regulations.md lists %s twice", id)
		}
		out[id] = map[string]bool{}
		if strings.HasPrefix(cited, "—") {
			continue
		}
		cited = strings.TrimPrefix(strings.TrimPrefix(cited, "Art. "), "§")
		for _, a := range strings.Split(cited, ", ") {
			out[id][a] = true
		}
	}
	return out
}

// TestCatalogueWellFormed checks every rule has a readable unique ID, a
// dimension 1..8, a severity, a basis listed in docs/regulations.md (law
// and article) and texts in both languages; and that the page lists every
// law the audit knows and no article that no rule cites.
func TestCatalogueWellFormed(t *testing.T) {
	t.Parallel()
	regs := regulations(t)
	if got, want := slices.Sorted(maps.Keys(regs)), slices.Sorted(slices.Values(knownLaws)); !slices.Equal(got, want) {
		t.Errorf("docs/regulations.md lists laws %v, the audit knows %v", got, want)
	}
	cited := map[string]bool{}
	idRE := regexp.MustCompile(`^[A-Z]+(-[A-Z]+)+$`)
	seen := map[string]bool{}
	dims := map[int]bool{}
	for _, r := range audit.Catalogue() {
		if !idRE.MatchString(r.ID) || seen[r.ID] {
			t.Errorf("bad or duplicate id %q", r.ID)
		}
		seen[r.ID] = true
		dims[r.Dimension] = true
		if r.Dimension < 1 || r.Dimension > 8 {
			t.Errorf("%s: dimension %d", r.ID, r.Dimension)
		}
		if !slices.Contains(audit.Severities, r.Severity) {
			t.Errorf("%s: severity %q", r.ID, r.Severity)
		}
		for _, l := range []fanclub.Localized{r.Title, r.Passes, r.Fix} {
			if l.EN == "" || l.ZH == "" {
				t.Errorf("%s: missing text %+v", r.ID, l)
			}
		}
		if len(r.Basis) == 0 {
			t.Errorf("%s: no basis", r.ID)
		}
		for _, b := range r.Basis {
			articles, ok := regs[b.Law]
			if !ok {
				t.Errorf("%s: basis %s not in docs/regulations.md", r.ID, b.Law)
			}
			if b.Article != "" && !articles[b.Article] {
				t.Errorf("%s: article %s of %s not in docs/regulations.md", r.ID, b.Article, b.Law)
			}
			cited[b.Law+" "+b.Article] = true
			if b.Law == audit.LawOTSM && b.Confirmed {
				t.Errorf("%s: the trading measures' article is unconfirmed", r.ID)
			}
		}
	}
	for law, articles := range regs {
		for a := range articles {
			if !cited[law+" "+a] {
				t.Errorf("docs/regulations.md lists %s %s, which no rule cites", law, a)
			}
		}
	}
	for d := 1; d <= 8; d++ {
		if !dims[d] {
			t.Errorf("no rule for dimension %d", d)
		}
	}
}

// TestBasisText pins the rendering of bases in both languages.
func TestBasisText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		b      audit.Basis
		en, zh string
	}{
		{audit.Basis{Law: audit.LawPIPL, Article: "47", Confirmed: true}, "PIPL Art. 47", "《个人信息保护法》第四十七条"},
		{audit.Basis{Law: audit.LawPIPL, Article: "19", Confirmed: true}, "PIPL Art. 19", "《个人信息保护法》第十九条"},
		{audit.Basis{Law: audit.LawMinors, Article: "72", Confirmed: true}, "Minors Protection Law Art. 72", "《未成年人保护法》第七十二条"},
		{audit.Basis{Law: audit.LawMinorsRegs, Article: "44", Confirmed: true}, "Regulations on the Online Protection of Minors (2024) Art. 44", "《未成年人网络保护条例》第四十四条"},
		{audit.Basis{Law: audit.LawOTSM}, "see Online Trading Supervision Measures (2021)", "参见《网络交易监督管理办法》(2021)"},
		{audit.Basis{Law: audit.LawGDPR, Article: "5(1)(e)", Confirmed: true}, "GDPR Art. 5(1)(e)", "《GDPR》第5(1)(e)条"},
		{audit.Basis{Law: audit.LawBGB, Article: "312k", Confirmed: true}, "BGB §312k", "《德国民法典(BGB)》第312k条"},
		{audit.Basis{Law: audit.LawMIIT, Confirmed: true}, "MIIT notice 2023 (工信部信管函〔2023〕26号)", "《工信部信管函〔2023〕26号》"},
		{audit.Basis{Law: audit.LawFTC, Confirmed: true}, "FTC click-to-cancel rule (2024), vacated guidance", "《美国联邦贸易委员会“一键取消”规则(2024)》,已被撤销,仅作参考"},
		{audit.Basis{Law: audit.LawCSL, Article: "110", Confirmed: true}, "Cybersecurity Law Art. 110", "《网络安全法》第一百一十条"},
		{audit.Basis{Law: audit.LawCSL, Article: "105", Confirmed: true}, "Cybersecurity Law Art. 105", "《网络安全法》第一百零五条"},
	}
	for _, tt := range tests {
		if got := tt.b.Text("en"); got != tt.en {
			t.Errorf("en: got %q, want %q", got, tt.en)
		}
		if got := tt.b.Text("zh"); got != tt.zh {
			t.Errorf("zh: got %q, want %q", got, tt.zh)
		}
	}
}

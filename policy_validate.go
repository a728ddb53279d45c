package fanclub

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Validate returns every problem of the policy, each with the path of the
// field it concerns, what was found there and what is allowed. A valid
// policy gives none.
func (p *Policy) Validate() []FieldError {
	v := &validator{}
	p.validateHeader(v)
	p.validateEngagement(v)
	p.validateJoinExit(v)
	p.validateProgress(v)
	p.validatePaid(v)
	p.validateEffects(v)
	p.validateData(v)
	p.validateRevenue(v)
	p.validateMinors(v)
	p.validatePortability(v)
	return v.errs
}

// Location loads the policy's time zone. An empty or unknown zone is an
// EINVALID error.
func (p *Policy) Location() (*time.Location, error) {
	tz := p.Metadata.TimeZone
	if tz == "" {
		return nil, &Error{Code: EINVALID, Message: "policy " + strconv.Quote(p.Metadata.Name) + " has no time zone"}
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, &Error{Code: EINVALID, Message: fmt.Sprintf("policy %q: unknown time zone %q: %v", p.Metadata.Name, tz, err)}
	}
	return loc, nil
}

// validator collects field errors.
type validator struct {
	errs []FieldError
}

// add records one problem.
func (v *validator) add(path, message, found, allowed string) {
	v.errs = append(v.errs, FieldError{Path: path, Message: message, Found: found, Allowed: allowed})
}

// enum checks that a value is one of the allowed ones.
func enum[T ~string](v *validator, path string, val T, allowed []T) {
	if slices.Contains(allowed, val) {
		return
	}
	msg := "unknown value"
	if val == "" {
		msg = "missing value"
	}
	v.add(path, msg, quoted(string(val)), joinEnum(allowed))
}

// enumList checks every element of a list and that none repeats.
func enumList[T ~string](v *validator, path string, vals []T, allowed []T) {
	for i, val := range vals {
		p := index(path, i)
		enum(v, p, val, allowed)
		if slices.Contains(vals[:i], val) {
			v.add(p, "duplicate value", quoted(string(val)), "each value once")
		}
	}
}

// ratio checks that a number lies in [0, 1].
func (v *validator) ratio(path string, x float64) {
	if !(x >= 0 && x <= 1) {
		v.add(path, "ratio out of range", num(x), "0 to 1")
	}
}

// nonNegative checks that a count is zero or more.
func (v *validator) nonNegative(path string, n int64) {
	if n < 0 {
		v.add(path, "negative count", strconv.FormatInt(n, 10), "0 or more")
	}
}

// positive checks that a span is longer than zero.
func (v *validator) positiveSpan(path string, s Span) {
	if s.IsZero() {
		v.add(path, "span must be longer than zero", quoted(s.String()), "a span longer than zero: "+SpanSyntax)
	}
}

// names checks that names are non-empty and unique.
func (v *validator) names(path string, names []string) {
	for i, n := range names {
		p := index(path, i) + ".name"
		switch {
		case n == "":
			v.add(p, "missing name", "", "a non-empty name")
		case slices.Contains(names[:i], n):
			v.add(p, "duplicate name", quoted(n), "a name not used by another entry")
		}
	}
}

// choice checks that a default names one of the options.
func (v *validator) choice(path, name string, names []string) {
	if slices.Contains(names, name) {
		return
	}
	msg := "names no option"
	if name == "" {
		msg = "missing default option"
	}
	v.add(path, msg, quoted(name), strings.Join(quoteAll(names), ", "))
}

func (p *Policy) validateHeader(v *validator) {
	if p.APIVersion != PolicyAPIVersion {
		v.add("apiVersion", "unsupported apiVersion", quoted(p.APIVersion), quoted(PolicyAPIVersion))
	}
	if p.Kind != PolicyKind {
		v.add("kind", "unsupported kind", quoted(p.Kind), quoted(PolicyKind))
	}
	m := p.Metadata
	if !isSlug(m.Name) {
		v.add("metadata.name", "not a slug", quoted(m.Name), "lower-case letters, digits and hyphens ([a-z0-9-]+)")
	}
	if m.DisplayName.ZH == "" && m.DisplayName.EN == "" {
		v.add("metadata.displayName", "missing display name", "", "a zh-CN or en text")
	}
	if _, err := p.Location(); err != nil {
		v.add("metadata.timeZone", "unknown time zone", quoted(m.TimeZone), "an IANA time zone name such as Asia/Shanghai")
	}
	enum(v, "metadata.jurisdiction", m.Jurisdiction, Jurisdictions)
}

func (p *Policy) validateEngagement(v *validator) {
	e := p.Engagement
	if len(e.Actions) == 0 {
		v.add("engagement.actions", "no actions", "none", "at least one action rule")
	}
	for i, a := range e.Actions {
		path := index("engagement.actions", i)
		enum(v, path+".action", a.Action, Actions)
		if slices.ContainsFunc(e.Actions[:i], func(b ActionRule) bool { return b.Action == a.Action }) {
			v.add(path+".action", "duplicate action", quoted(string(a.Action)), "each action once")
		}
		v.nonNegative(path+".points", a.Points)
		v.nonNegative(path+".dailyCap", a.DailyCap)
	}
	if len(e.Levels) == 0 {
		v.add("engagement.levels", "no levels", "none", "at least one level, starting at 0")
	} else if e.Levels[0] != 0 {
		v.add("engagement.levels[0]", "first level threshold must be 0", strconv.FormatInt(e.Levels[0], 10), "0")
	}
	for i := 1; i < len(e.Levels); i++ {
		if e.Levels[i] <= e.Levels[i-1] {
			v.add(index("engagement.levels", i), "level thresholds must strictly increase",
				strconv.FormatInt(e.Levels[i], 10), "more than "+strconv.FormatInt(e.Levels[i-1], 10))
		}
	}
	v.positiveSpan("engagement.litWindow", e.LitWindow)
	tiers := p.tierNames()
	for i, m := range e.TierMultipliers {
		path := index("engagement.tierMultipliers", i)
		if !slices.Contains(tiers, m.Tier) {
			v.add(path+".tier", "names no paid tier", quoted(m.Tier), strings.Join(quoteAll(tiers), ", "))
		} else if slices.ContainsFunc(e.TierMultipliers[:i], func(o TierMultiplier) bool { return o.Tier == m.Tier }) {
			v.add(path+".tier", "duplicate tier", quoted(m.Tier), "each tier once")
		}
		if !(m.Multiplier > 0) || math.IsInf(m.Multiplier, 1) {
			v.add(path+".multiplier", "multiplier must be positive and finite", num(m.Multiplier), "more than 0")
		}
	}
}

func (p *Policy) validateJoinExit(v *validator) {
	j, x := p.Join, p.Exit
	enum(v, "join.entry", j.Entry, Surfaces)
	if len(j.Path) == 0 {
		v.add("join.path", "empty path", "none", "at least one step")
	}
	enumList(v, "join.challenges", j.Challenges, Challenges)
	v.nonNegative("join.costCoins", j.CostCoins)

	enum(v, "exit.entry", x.Entry, Surfaces)
	if len(x.Path) == 0 {
		v.add("exit.path", "empty path", "none", "at least one step")
	}
	if len(x.Challenges) == 0 {
		v.add("exit.challenges", "no challenge", "none", "at least one of "+joinEnum(Challenges))
	}
	enumList(v, "exit.challenges", x.Challenges, Challenges)
	if x.ChallengeTTL.IsZero() || x.ChallengeTTL.Forever {
		v.add("exit.challengeTTL", "challenge lifetime must be finite and longer than zero", quoted(x.ChallengeTTL.String()), "a span such as \"5m\"")
	}
	if x.MaxAttempts < 1 {
		v.add("exit.maxAttempts", "too few attempts", strconv.Itoa(x.MaxAttempts), "1 or more")
	}
	switch {
	case x.SliderTolerance < 0:
		v.add("exit.sliderTolerance", "negative tolerance", strconv.Itoa(x.SliderTolerance), "0 or more")
	case slices.Contains(x.Challenges, ChallengeSlider) && x.SliderTolerance == 0:
		v.add("exit.sliderTolerance", "slider challenge needs a tolerance", "0", "1 or more pixels")
	}
}

func (p *Policy) validateProgress(v *validator) {
	r := p.Progress
	if len(r.Options) == 0 {
		v.add("progress.options", "no options", "none", "at least one option")
	}
	names := make([]string, len(r.Options))
	for i, o := range r.Options {
		names[i] = o.Name
	}
	v.names("progress.options", names)
	if len(r.Options) > 0 {
		v.choice("progress.default", r.Default, names)
	}
	for i, o := range r.Options {
		path := index("progress.options", i)
		enum(v, path+".decay", o.Decay, Decays)
		enum(v, path+".restore", o.Restore, Restores)
		v.ratio(path+".convertToGeneral", o.ConvertToGeneral)
		if o.Decay == DecayLinearDaily {
			if d, ok := o.Retention.WholeDays(); !ok || d < 1 {
				v.add(path+".retention", "linear_daily decay needs an exact whole number of days", quoted(o.Retention.String()), "a span such as \"7d\"")
			}
		}
	}
}

// tierNames returns the names of the paid tiers.
func (p *Policy) tierNames() []string {
	names := make([]string, len(p.Paid.Tiers))
	for i, t := range p.Paid.Tiers {
		names[i] = t.Name
	}
	return names
}

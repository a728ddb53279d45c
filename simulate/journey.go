// Package simulate runs journeys: scripted sequences of fan actions (join,
// interact, exit, inspect) and platform reports (a paid gift) on a virtual clock, against a fresh in-memory
// SQLite store through the same domain engine the API uses. Each step
// prints one JSON line with the outcome and the state after it, so a
// journey's output shows, to the second, what a policy does to a fan.
//
// The journey format and the output lines are a stable public contract,
// described in docs/journeys.md.
package simulate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"fanclub"
)

// Step kinds (the "do" field of a step).
const (
	// DoJoin joins the fan to the club (a rejoin after an exit).
	DoJoin = "join"
	// DoInteract records an interaction the fan reports (action × amount),
	// as POST /v1/clubs/{club}/interactions does: a gift is refused.
	DoInteract = "interact"
	// DoReport records an interaction the platform's service reports
	// through the batch ingest, as POST /v1/events:batch does: the way a
	// gift paid for with coins earns level points.
	DoReport = "report"
	// DoExit requests an exit, answers every challenge correctly and
	// confirms it.
	DoExit = "exit"
	// DoExitRequest requests an exit and shows its challenges and impact
	// preview without confirming it.
	DoExitRequest = "exit_request"
	// DoInspect changes nothing: it shows the state at the step's time.
	DoInspect = "inspect"
	// DoBuyCoins buys coins (Coins) through the sandbox payment provider,
	// as POST /v1/me/coins does.
	DoBuyCoins = "buy_coins"
	// DoGift sends a gift of Coins in the club, as POST
	// /v1/clubs/{club}/gifts does.
	DoGift = "gift"
	// DoDeclinePayments has the sandbox decline the fan's charges from
	// now on; DoAcceptPayments stops that.
	DoDeclinePayments = "decline_payments"
	// DoAcceptPayments has the sandbox accept the fan's charges again.
	DoAcceptPayments = "accept_payments"
	// DoSubscribe buys a paid membership (Tier, Plan, AutoRenew), as POST
	// /v1/clubs/{club}/subscription does.
	DoSubscribe = "subscribe"
	// DoCancelRenewal turns auto-renew off, as DELETE
	// /v1/clubs/{club}/subscription/auto-renew does.
	DoCancelRenewal = "cancel_renewal"
	// DoRevokeAgreement revokes the payment agreement of the fan's
	// subscription in the club, as POST
	// /v1/me/payment-agreements/{id}:revoke does.
	DoRevokeAgreement = "revoke_agreement"
	// DoLogin logs the fan in, with DeviceID when set, as POST
	// /v1/sessions does.
	DoLogin = "login"
	// DoFollow has the fan follow the club's creator, as PUT
	// /v1/creators/{id}/follow does; DoUnfollow removes the follow.
	DoFollow = "follow"
	// DoUnfollow removes the fan's follow of the club's creator.
	DoUnfollow = "unfollow"
)

// doKinds lists the step kinds in the order error messages name them.
var doKinds = []string{DoJoin, DoInteract, DoReport, DoExit, DoExitRequest, DoInspect, DoBuyCoins, DoGift,
	DoDeclinePayments, DoAcceptPayments, DoSubscribe, DoCancelRenewal, DoRevokeAgreement,
	DoSetAge, DoLinkGuardian, DoUnlinkGuardian, DoGuardianExit, DoGuardianRefund, DoApproveRefund, DoFailFaceChecks, DoPassFaceChecks,
	DoLogin, DoFollow, DoUnfollow, DoExport,
	DoSettle, DoReleaseHold, DoVoidHold, DoCloseReview}

// DefaultSeed seeds the simulator's randomness when a journey names none.
const DefaultSeed = 1

// MaxSteps bounds the steps of one journey.
const MaxSteps = 10000

// Journey is a parsed, validated journey. Every step has its absolute time
// resolved; times never go back.
type Journey struct {
	// Title describes the journey (optional, echoed nowhere).
	Title string
	// Policy is the default policy of the journey's clubs (DefaultPolicy
	// when the file names none).
	Policy string
	// Start is the journey's origin; outputs use its UTC offset.
	Start time.Time
	// Seed seeds captcha, slider, token and salt randomness.
	Seed uint64
	// AgeGate turns on the engine's age gate: paid actions need the
	// verification the policy names (see docs/minors.md).
	AgeGate bool
	// Steps run in order.
	Steps []Step
}

// Step is one action of a journey.
type Step struct {
	// At is the step's absolute time.
	At time.Time
	// Fan and Club name the fan and club; each is created on first mention.
	Fan  string
	Club string
	// Do is one of join, interact, report, exit, exit_request, inspect.
	Do string
	// Action and Amount describe an interaction or a report (Amount
	// defaults to 1).
	Action fanclub.Action
	Amount int64
	// Coins are what a buy_coins step buys or a gift step spends.
	Coins int64
	// Tier, Plan and AutoRenew are what a subscribe step buys.
	Tier string
	Plan fanclub.Plan
	// AutoRenew is the fan's choice; nil takes the policy's default.
	AutoRenew *bool
	// Choices are the exit choices (e.g. {"progress": "keep"}).
	Choices map[string]string
	// Policy is the club's policy, set on the club's first mention.
	Policy string
	// Note is a free comment echoed in the step's output line.
	Note string
	// Minors holds the fields of the minors and guardian steps.
	Minors MinorsStep
	// Format is an export step's format.
	Format fanclub.ExportFormat
	// DeviceID is the device a login or a report comes from (optional).
	DeviceID string
}

// DefaultPolicy is the policy of clubs a journey assigns none.
const DefaultPolicy = "fair"

// journeyFile is the JSON form of a journey.
type journeyFile struct {
	Title  string            `json:"title"`
	Policy string            `json:"policy"`
	Start  string            `json:"start"`
	Seed   *uint64           `json:"seed"`
	Steps  []json.RawMessage `json:"steps"`

	// AgeGate is Journey.AgeGate.
	AgeGate bool `json:"age_gate"`
}

// stepFile is the JSON form of a step.
type stepFile struct {
	At     string `json:"at"`
	Fan    string `json:"fan"`
	Club   string `json:"club"`
	Do     string `json:"do"`
	Action string `json:"action"`
	Amount *int64 `json:"amount"`
	Coins  *int64 `json:"coins"`
	Tier   string `json:"tier"`
	Plan   string `json:"plan"`
	// AutoRenew is the fan's explicit choice of auto-renewal.
	AutoRenew *bool             `json:"auto_renew"`
	Choices   map[string]string `json:"choices"`
	Policy    string            `json:"policy"`
	Note      string            `json:"note"`

	minorsFile
	DeviceID string `json:"device_id"`
	Format   string `json:"format"`
}

// ParseJourney reads a journey from r, decoding strictly (unknown and
// repeated fields are errors). A malformed journey gives an EINVALID *fanclub.Error whose
// Fields name each problem by path, e.g. steps[3].at. Policy names are
// checked by Run, which knows the registry.
func ParseJourney(r io.Reader) (*Journey, error) {
	data, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("read journey: %w", err)
	}
	if fe := duplicateMember(data); fe != nil {
		return nil, invalid(*fe)
	}
	var jf journeyFile
	if fe := decodeStrict(data, &jf, ""); fe != nil {
		return nil, invalid(*fe)
	}
	var errs []fanclub.FieldError
	add := func(path, found, msg string) {
		errs = append(errs, fanclub.FieldError{Path: path, Found: found, Message: msg})
	}
	j := &Journey{Title: jf.Title, Policy: jf.Policy, Seed: DefaultSeed, AgeGate: jf.AgeGate}
	if j.Policy == "" {
		j.Policy = DefaultPolicy
	}
	if jf.Seed != nil {
		j.Seed = *jf.Seed
	}
	start, err := time.Parse(time.RFC3339, jf.Start)
	switch {
	case jf.Start == "":
		add("start", "", "missing start time; allowed: an RFC 3339 time such as 2026-03-02T09:00:00+08:00")
	case err != nil:
		add("start", strconv.Quote(jf.Start), "bad time; allowed: an RFC 3339 time such as 2026-03-02T09:00:00+08:00")
	}
	_, offset := start.Zone()
	j.Start = start.In(time.FixedZone("", offset))
	switch {
	case jf.Steps == nil:
		add("steps", "", "missing steps")
	case len(jf.Steps) > MaxSteps:
		add("steps", strconv.Itoa(len(jf.Steps)), fmt.Sprintf("too many steps; allowed: at most %d", MaxSteps))
	}
	if len(errs) > 0 {
		return nil, invalid(errs...)
	}
	prev := j.Start
	clubPolicy := map[string]string{}
	for i, raw := range jf.Steps {
		path := fmt.Sprintf("steps[%d]", i)
		var sf stepFile
		if fe := decodeStrict(raw, &sf, path); fe != nil {
			errs = append(errs, *fe)
			continue
		}
		st, stepErrs := parseStep(path, sf, j.Start, prev, clubPolicy)
		errs = append(errs, stepErrs...)
		if len(stepErrs) == 0 {
			prev = st.At
		}
		j.Steps = append(j.Steps, st)
	}
	if len(errs) > 0 {
		return nil, invalid(errs...)
	}
	return j, nil
}

// parseStep validates one step; prev is the previous step's time and
// clubPolicy the policies clubs were given so far.
func parseStep(path string, sf stepFile, start, prev time.Time, clubPolicy map[string]string) (Step, []fanclub.FieldError) {
	var errs []fanclub.FieldError
	add := func(field, found, msg string) {
		errs = append(errs, fanclub.FieldError{Path: path + "." + field, Found: found, Message: msg})
	}
	st := Step{Fan: sf.Fan, Club: sf.Club, Do: sf.Do, Action: fanclub.Action(sf.Action), Amount: 1,
		Choices: sf.Choices, Policy: sf.Policy, Note: sf.Note, At: prev, DeviceID: sf.DeviceID}
	if sf.At != "" {
		at, err := parseAt(sf.At, start)
		switch {
		case err != nil:
			add("at", strconv.Quote(sf.At), err.Error())
		case at.Before(prev):
			add("at", strconv.Quote(sf.At), fmt.Sprintf("time goes back: %s is before the previous step's %s",
				at.Format(time.RFC3339), prev.Format(time.RFC3339)))
		default:
			st.At = at
		}
	}
	switch {
	case sf.Fan == "":
		add("fan", "", "missing fan")
	case !fanclub.ValidHandle(sf.Fan):
		add("fan", strconv.Quote(sf.Fan), "bad fan name; allowed: 3 to 32 of a-z, 0-9 and _")
	}
	switch n := len([]rune(strings.TrimSpace(sf.Club))); {
	case n == 0:
		add("club", strconv.Quote(sf.Club), "missing club")
	case n > fanclub.MaxClubNameLen || strings.TrimSpace(sf.Club) != sf.Club:
		add("club", strconv.Quote(sf.Club), "bad club name; allowed: 1 to 80 characters without surrounding spaces")
	}
	validDo := false
	for _, d := range doKinds {
		validDo = validDo || d == sf.Do
	}
	if !validDo {
		add("do", strconv.Quote(sf.Do), "unknown step kind; allowed: "+strings.Join(doKinds, ", "))
	}
	if sf.Do == DoInteract || sf.Do == DoReport {
		if sf.Action == "" {
			add("action", "", "missing action for "+sf.Do)
		}
		if sf.Amount != nil {
			// The engine's amount rule, so a journey never holds an amount
			// the API would refuse as malformed.
			if *sf.Amount < 1 {
				add("amount", strconv.FormatInt(*sf.Amount, 10), "bad amount; allowed: 1 or more")
			} else if fe := fanclub.CheckAmount(st.Action, *sf.Amount, path+".amount"); fe != nil {
				add("amount", fe.Found, "bad amount; allowed: "+fe.Allowed)
			}
			st.Amount = *sf.Amount
		}
	} else {
		if sf.Action != "" {
			add("action", strconv.Quote(sf.Action), "action is only for interact and report steps")
		}
		if sf.Amount != nil {
			add("amount", strconv.FormatInt(*sf.Amount, 10), "amount is only for interact and report steps")
		}
	}
	if sf.Do == DoBuyCoins || sf.Do == DoGift {
		switch {
		case sf.Coins == nil:
			add("coins", "", "missing coins for "+sf.Do)
		case *sf.Coins < 1 || *sf.Coins > fanclub.MaxGiftCoins:
			add("coins", strconv.FormatInt(*sf.Coins, 10), fmt.Sprintf("bad coins; allowed: 1 to %d", fanclub.MaxGiftCoins))
		default:
			st.Coins = *sf.Coins
		}
	} else if sf.Coins != nil {
		add("coins", strconv.FormatInt(*sf.Coins, 10), "coins are only for buy_coins and gift steps")
	}
	if sf.Do == DoSubscribe {
		if sf.Tier == "" {
			add("tier", "", "missing tier for subscribe")
		}
		if !slices.Contains(fanclub.Plans, fanclub.Plan(sf.Plan)) {
			add("plan", strconv.Quote(sf.Plan), "bad plan; allowed: monthly, quarterly, annual")
		}
		st.Tier, st.Plan = sf.Tier, fanclub.Plan(sf.Plan)
		st.AutoRenew = sf.AutoRenew
	} else {
		if sf.Tier != "" {
			add("tier", strconv.Quote(sf.Tier), "tier is only for subscribe steps")
		}
		if sf.Plan != "" {
			add("plan", strconv.Quote(sf.Plan), "plan is only for subscribe steps")
		}
		if sf.AutoRenew != nil {
			add("auto_renew", strconv.FormatBool(*sf.AutoRenew), "auto_renew is only for subscribe steps")
		}
	}
	st.Minors, errs = parseMinorsStep(path, sf, errs)
	parseExportFormat(sf, &st, add)
	if sf.DeviceID != "" && sf.Do != DoLogin && sf.Do != DoReport {
		add("device_id", strconv.Quote(sf.DeviceID), "device_id is only for login and report steps")
	} else if fe := fanclub.CheckDeviceID(sf.DeviceID, path+".device_id"); fe != nil {
		add("device_id", fe.Found, "bad device_id; allowed: "+fe.Allowed)
	}
	if sf.Choices != nil && sf.Do != DoExit && sf.Do != DoExitRequest {
		add("choices", "", "choices are only for exit and exit_request steps")
	}
	if sf.Policy != "" && sf.Club != "" {
		if p, ok := clubPolicy[sf.Club]; ok && p != sf.Policy {
			runs := "the journey's policy"
			if p != "" {
				runs = "policy " + strconv.Quote(p)
			}
			add("policy", strconv.Quote(sf.Policy), fmt.Sprintf("club %q already runs %s; a club's policy is set on its first mention", sf.Club, runs))
		}
	}
	if _, ok := clubPolicy[sf.Club]; !ok && sf.Club != "" {
		clubPolicy[sf.Club] = sf.Policy
	}
	return st, errs
}

// parseAt reads a step time: an offset from start ("+10m", "+1d2h", "0s")
// or an absolute RFC 3339 time.
func parseAt(text string, start time.Time) (time.Time, error) {
	if strings.Contains(text, "T") {
		t, err := time.Parse(time.RFC3339, text)
		if err != nil {
			return time.Time{}, fmt.Errorf("bad time; allowed: an offset such as +90s, +10m, +1d2h, or an RFC 3339 time")
		}
		return t.In(start.Location()), nil
	}
	d, err := fanclub.ParseDuration(text)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad duration; allowed: an offset such as +90s, +10m, +1d2h, or an RFC 3339 time")
	}
	if d < 0 {
		return time.Time{}, fmt.Errorf("negative offset; allowed: an offset of zero or more from start")
	}
	return start.Add(d), nil
}

// decodeStrict decodes one JSON object into v, refusing unknown fields and
// trailing data, and returns the problem as a field error under path.
func decodeStrict(data []byte, v any, path string) *fanclub.FieldError {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return &fanclub.FieldError{Path: orRoot(path), Message: "unexpected data after the journey object"}
		}
		return nil
	}
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		line, col := position(data, syn.Offset)
		return &fanclub.FieldError{Path: orRoot(path), Message: "bad JSON: " + syn.Error(), Line: line, Column: col}
	case errors.As(err, &typ):
		p := path
		if typ.Field != "" {
			p = join(path, typ.Field)
		}
		return &fanclub.FieldError{Path: orRoot(p), Found: "a JSON " + typ.Value, Message: "wrong type; allowed: " + jsonKind(typ.Type.Kind().String())}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &fanclub.FieldError{Path: orRoot(path), Message: "bad JSON: unexpected end of input"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return &fanclub.FieldError{Path: join(path, name), Found: strconv.Quote(name), Message: "unknown field"}
	}
	return &fanclub.FieldError{Path: orRoot(path), Message: "bad JSON: " + err.Error()}
}

// jsonKind names a Go kind as the JSON type that decodes into it.
func jsonKind(kind string) string {
	switch {
	case kind == "string":
		return "a string"
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "map", kind == "struct":
		return "an object"
	case kind == "slice":
		return "an array"
	}
	return kind
}

// join appends a field name to a path.
func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

// orRoot names the whole journey when path is empty.
func orRoot(path string) string {
	if path == "" {
		return "journey"
	}
	return path
}

// position returns the 1-based line and column of a byte offset.
func position(data []byte, offset int64) (int, int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	line, col := 1, 1
	for _, b := range data[:offset] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// invalid wraps field errors in the journey's EINVALID error.
func invalid(fields ...fanclub.FieldError) error {
	return fanclub.InvalidFields("Invalid journey.", fields)
}

// FormatError renders an error for a person: one line per field problem,
// "path: found: message", or the error itself when it has no fields.
func FormatError(err error) string {
	fields := fanclub.ErrorFields(err)
	if len(fields) == 0 {
		var de *fanclub.Error
		if errors.As(err, &de) && de.Code != fanclub.EINTERNAL {
			return de.Message // a refusal says it in words, not as a Go value
		}
		return err.Error()
	}
	lines := make([]string, len(fields))
	for i, f := range fields {
		var b strings.Builder
		b.WriteString(f.Path)
		if f.Line > 0 {
			fmt.Fprintf(&b, " (line %d, column %d)", f.Line, f.Column)
		}
		b.WriteString(": ")
		if f.Found != "" {
			b.WriteString(f.Found)
			b.WriteString(": ")
		}
		b.WriteString(f.Message)
		lines[i] = b.String()
	}
	return strings.Join(lines, "\n")
}

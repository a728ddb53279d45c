package simulate

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fanclub"
)

// Step kinds of dimension 7 (minors and guardians). In each the step's
// fan is the minor.
const (
	// DoSetAge records the fan's birth date (BirthDate) and how it was
	// established (Method), as PUT /v1/me/age does.
	DoSetAge = "set_age"
	// DoLinkGuardian links Guardian to the fan: the guardian's request
	// and the fan's consent in one step.
	DoLinkGuardian = "link_guardian"
	// DoUnlinkGuardian asks to remove the fan's guardian link, By the
	// guardian, the minor or an operator.
	DoUnlinkGuardian = "unlink_guardian"
	// DoGuardianExit has Guardian exit the fan's membership in the club:
	// the preview the guardian sees, then the confirmed exit.
	DoGuardianExit = "guardian_exit"
	// DoGuardianRefund has Guardian file a refund request of the fan's
	// spending, with a notarized Document where the policy asks for one.
	DoGuardianRefund = "guardian_refund"
	// DoApproveRefund has Operator approve the fan's oldest pending
	// refund request.
	DoApproveRefund = "approve_refund"
	// DoFailFaceChecks has the sandbox verifier fail the fan's face
	// checks from now on; DoPassFaceChecks stops that.
	DoFailFaceChecks = "fail_face_checks"
	// DoPassFaceChecks has the sandbox verifier pass the fan's face checks.
	DoPassFaceChecks = "pass_face_checks"
)

// MinorsStep holds the fields of the minors and guardian steps.
type MinorsStep struct {
	BirthDate string
	Method    fanclub.AgeMethod
	// Guardian names the guardian fan.
	Guardian string
	// By is who asks to unlink: guardian, minor or operator.
	By string
	// Document is the notarized document filed with a refund request.
	Document *fanclub.RefundDocument
	// Operator names the operator who approves a refund.
	Operator string
}

// minorsFile is the JSON form of MinorsStep's fields in a step.
type minorsFile struct {
	BirthDate string                  `json:"birth_date"`
	Method    string                  `json:"method"`
	Guardian  string                  `json:"guardian"`
	By        string                  `json:"by"`
	Document  *fanclub.RefundDocument `json:"document"`
	Operator  string                  `json:"operator"`
}

// unlinkSides are the allowed values of by.
var unlinkSides = []string{fanclub.SideGuardian, fanclub.SideMinor, fanclub.SideOperator}

// parseMinorsStep validates the minors fields of a step and appends its
// problems to errs.
func parseMinorsStep(path string, sf stepFile, errs []fanclub.FieldError) (MinorsStep, []fanclub.FieldError) {
	m := sf.minorsFile
	add := func(field, found, msg string) {
		errs = append(errs, fanclub.FieldError{Path: path + "." + field, Found: found, Message: msg})
	}
	only := func(field, value string, kinds ...string) {
		if value != "" && !slices.Contains(kinds, sf.Do) {
			add(field, strconv.Quote(value), field+" is only for "+strings.Join(kinds, ", ")+" steps")
		}
	}
	need := func(field, value string, kinds ...string) {
		if value == "" && slices.Contains(kinds, sf.Do) {
			add(field, "", "missing "+field+" for "+sf.Do)
		}
	}
	only("birth_date", m.BirthDate, DoSetAge)
	only("method", m.Method, DoSetAge)
	only("guardian", m.Guardian, DoLinkGuardian, DoGuardianExit, DoGuardianRefund)
	only("by", m.By, DoUnlinkGuardian)
	only("operator", m.Operator, DoApproveRefund)
	if m.Document != nil && sf.Do != DoGuardianRefund {
		add("document", "", "document is only for guardian_refund steps")
	}
	need("birth_date", m.BirthDate, DoSetAge)
	need("method", m.Method, DoSetAge)
	need("guardian", m.Guardian, DoLinkGuardian, DoGuardianExit, DoGuardianRefund)
	need("by", m.By, DoUnlinkGuardian)
	need("operator", m.Operator, DoApproveRefund)
	if _, err := time.Parse(time.DateOnly, m.BirthDate); m.BirthDate != "" && err != nil {
		add("birth_date", strconv.Quote(m.BirthDate), "bad date; allowed: YYYY-MM-DD")
	}
	if m.Method != "" && !slices.Contains(fanclub.AgeMethods, fanclub.AgeMethod(m.Method)) {
		add("method", strconv.Quote(m.Method), "unknown method; allowed: bank_card, identity, self_declared, inherited")
	}
	if m.Guardian != "" && (!fanclub.ValidHandle(m.Guardian) || m.Guardian == sf.Fan) {
		add("guardian", strconv.Quote(m.Guardian), "bad guardian; allowed: another fan's name, 3 to 32 of a-z, 0-9 and _")
	}
	if m.By != "" && !slices.Contains(unlinkSides, m.By) {
		add("by", strconv.Quote(m.By), "unknown side; allowed: guardian, minor, operator")
	}
	return MinorsStep{BirthDate: m.BirthDate, Method: fanclub.AgeMethod(m.Method), Guardian: m.Guardian, By: m.By,
		Document: m.Document, Operator: m.Operator}, errs
}

// AgeState is the fan's recorded age as the line shows it.
type AgeState struct {
	// Minor is true under the journey policy's adult age.
	Minor  bool              `json:"minor"`
	Method fanclub.AgeMethod `json:"method"`
}

// RefundRequestState is one guardian refund request of the fan's.
type RefundRequestState struct {
	Guardian string `json:"guardian"`
	Status   string `json:"status"`
	// Amount is the money refunded (minor units), Coins the coins taken
	// back, Gifts the gifts reversed.
	Amount int64 `json:"amount"`
	Coins  int64 `json:"coins"`
	Gifts  int   `json:"gifts"`
	// Document is the filed document's name, if any.
	Document string `json:"document,omitempty"`
	// DecidedBy is the operator who decided it, if any.
	DecidedBy string `json:"decided_by,omitempty"`
}

// minorsStep runs a minors or guardian step for the minor fanID.
func (r *runner) minorsStep(ctx context.Context, i int, line *Line, fanID, clubID int64, st Step) error {
	m := st.Minors
	var guardian int64
	if m.Guardian != "" {
		var err error
		if guardian, err = r.fan(ctx, m.Guardian); err != nil {
			return err
		}
	}
	switch st.Do {
	case DoSetAge:
		_, err := r.eng.SetAge(ctx, fanID, m.BirthDate, m.Method)
		return err
	case DoLinkGuardian:
		l, err := r.eng.RequestGuardianLink(ctx, guardian, fanID)
		if err != nil {
			return err
		}
		_, err = r.eng.AcceptGuardianLink(ctx, fanID, l.ID)
		return err
	case DoUnlinkGuardian:
		return r.unlink(ctx, fanID, m.By)
	case DoGuardianExit:
		g, err := r.eng.GuardianExitPreview(ctx, guardian, fanID, clubID, nil)
		if err != nil {
			return err
		}
		line.Impact = r.out.impact(g.Preview.Impact, r.clubName)
		_, err = r.eng.ConfirmGuardianExit(ctx, guardian, fanID, g.Preview.ID)
		return err
	case DoGuardianRefund:
		_, err := r.eng.RequestGuardianRefund(ctx, guardian, fanID, fanclub.GuardianRefundInput{Document: m.Document}, stepKey(i))
		return err
	case DoApproveRefund:
		rs, err := r.eng.GuardianRefunds(ctx, fanID, fanclub.RefundPending)
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			return fanclub.Errorf(fanclub.ENOTFOUND, "The fan has no pending refund request.")
		}
		_, err = r.eng.DecideGuardianRefund(ctx, rs[0].ID, m.Operator, true, "")
		return err
	case DoFailFaceChecks, DoPassFaceChecks:
		return r.verifier.FailFace(ctx, fanID, st.Do == DoFailFaceChecks)
	}
	return fanclub.Errorf(fanclub.EINTERNAL, "unknown minors step %q", st.Do)
}

// unlink asks, as by, to remove the minor's guardian link.
func (r *runner) unlink(ctx context.Context, minor int64, by string) error {
	ls, err := r.eng.GuardianLinks(ctx, minor)
	if err != nil {
		return err
	}
	for _, l := range ls {
		if l.MinorID != minor {
			continue
		}
		byFan := map[string]int64{fanclub.SideGuardian: l.GuardianID, fanclub.SideMinor: minor}[by]
		_, err := r.eng.UnlinkGuardian(ctx, l.ID, by, byFan)
		return err
	}
	return fanclub.Errorf(fanclub.ENOTFOUND, "The fan has no guardian link.")
}

// minorsState fills the line's age, guardian and refund requests.
func (r *runner) minorsState(ctx context.Context, line *Line, fanID int64) error {
	a, err := r.eng.AgeOf(ctx, fanID)
	switch {
	case fanclub.ErrorCode(err) == fanclub.ENOTFOUND:
	case err != nil:
		return fmt.Errorf("read age: %w", err)
	default:
		line.Age = &AgeState{Minor: a.Minor, Method: a.Method}
	}
	ls, err := r.eng.GuardianLinks(ctx, fanID)
	if err != nil {
		return fmt.Errorf("read guardian links: %w", err)
	}
	for _, l := range ls {
		if l.MinorID == fanID && l.Status == fanclub.LinkActive {
			name := r.fanName(l.GuardianID)
			line.Guardian = &name
		}
	}
	rs, err := r.eng.GuardianRefunds(ctx, fanID, "")
	if err != nil {
		return fmt.Errorf("read refund requests: %w", err)
	}
	for _, q := range rs {
		s := RefundRequestState{Guardian: r.fanName(q.GuardianID), Status: q.Status, Amount: q.Amount, Coins: q.Coins, Gifts: q.Gifts, DecidedBy: q.DecidedBy}
		if q.Document != nil {
			s.Document = q.Document.Name
		}
		line.RefundRequests = append(line.RefundRequests, s)
	}
	return nil
}

// fanName maps a fan id back to its journey name.
func (r *runner) fanName(id int64) string {
	for name, fid := range r.fans {
		if fid == id {
			return name
		}
	}
	return "#" + strconv.FormatInt(id, 10)
}

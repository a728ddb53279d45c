package http

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"fanclub"
)

// VerifyControls are the controls of the sandbox identity verifier
// (*verify/sandbox.Verifier): failing a fan's age or face checks.
type VerifyControls interface {
	FailAge(ctx context.Context, fanID int64, on bool) error
	FailFace(ctx context.Context, fanID int64, on bool) error
}

// AgeInput is the body of PUT /v1/me/age.
type AgeInput struct {
	// BirthDate is YYYY-MM-DD.
	BirthDate string            `json:"birth_date"`
	Method    fanclub.AgeMethod `json:"method"`
}

// setAge records the fan's birth date and how it was established.
func (s *Server) setAge(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	var in AgeInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	a, err := s.engine.SetAge(r.Context(), p.ID, in.BirthDate, in.Method)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, a)
}

// myAge answers the fan's recorded age.
func (s *Server) myAge(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	a, err := s.engine.AgeOf(r.Context(), p.ID)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, a)
}

// faceCheck runs a face check of the fan; the Idempotency-Key header is
// required.
func (s *Server) faceCheck(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	res, err := s.engine.FaceCheck(r.Context(), p.ID, idempotencyKey(r.Context()))
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, res)
}

// GuardianLinkInput is the body of POST /v1/me/guardian-links.
type GuardianLinkInput struct {
	// MinorID is the fan the caller asks to be the guardian of.
	MinorID int64 `json:"minor_id"`
}

// GuardianLinkList is the body of GET /v1/me/guardian-links.
type GuardianLinkList struct {
	Items []*fanclub.GuardianLink `json:"items"`
}

// requestGuardianLink asks to become a minor's guardian.
func (s *Server) requestGuardianLink(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	var in GuardianLinkInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	l, err := s.engine.RequestGuardianLink(r.Context(), p.ID, in.MinorID)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusCreated, l)
}

// myGuardianLinks lists the links the fan is in, as guardian or minor.
func (s *Server) myGuardianLinks(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	ls, err := s.engine.GuardianLinks(r.Context(), p.ID)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, GuardianLinkList{Items: ls})
}

// acceptGuardianLink is the minor's consent to a requested link.
func (s *Server) acceptGuardianLink(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	l, err := s.engine.AcceptGuardianLink(r.Context(), p.ID, id)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, l)
}

// unlinkGuardian asks, as the side the caller is on, to remove a link;
// a refusal under a policy that needs both sides keeps the request.
func (s *Server) unlinkGuardian(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	side := fanclub.SideMinor
	ls, err := s.engine.GuardianLinks(r.Context(), p.ID)
	if err != nil {
		return err
	}
	for _, l := range ls {
		if l.ID == id && l.GuardianID == p.ID {
			side = fanclub.SideGuardian
		}
	}
	l, err := s.engine.UnlinkGuardian(r.Context(), id, side, p.ID)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, l)
}

// adminUnlinkGuardian removes a link as an operator.
func (s *Server) adminUnlinkGuardian(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	l, err := s.engine.UnlinkGuardian(r.Context(), id, fanclub.SideOperator, 0)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, l)
}

// minorConsumption answers a minor's consumption record to the guardian.
func (s *Server) minorConsumption(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	minor, err := pathID(r, "minor")
	if err != nil {
		return err
	}
	c, err := s.engine.GuardianConsumption(r.Context(), p.ID, minor)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, c)
}

// GuardianExitInput is the body of POST /v1/me/minors/{minor}/exit-requests.
type GuardianExitInput struct {
	ClubID  int64             `json:"club_id"`
	Choices map[string]string `json:"choices,omitempty"`
}

// guardianExitPreview starts a guardian's remote exit and answers the
// preview.
func (s *Server) guardianExitPreview(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	minor, err := pathID(r, "minor")
	if err != nil {
		return err
	}
	var in GuardianExitInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	g, err := s.engine.GuardianExitPreview(r.Context(), p.ID, minor, in.ClubID, in.Choices)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusCreated, g)
}

// confirmGuardianExit executes a previewed guardian exit.
func (s *Server) confirmGuardianExit(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	minor, err := pathID(r, "minor")
	if err != nil {
		return err
	}
	g, err := s.engine.ConfirmGuardianExit(r.Context(), p.ID, minor, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, g)
}

// GuardianRefundBody is the body of POST /v1/me/minors/{minor}/refund-requests.
type GuardianRefundBody struct {
	Since    *time.Time              `json:"since,omitempty"`
	Until    *time.Time              `json:"until,omitempty"`
	Document *fanclub.RefundDocument `json:"document,omitempty"`
}

// guardianRefund files a refund request of a minor's spending; the
// Idempotency-Key header is required.
func (s *Server) guardianRefund(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	minor, err := pathID(r, "minor")
	if err != nil {
		return err
	}
	var in GuardianRefundBody
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	res, err := s.engine.RequestGuardianRefund(r.Context(), p.ID, minor,
		fanclub.GuardianRefundInput{Since: in.Since, Until: in.Until, Document: in.Document}, idempotencyKey(r.Context()))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Status == fanclub.RefundPending {
		status = http.StatusAccepted
	}
	return s.respond(w, r, status, res)
}

// GuardianRefundList is the body of GET /v1/admin/guardian-refunds.
type GuardianRefundList struct {
	Items []*fanclub.GuardianRefund `json:"items"`
}

// listGuardianRefunds lists refund requests, by ?status= (the approval
// queue is ?status=pending).
func (s *Server) listGuardianRefunds(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	rs, err := s.engine.GuardianRefunds(r.Context(), 0, r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, GuardianRefundList{Items: rs})
}

// RefundDecisionInput is the body of POST /v1/admin/guardian-refunds/{id}/decision.
type RefundDecisionInput struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note,omitempty"`
}

// decideGuardianRefund records an operator's decision on a request.
func (s *Server) decideGuardianRefund(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in RefundDecisionInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	res, err := s.engine.DecideGuardianRefund(r.Context(), id, "admin:"+strconv.FormatInt(p.ID, 10), in.Approve, in.Note)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, res)
}

// verifyControls returns the sandbox verifier's controls, or ENOTFOUND.
func (s *Server) verifyControls() (VerifyControls, error) {
	if s.verify == nil {
		return nil, fanclub.Errorf(fanclub.ENOTFOUND, "The identity verifier is not the sandbox; it has no failure rules.")
	}
	return s.verify, nil
}

// sandboxFailFace turns failing a fan's face checks on (PUT) or off (DELETE).
func (s *Server) sandboxFailFace(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	return s.sandboxFail(w, r, func(v VerifyControls, fan int64, on bool) error { return v.FailFace(r.Context(), fan, on) })
}

// sandboxFailAge turns failing a fan's age checks on (PUT) or off (DELETE).
func (s *Server) sandboxFailAge(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	return s.sandboxFail(w, r, func(v VerifyControls, fan int64, on bool) error { return v.FailAge(r.Context(), fan, on) })
}

// sandboxFail applies a verifier rule to the path's fan and answers 204.
func (s *Server) sandboxFail(w http.ResponseWriter, r *http.Request, set func(VerifyControls, int64, bool) error) error {
	v, err := s.verifyControls()
	if err != nil {
		return err
	}
	fan, err := pathID(r, "fan")
	if err != nil {
		return err
	}
	if err := set(v, fan, r.Method == http.MethodPut); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

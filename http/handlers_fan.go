package http

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"

	"fanclub"
)

// Fan routes act on the caller's own account: the fan id always comes from
// the token, never from the path or the body.

// me returns the fan's general points and active effects.
func (s *Server) me(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	v, err := s.engine.FanView(r.Context(), p.ID)
	if err != nil {
		return err
	}
	if v.Effects == nil {
		v.Effects = []fanclub.Effect{}
	}
	return s.respond(w, r, http.StatusOK, v)
}

// myMemberships lists the fan's memberships by club id, a page at a time.
func (s *Server) myMemberships(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	pq, err := parsePage(r, cursorMyMemberships)
	if err != nil {
		return err
	}
	ms, more, err := s.engine.FanMembershipsPage(r.Context(), p.ID, pq.afterID(), pq.limit)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, pageOf(ms, more, cursorMyMemberships, func(m *fanclub.MembershipView) string { return strconv.FormatInt(m.ClubID, 10) }))
}

// join makes the fan a member: 201 when the membership became active, 200
// when it already was (PUT is idempotent).
func (s *Server) join(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	club, err := pathID(r, "club")
	if err != nil {
		return err
	}
	var in struct{} // no member is defined: a body, if any, is {}
	if err := decodeOptionalBody(w, r, &in); err != nil {
		return err
	}
	v, err := s.engine.Join(r.Context(), p.ID, club)
	if isCode(err, fanclub.EALREADYMEMBER) {
		if v, err = s.engine.Membership(r.Context(), p.ID, club); err != nil {
			return err
		}
		return s.respond(w, r, http.StatusOK, v)
	}
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusCreated, v)
}

// myMembership returns the fan's membership in a club.
func (s *Server) myMembership(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	club, err := pathID(r, "club")
	if err != nil {
		return err
	}
	v, err := s.engine.Membership(r.Context(), p.ID, club)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, v)
}

// InteractionResult is the response to an interaction.
type InteractionResult struct {
	Membership *fanclub.MembershipView `json:"membership"`
	Result     *fanclub.EventResult    `json:"result"`
}

// interact records one interaction of the fan in a club; under an
// Idempotency-Key its event id derives from the key (see idempotent).
func (s *Server) interact(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	club, err := pathID(r, "club")
	if err != nil {
		return err
	}
	var in struct {
		Action fanclub.Action `json:"action"`
		Amount *int64         `json:"amount,omitempty"`
	}
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	amount := int64(1)
	if in.Amount != nil {
		amount = *in.Amount
	}
	v, res, err := s.engine.InteractKeyed(r.Context(), p.ID, club, in.Action, amount, idempotencyKey(r.Context()))
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, InteractionResult{Membership: v, Result: res})
}

// ExitRequestResponse is an exit request with links to its captcha and
// slider images (when the policy asks for them) and its confirm endpoint.
type ExitRequestResponse struct {
	*fanclub.ExitRequest
	Links ExitLinks `json:"links"`
}

// ExitLinks are the URLs a fan uses to finish an exit.
type ExitLinks struct {
	Captcha string `json:"captcha,omitempty"`
	Slider  string `json:"slider,omitempty"`
	Confirm string `json:"confirm"`
	// Export downloads the fan's data, when the club's policy offers the
	// export in the exit flow (portability.inExitFlow).
	Export string `json:"export,omitempty"`
}

// requestExit starts an exit and returns its challenges and preview.
func (s *Server) requestExit(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	club, err := pathID(r, "club")
	if err != nil {
		return err
	}
	var in struct {
		Choices map[string]string `json:"choices,omitempty"`
	}
	if err := decodeOptionalBody(w, r, &in); err != nil {
		return err
	}
	req, err := s.engine.RequestExit(r.Context(), p.ID, club, in.Choices)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/exit-requests/"+req.ID)
	return s.respond(w, r, http.StatusCreated, s.withExportLink(r, exitRequestResponse(req)))
}

// exitRequestResponse adds to a request the links a fan needs to finish it.
func exitRequestResponse(req *fanclub.ExitRequest) ExitRequestResponse {
	base := "/v1/exit-requests/" + req.ID
	links := ExitLinks{Confirm: base + "/confirm"}
	if slices.Contains(req.Challenges, fanclub.ChallengeCaptcha) {
		links.Captcha = base + "/captcha.png"
	}
	if slices.Contains(req.Challenges, fanclub.ChallengeSlider) {
		links.Slider = base + "/slider.png"
	}
	return ExitRequestResponse{ExitRequest: req, Links: links}
}

// getExitRequest returns the fan's own exit request: status, challenges,
// attempts, expiry and the preview it showed.
func (s *Server) getExitRequest(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	req, err := s.engine.ExitRequest(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, s.withExportLink(r, exitRequestResponse(req)))
}

// exitCaptcha renders the captcha of the fan's own exit request.
func (s *Server) exitCaptcha(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	code, err := s.engine.ExitCaptcha(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writePNG(w, func(buf *bytes.Buffer) error { return s.captcha.WritePNG(buf, code) })
}

// exitSlider renders the slider puzzle of the fan's own exit request: the
// gap in the image is where the fan drags the piece.
func (s *Server) exitSlider(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	sp, err := s.engine.ExitSlider(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writePNG(w, func(buf *bytes.Buffer) error { return s.captcha.WriteSliderPNG(buf, sp.Width, sp.Target) })
}

// writePNG renders a challenge image into a buffer and, only when that
// succeeds, sends it uncached.
func writePNG(w http.ResponseWriter, render func(*bytes.Buffer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}

// confirmExit answers an exit request's challenges and executes the exit.
func (s *Server) confirmExit(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	var in fanclub.ExitAnswers
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	out, err := s.engine.ConfirmExit(r.Context(), p.ID, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, out)
}

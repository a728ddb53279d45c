package http

import (
	"context"
	"net/http"

	"fanclub"
	"fanclub/payments/sandbox"
)

// SandboxControls are the controls of the sandbox payment provider
// (*sandbox.Provider): its decline rules.
type SandboxControls interface {
	DeclineFan(ctx context.Context, fanID int64, on bool) error
	DeclineAmount(ctx context.Context, amount int64, on bool) error
	Rules(ctx context.Context) (*sandbox.Rules, error)
}

// sandboxControls returns the sandbox's controls, or ENOTFOUND when the
// server's payment provider is not the sandbox.
func (s *Server) sandboxControls() (SandboxControls, error) {
	if s.sandbox == nil {
		return nil, fanclub.Errorf(fanclub.ENOTFOUND, "The payment provider is not the sandbox (serve --payments sandbox); it has no decline rules.")
	}
	return s.sandbox, nil
}

// sandboxRules answers the sandbox's decline rules.
func (s *Server) sandboxRules(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	sb, err := s.sandboxControls()
	if err != nil {
		return err
	}
	rules, err := sb.Rules(r.Context())
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, rules)
}

// sandboxDeclineFan turns declining a fan's charges on (PUT) or off
// (DELETE) and answers the rules.
func (s *Server) sandboxDeclineFan(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	sb, err := s.sandboxControls()
	if err != nil {
		return err
	}
	fan, err := pathID(r, "fan")
	if err != nil {
		return err
	}
	if err := sb.DeclineFan(r.Context(), fan, r.Method == http.MethodPut); err != nil {
		return err
	}
	return s.sandboxRules(w, r, p)
}

// sandboxDeclineAmount turns declining charges of an amount on (PUT) or
// off (DELETE) and answers the rules.
func (s *Server) sandboxDeclineAmount(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	sb, err := s.sandboxControls()
	if err != nil {
		return err
	}
	amount, err := pathID(r, "amount")
	if err != nil {
		return err
	}
	if err := sb.DeclineAmount(r.Context(), amount, r.Method == http.MethodPut); err != nil {
		return err
	}
	return s.sandboxRules(w, r, p)
}

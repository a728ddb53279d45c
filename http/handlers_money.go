package http

import (
	"net/http"
	"strings"

	"fanclub"
)

// CoinsInput is the body of POST /v1/me/coins.
type CoinsInput struct {
	// Coins is how many coins to buy.
	Coins int64 `json:"coins"`
}

// buyCoins buys coins for the fan through the payment provider; the
// Idempotency-Key header is required.
func (s *Server) buyCoins(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	var in CoinsInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	res, err := s.engine.BuyCoins(r.Context(), p.ID, in.Coins, idempotencyKey(r.Context()))
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, res)
}

// myWallet returns the fan's coin balances.
func (s *Server) myWallet(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	wl, err := s.engine.Wallet(r.Context(), p.ID)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, wl)
}

// PaymentList is the body of GET /v1/me/payments.
type PaymentList struct {
	Items []*fanclub.Payment `json:"items"`
}

// myPayments lists the fan's charges and refunds, oldest first.
func (s *Server) myPayments(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	ps, err := s.engine.ListPayments(r.Context(), p.ID)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, PaymentList{Items: ps})
}

// GiftInput is the body of POST /v1/clubs/{club}/gifts.
type GiftInput struct {
	// Coins is what the gift spends.
	Coins int64 `json:"coins"`
}

// sendGift spends the fan's coins on a gift in the club; the
// Idempotency-Key header is required.
func (s *Server) sendGift(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	club, err := pathID(r, "club")
	if err != nil {
		return err
	}
	var in GiftInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	res, err := s.engine.SendGift(r.Context(), p.ID, club, in.Coins, idempotencyKey(r.Context()))
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, res)
}

// SubscribeInput is the body of POST /v1/clubs/{club}/subscription.
type SubscribeInput struct {
	Tier string       `json:"tier"`
	Plan fanclub.Plan `json:"plan"`
	// AutoRenew is the fan's choice; absent takes the policy's default
	// (off where the policy asks for explicit consent).
	AutoRenew *bool `json:"auto_renew,omitempty"`
}

// subscribe buys a paid membership of the club; the Idempotency-Key
// header is required.
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	club, err := pathID(r, "club")
	if err != nil {
		return err
	}
	var in SubscribeInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	res, err := s.engine.Subscribe(r.Context(), p.ID, club, in.Tier, in.Plan, in.AutoRenew, idempotencyKey(r.Context()))
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, res)
}

// mySubscription returns the fan's latest subscription in the club.
func (s *Server) mySubscription(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	club, err := pathID(r, "club")
	if err != nil {
		return err
	}
	res, err := s.engine.SubscriptionOf(r.Context(), p.ID, club)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, res)
}

// cancelRenewal turns the fan's auto-renew off in the club.
func (s *Server) cancelRenewal(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	club, err := pathID(r, "club")
	if err != nil {
		return err
	}
	res, err := s.engine.CancelRenewal(r.Context(), p.ID, club)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, res)
}

// revokeSuffix ends the path segment of POST
// /v1/me/payment-agreements/{id}:revoke (a custom method on the
// agreement; ServeMux wildcards take whole segments, so the handler
// splits it).
const revokeSuffix = ":revoke"

// AgreementRevoked is the body of a revoked agreement's answer.
type AgreementRevoked struct {
	Agreement     string                        `json:"agreement"`
	Subscriptions []*fanclub.SubscriptionResult `json:"subscriptions"`
}

// revokeAgreement revokes one of the fan's payment agreements.
func (s *Server) revokeAgreement(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	seg := r.PathValue("id")
	id, ok := strings.CutSuffix(seg, revokeSuffix)
	if !ok || id == "" {
		return fanclub.Errorf(fanclub.ENOTFOUND, "No route for %s %s: agreements have one action, {id}:revoke.", r.Method, r.URL.Path)
	}
	subs, err := s.engine.RevokeAgreement(r.Context(), p.ID, id)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, AgreementRevoked{Agreement: id, Subscriptions: subs})
}

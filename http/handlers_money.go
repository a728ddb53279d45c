package http

import (
	"net/http"

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

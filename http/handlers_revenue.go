package http

import (
	"net/http"
	"strconv"
	"time"

	"fanclub"
)

// creatorOf is the creator a creator route acts for: the caller for a
// creator token; for an admin token the creator_id query parameter.
func creatorOf(r *http.Request, p fanclub.Principal) (int64, error) {
	if p.Role == fanclub.RoleCreator {
		return p.ID, nil
	}
	v := r.URL.Query().Get("creator_id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return 0, fanclub.InvalidFields("Invalid query.", []fanclub.FieldError{{Path: "creator_id", Found: v,
			Allowed: "a positive integer", Message: "required for an admin token"}})
	}
	return id, nil
}

// myRevenue returns the creator's balances: pending, frozen, held,
// released and available.
func (s *Server) myRevenue(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	id, err := creatorOf(r, p)
	if err != nil {
		return err
	}
	rev, err := s.engine.CreatorRevenue(r.Context(), id)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, rev)
}

// SettlementList is the body of GET /v1/creators/me/settlements.
type SettlementList struct {
	Items []*fanclub.Settlement `json:"items"`
}

// mySettlements lists the creator's settlements with their lines.
func (s *Server) mySettlements(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	id, err := creatorOf(r, p)
	if err != nil {
		return err
	}
	ss, err := s.engine.ListCreatorSettlements(r.Context(), id)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, SettlementList{Items: ss})
}

// myStatement returns the creator's statement of a week as CSV.
func (s *Server) myStatement(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	id, err := creatorOf(r, p)
	if err != nil {
		return err
	}
	week := r.PathValue("week")
	body, err := s.engine.SettlementStatement(r.Context(), id, week)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="statement-`+week+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return nil
}

// clubTask returns the club's team task of the current week to its
// members, its creator and admins.
func (s *Server) clubTask(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	club, err := pathID(r, "club")
	if err != nil {
		return err
	}
	c, err := s.engine.FindClub(r.Context(), club)
	if err != nil {
		return err
	}
	switch p.Role {
	case fanclub.RoleAdmin:
	case fanclub.RoleCreator:
		if p.ID != c.CreatorID {
			return fanclub.Errorf(fanclub.EFORBIDDEN, "Only the club's members, its creator or an admin may see its team task.")
		}
	default:
		v, err := s.engine.Membership(r.Context(), p.ID, club)
		if err != nil || v.Status != fanclub.StatusActive {
			return fanclub.Errorf(fanclub.EFORBIDDEN, "Only the club's members, its creator or an admin may see its team task.")
		}
	}
	v, err := s.engine.TeamTask(r.Context(), club, time.Time{})
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, v)
}

// HoldList is the body of GET /v1/admin/revenue/holds.
type HoldList struct {
	Items []*fanclub.Hold `json:"items"`
}

// ReviewList is the body of GET /v1/admin/revenue/reviews.
type ReviewList struct {
	Items []*fanclub.Review `json:"items"`
}

// OperatorInput is the body of an operator action: why it is taken.
type OperatorInput struct {
	Reason string `json:"reason"`
}

// listHolds lists holds in ?state= (default open).
func (s *Server) listHolds(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	state := fanclub.HoldState(r.URL.Query().Get("state"))
	switch state {
	case "":
		state = fanclub.HoldOpen
	case fanclub.HoldOpen, fanclub.HoldReleased, fanclub.HoldVoided:
	default:
		return fanclub.InvalidFields("Invalid query.", []fanclub.FieldError{{Path: "state", Found: string(state), Allowed: "open, released, voided", Message: "unknown state"}})
	}
	hs, err := s.engine.ListHolds(r.Context(), state, 0)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, HoldList{Items: hs})
}

// listReviews lists reviews in ?state= (default open: flagged creators).
func (s *Server) listReviews(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	state := fanclub.ReviewState(r.URL.Query().Get("state"))
	switch state {
	case "":
		state = fanclub.ReviewOpen
	case fanclub.ReviewOpen, fanclub.ReviewClosed:
	default:
		return fanclub.InvalidFields("Invalid query.", []fanclub.FieldError{{Path: "state", Found: string(state), Allowed: "open, closed", Message: "unknown state"}})
	}
	rs, err := s.engine.ListReviews(r.Context(), state)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, ReviewList{Items: rs})
}

// operatorAction reads an operator action's path id and reason.
func operatorAction(w http.ResponseWriter, r *http.Request, p fanclub.Principal) (int64, fanclub.OperatorAction, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, fanclub.OperatorAction{}, err
	}
	var in OperatorInput
	if err := decodeBody(w, r, &in); err != nil {
		return 0, fanclub.OperatorAction{}, err
	}
	return id, fanclub.OperatorAction{By: "admin:" + strconv.FormatInt(p.ID, 10), Reason: in.Reason}, nil
}

// releaseHold releases a hold; it settles at the club's next settlement.
func (s *Server) releaseHold(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	id, a, err := operatorAction(w, r, p)
	if err != nil {
		return err
	}
	h, err := s.engine.ReleaseHold(r.Context(), id, a)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, h)
}

// voidHold voids a hold; its share goes back to the platform.
func (s *Server) voidHold(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	id, a, err := operatorAction(w, r, p)
	if err != nil {
		return err
	}
	h, err := s.engine.VoidHold(r.Context(), id, a)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, h)
}

// closeReview closes a creator's review; its held settlements catch up.
func (s *Server) closeReview(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	id, a, err := operatorAction(w, r, p)
	if err != nil {
		return err
	}
	v, err := s.engine.CloseReview(r.Context(), id, a)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, v)
}

// PayoutInput is the body of POST /v1/creators/me/payouts.
type PayoutInput struct {
	// Amount is in minor units of the instance currency.
	Amount int64 `json:"amount"`
}

// requestPayout pays available money out to the creator through the
// payment provider; the Idempotency-Key header is required.
func (s *Server) requestPayout(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	id, err := creatorOf(r, p)
	if err != nil {
		return err
	}
	var in PayoutInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if len(r.Header.Values(IdempotencyKeyHeader)) > 1 {
		return fanclub.InvalidFields("Invalid Idempotency-Key header.", []fanclub.FieldError{{Path: IdempotencyKeyHeader,
			Allowed: "one header", Message: "repeated idempotency key"}})
	}
	res, err := s.engine.RequestPayout(r.Context(), id, in.Amount, r.Header.Get(IdempotencyKeyHeader))
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, res)
}

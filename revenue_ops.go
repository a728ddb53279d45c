package fanclub

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fanclub/ledger"
)

// OperatorAction names who acts and why; both are recorded.
type OperatorAction struct {
	// By names the operator (e.g. "admin:3").
	By string `json:"by"`
	// Reason says why; required.
	Reason string `json:"reason"`
}

// check validates an operator action.
func (a OperatorAction) check() error {
	var fields []FieldError
	if strings.TrimSpace(a.By) == "" {
		fields = append(fields, FieldError{Path: "by", Message: "an operator action names who acts"})
	}
	if r := strings.TrimSpace(a.Reason); r == "" || len(r) > 500 {
		fields = append(fields, FieldError{Path: "reason", Found: strconv.Itoa(len(r)) + " bytes", Allowed: "1 to 500 bytes", Message: "an operator action needs a reason"})
	}
	if len(fields) > 0 {
		return InvalidFields("Invalid operator action.", fields)
	}
	return nil
}

// ListHolds lists the holds in a state (open: frozen shares waiting for
// an operator), of one creator or all (creatorID 0).
func (e *Engine) ListHolds(ctx context.Context, state HoldState, creatorID int64) ([]*Hold, error) {
	var out []*Hold
	err := e.inTx(ctx, false, func(tx Tx) (err error) {
		out, err = tx.ListHolds(ctx, state, creatorID, 0)
		return err
	})
	return out, err
}

// ListReviews lists the reviews in a state (open: flagged creators).
func (e *Engine) ListReviews(ctx context.Context, state ReviewState) ([]*Review, error) {
	var out []*Review
	err := e.inTx(ctx, false, func(tx Tx) (err error) {
		out, err = tx.ListReviews(ctx, state, 0)
		return err
	})
	return out, err
}

// ReleaseHold releases an open hold: the frozen share posts to the
// creator's frozen account and settles at the club's next settlement.
// Releasing a released hold returns it unchanged; a voided one is
// ECONFLICT.
func (e *Engine) ReleaseHold(ctx context.Context, holdID int64, a OperatorAction) (*Hold, error) {
	return e.resolveHold(ctx, holdID, HoldReleased, a)
}

// VoidHold voids an open hold: the frozen share goes back to the
// platform. Voiding a voided hold returns it unchanged; a released one
// is ECONFLICT.
func (e *Engine) VoidHold(ctx context.Context, holdID int64, a OperatorAction) (*Hold, error) {
	return e.resolveHold(ctx, holdID, HoldVoided, a)
}

// resolveHold moves an open hold to state `to` with its ledger transfers.
func (e *Engine) resolveHold(ctx context.Context, holdID int64, to HoldState, a OperatorAction) (*Hold, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	var h *Hold
	err := e.inTx(ctx, true, func(tx Tx) error {
		var err error
		if h, err = tx.FindHold(ctx, holdID); err != nil {
			return err
		}
		switch h.State {
		case to:
			return nil
		case HoldReleased, HoldVoided:
			return Errorf(ECONFLICT, "Hold %d was %s already.", h.ID, h.State)
		}
		now := tx.Now()
		cur := ledger.Asset(h.Currency)
		ts := []ledger.Transfer{{Key: h.Key + "/release", PendingKey: h.Key, Flags: ledger.PostPending, Code: "hold_release", Ref: h.Key}}
		if to == HoldVoided {
			ts = []ledger.Transfer{
				{Key: h.Key + "/void", PendingKey: h.Key, Flags: ledger.VoidPending, Code: "hold_void", Ref: h.Key},
				{Key: h.Key + "/to-platform", Debit: ledger.CreatorPending(h.CreatorID, cur).ID, Credit: ledger.PlatformRevenue(cur).ID,
					Asset: cur, Amount: h.Amount, Code: "hold_void", Ref: h.Key},
			}
		}
		if _, err := ledger.Post(ctx, tx, now, ts...); err != nil {
			return ledgerError(err, "resolving a hold")
		}
		h.State, h.ResolvedAt, h.ResolvedBy, h.Reason = to, &now, a.By, strings.TrimSpace(a.Reason)
		if err := tx.UpdateHold(ctx, h); err != nil {
			return fmt.Errorf("update hold: %w", err)
		}
		if err := e.notifyHold(ctx, tx, h); err != nil {
			return err
		}
		if to == HoldReleased {
			cp, err := e.loadClub(ctx, tx, h.ClubID)
			if err != nil {
				return err
			}
			return e.scheduleSettlement(ctx, tx, cp, now, "", time.Time{})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// CloseReview closes a creator's open review; the settlements it held
// run again at once and catch up. Closing a closed review returns it
// unchanged.
func (e *Engine) CloseReview(ctx context.Context, reviewID int64, a OperatorAction) (*Review, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	var r *Review
	err := e.inTx(ctx, true, func(tx Tx) error {
		var err error
		if r, err = tx.FindReview(ctx, reviewID); err != nil {
			return err
		}
		if r.State == ReviewClosed {
			return nil
		}
		now := tx.Now()
		r.State, r.ClosedAt, r.ClosedBy, r.Reason = ReviewClosed, &now, a.By, strings.TrimSpace(a.Reason)
		if err := tx.UpdateReview(ctx, r); err != nil {
			return fmt.Errorf("update review: %w", err)
		}
		if err := e.notifyReviewClosed(ctx, tx, r); err != nil {
			return err
		}
		ss, err := tx.ListSettlements(ctx, r.CreatorID)
		if err != nil {
			return fmt.Errorf("settlements: %w", err)
		}
		round := "after-review-" + strconv.FormatInt(r.ID, 10)
		for _, s := range ss {
			if s.State != SettlementHeld {
				continue
			}
			cp, err := e.loadClub(ctx, tx, s.ClubID)
			if err != nil {
				return err
			}
			if err := e.scheduleSettlement(ctx, tx, cp, s.Week, round, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

package fanclub

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"fanclub/ledger"
)

// CreatorRevenue is a creator's money, in minor units of Currency.
type CreatorRevenue struct {
	CreatorID int64  `json:"creator_id"`
	Currency  string `json:"currency"`
	// Pending waits for the weekly settlement (holds excluded).
	Pending int64 `json:"pending"`
	// Frozen is on hold since exits until an operator releases or voids it.
	Frozen int64 `json:"frozen"`
	// Held is the part of Pending a review holds: all of it while the
	// creator is flagged, else 0.
	Held int64 `json:"held"`
	// Released are holds an operator released, settling at the next
	// settlement.
	Released int64 `json:"released"`
	// Available is settled money, ready to be paid out.
	Available int64 `json:"available"`
	// Flagged is true while a review of the creator is open.
	Flagged bool `json:"flagged"`
}

// CreatorRevenue returns a creator's balances, derived from the ledger.
func (e *Engine) CreatorRevenue(ctx context.Context, creatorID int64) (*CreatorRevenue, error) {
	var out *CreatorRevenue
	err := e.inTx(ctx, false, func(tx Tx) error {
		if _, err := tx.FindCreatorByID(ctx, creatorID); err != nil {
			return fmt.Errorf("find creator %d: %w", creatorID, err)
		}
		var err error
		out, err = e.creatorRevenueTx(ctx, tx, creatorID)
		return err
	})
	return out, err
}

// creatorRevenueTx reads a creator's balances in tx.
func (e *Engine) creatorRevenueTx(ctx context.Context, tx Tx, creatorID int64) (*CreatorRevenue, error) {
	cur := ledger.Asset(e.money.Currency)
	p, f, a := ledger.CreatorPending(creatorID, cur), ledger.CreatorFrozen(creatorID, cur), ledger.CreatorAvailable(creatorID, cur)
	as, err := tx.LedgerAccounts(ctx, []ledger.AccountID{p.ID, f.ID, a.ID})
	if err != nil {
		return nil, fmt.Errorf("creator accounts: %w", err)
	}
	reviews, err := tx.ListReviews(ctx, ReviewOpen, creatorID)
	if err != nil {
		return nil, fmt.Errorf("reviews: %w", err)
	}
	r := &CreatorRevenue{CreatorID: creatorID, Currency: e.money.Currency, Pending: as[p.ID].Available(), Frozen: as[p.ID].DebitsPending,
		Released: as[f.ID].Balance(), Available: as[a.ID].Available(), Flagged: len(reviews) > 0}
	if r.Flagged {
		r.Held = r.Pending
	}
	return r, nil
}

// ListCreatorSettlements lists a creator's settlements with their lines,
// by week then club.
func (e *Engine) ListCreatorSettlements(ctx context.Context, creatorID int64) ([]*Settlement, error) {
	var out []*Settlement
	err := e.inTx(ctx, false, func(tx Tx) error {
		if _, err := tx.FindCreatorByID(ctx, creatorID); err != nil {
			return fmt.Errorf("find creator %d: %w", creatorID, err)
		}
		var err error
		out, err = tx.ListSettlements(ctx, creatorID)
		return err
	})
	return out, err
}

// statementHeader is the header row of a settlement statement.
var statementHeader = []string{"week", "club_id", "state", "fan_id", "outcome", "gifts", "coins", "value", "share", "currency"}

// SettlementStatement renders, as CSV, a creator's settlement lines of
// the week starting on day (YYYY-MM-DD, the Monday in each club's time
// zone): one row per club, fan and outcome. A week with no settlement
// gives the header alone.
func (e *Engine) SettlementStatement(ctx context.Context, creatorID int64, day string) ([]byte, error) {
	if _, err := time.Parse(dayLayout, day); err != nil {
		return nil, InvalidFields("Invalid week.", []FieldError{{Path: "week", Found: day, Allowed: "YYYY-MM-DD", Message: "not a date"}})
	}
	ss, err := e.ListCreatorSettlements(ctx, creatorID)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(statementHeader)
	for _, s := range ss {
		loc, err := e.clubLocation(ctx, s.ClubID)
		if err != nil {
			return nil, err
		}
		if s.Week.In(loc).Format(dayLayout) != day {
			continue
		}
		for _, l := range s.Lines {
			_ = w.Write([]string{day, strconv.FormatInt(s.ClubID, 10), string(s.State), strconv.FormatInt(l.FanID, 10), string(l.Outcome),
				strconv.FormatInt(l.Gifts, 10), strconv.FormatInt(l.Coins, 10), strconv.FormatInt(l.Value, 10), strconv.FormatInt(l.Share, 10), s.Currency})
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// clubLocation returns the time zone of a club's policy.
func (e *Engine) clubLocation(ctx context.Context, clubID int64) (*time.Location, error) {
	var loc *time.Location
	err := e.inTx(ctx, false, func(tx Tx) error {
		cp, err := e.loadClub(ctx, tx, clubID)
		if err == nil {
			loc = cp.loc
		}
		return err
	})
	return loc, err
}

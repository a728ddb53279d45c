package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fanclub"
	"fanclub/internal/rowcodec"
)

var _ fanclub.RevenueTx = (*Tx)(nil)

var (
	qUpsertSettlement = `INSERT INTO settlements(` + strings.TrimPrefix(rowcodec.SettlementCols, "id, ") + `) VALUES (` + params(14) + `)
 ON CONFLICT(club_id, week) DO UPDATE SET state = excluded.state, currency = excluded.currency, settled = excluded.settled,
 reversed = excluded.reversed, frozen = excluded.frozen, released = excluded.released, task_goal = excluded.task_goal,
 task_progress = excluded.task_progress, task_met = excluded.task_met, settled_at = excluded.settled_at RETURNING id`
	qInsertRevenueExit = `INSERT INTO revenue_exits(` + strings.TrimPrefix(rowcodec.RevenueExitCols, "id, ") + `) VALUES (` + params(16) + `)
 ON CONFLICT(key) DO NOTHING RETURNING id`
	qInsertHold = `INSERT INTO revenue_holds(` + strings.TrimPrefix(rowcodec.HoldCols, "id, ") + `) VALUES (` + params(12) + `)
 ON CONFLICT(key) DO NOTHING RETURNING id`
	qInsertReview = `INSERT INTO revenue_reviews(` + strings.TrimPrefix(rowcodec.ReviewCols, "id, ") + `) VALUES (` + params(9) + `)
 ON CONFLICT(key) DO NOTHING RETURNING id`
)

// ListClubGifts lists a club's gifts in [from, to) through gifts_club_at.
func (t *Tx) ListClubGifts(ctx context.Context, clubID int64, from, to time.Time) ([]*fanclub.Gift, error) {
	return collect(t, ctx, "gifts", `SELECT `+rowcodec.GiftCols+` FROM gifts WHERE club_id = $1 AND at >= $2 AND at < $3 ORDER BY at, id`,
		[]any{clubID, ts(from), ts(to)}, func(r pgx.Rows) (*fanclub.Gift, error) { return rowcodec.ScanGift(r) })
}

// SaveSettlement inserts or replaces a club-week's settlement and its lines.
func (t *Tx) SaveSettlement(ctx context.Context, s *fanclub.Settlement) error {
	if err := t.queryRow(ctx, "settlement", qUpsertSettlement, rowcodec.SettlementArgs(s), &s.ID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, "settlement lines", `DELETE FROM settlement_lines WHERE settlement_id = $1`, s.ID); err != nil {
		return err
	}
	for _, l := range s.Lines {
		if _, err := t.exec(ctx, "settlement line", `INSERT INTO settlement_lines(settlement_id, `+rowcodec.LineCols+`) VALUES (`+params(7)+`)`,
			s.ID, l.FanID, string(l.Outcome), l.Gifts, l.Coins, l.Value, l.Share); err != nil {
			return err
		}
	}
	return nil
}

// FindSettlement returns a club-week's settlement with its lines.
func (t *Tx) FindSettlement(ctx context.Context, clubID int64, week time.Time) (*fanclub.Settlement, error) {
	ss, err := t.settlements(ctx, `club_id = $1 AND week = $2`, clubID, ts(week))
	if err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return nil, notFound("Settlement of club", clubID)
	}
	return ss[0], nil
}

// ListSettlements lists a creator's settlements with their lines.
func (t *Tx) ListSettlements(ctx context.Context, creatorID int64) ([]*fanclub.Settlement, error) {
	return t.settlements(ctx, `creator_id = $1`, creatorID)
}

// settlements reads the settlements where cond holds, by week and club,
// with their lines.
func (t *Tx) settlements(ctx context.Context, cond string, args ...any) ([]*fanclub.Settlement, error) {
	ss, err := collect(t, ctx, "settlements", `SELECT `+rowcodec.SettlementCols+` FROM settlements WHERE `+cond+` ORDER BY week, club_id`,
		args, func(r pgx.Rows) (*fanclub.Settlement, error) { return rowcodec.ScanSettlement(r) })
	if err != nil || len(ss) == 0 {
		return ss, err
	}
	byID := make(map[int64]*fanclub.Settlement, len(ss))
	for _, s := range ss {
		s.Lines = []fanclub.SettlementLine{}
		byID[s.ID] = s
	}
	type idLine struct {
		id int64
		l  fanclub.SettlementLine
	}
	ls, err := collect(t, ctx, "settlement lines", `SELECT settlement_id, `+rowcodec.LineCols+` FROM settlement_lines
 WHERE settlement_id IN (SELECT id FROM settlements WHERE `+cond+`) ORDER BY settlement_id, fan_id, outcome`, args,
		func(r pgx.Rows) (idLine, error) {
			id, l, err := rowcodec.ScanLine(r)
			return idLine{id, l}, err
		})
	if err != nil {
		return nil, err
	}
	for _, x := range ls {
		if s := byID[x.id]; s != nil {
			s.Lines = append(s.Lines, x.l)
		}
	}
	return ss, nil
}

// CreateRevenueExit stores x unless its key is taken (then x becomes the stored one).
func (t *Tx) CreateRevenueExit(ctx context.Context, x *fanclub.RevenueExit) (bool, error) {
	return t.insertKeyed(ctx, "revenue exit", qInsertRevenueExit, rowcodec.RevenueExitArgs(x), &x.ID, func() error {
		stored, err := findOne(t, ctx, "revenue exit", `SELECT `+rowcodec.RevenueExitCols+` FROM revenue_exits WHERE key = $1`, x.Key, rowcodec.ScanRevenueExit)
		if err == nil {
			*x = *stored
		}
		return err
	})
}

// ListRevenueExits lists a fan's revenue exits at or after since.
func (t *Tx) ListRevenueExits(ctx context.Context, fanID, clubID int64, since time.Time) ([]*fanclub.RevenueExit, error) {
	return collect(t, ctx, "revenue exits", `SELECT `+rowcodec.RevenueExitCols+` FROM revenue_exits
 WHERE fan_id = $1 AND ($2 = 0 OR club_id = $2) AND at >= $3 ORDER BY at, id`, []any{fanID, clubID, ts(since)},
		func(r pgx.Rows) (*fanclub.RevenueExit, error) { return rowcodec.ScanRevenueExit(r) })
}

// ListClubExits lists a club's revenue exits in [from, to).
func (t *Tx) ListClubExits(ctx context.Context, clubID int64, from, to time.Time) ([]*fanclub.RevenueExit, error) {
	return collect(t, ctx, "revenue exits", `SELECT `+rowcodec.RevenueExitCols+` FROM revenue_exits
 WHERE club_id = $1 AND at >= $2 AND at < $3 ORDER BY at, id`, []any{clubID, ts(from), ts(to)},
		func(r pgx.Rows) (*fanclub.RevenueExit, error) { return rowcodec.ScanRevenueExit(r) })
}

// CreateHold stores h unless its key is taken (then h becomes the stored hold).
func (t *Tx) CreateHold(ctx context.Context, h *fanclub.Hold) (bool, error) {
	return t.insertKeyed(ctx, "hold", qInsertHold, rowcodec.HoldArgs(h), &h.ID, func() error {
		stored, err := findOne(t, ctx, "hold", `SELECT `+rowcodec.HoldCols+` FROM revenue_holds WHERE key = $1`, h.Key, rowcodec.ScanHold)
		if err == nil {
			*h = *stored
		}
		return err
	})
}

// FindHold returns a hold by id.
func (t *Tx) FindHold(ctx context.Context, id int64) (*fanclub.Hold, error) {
	return findOne(t, ctx, "hold", `SELECT `+rowcodec.HoldCols+` FROM revenue_holds WHERE id = $1`, id, rowcodec.ScanHold)
}

// UpdateHold saves a hold's state, resolution and settled flag.
func (t *Tx) UpdateHold(ctx context.Context, h *fanclub.Hold) error {
	return t.updateOne(ctx, "Hold", h.ID, `UPDATE revenue_holds SET state = $1, resolved_at = $2, resolved_by = $3, reason = $4, settled = $5 WHERE id = $6`,
		string(h.State), rowcodec.NanosPtr(h.ResolvedAt), h.ResolvedBy, h.Reason, rowcodec.Flag(h.Settled), h.ID)
}

// ListHolds lists holds in a state, of a creator and club (0: all).
func (t *Tx) ListHolds(ctx context.Context, state fanclub.HoldState, creatorID, clubID int64) ([]*fanclub.Hold, error) {
	return collect(t, ctx, "holds", `SELECT `+rowcodec.HoldCols+` FROM revenue_holds
 WHERE state = $1 AND ($2 = 0 OR creator_id = $2) AND ($3 = 0 OR club_id = $3) ORDER BY id`, []any{string(state), creatorID, clubID},
		func(r pgx.Rows) (*fanclub.Hold, error) { return rowcodec.ScanHold(r) })
}

// CreateReview stores r unless its key is taken (then r becomes the stored review).
func (t *Tx) CreateReview(ctx context.Context, r *fanclub.Review) (bool, error) {
	return t.insertKeyed(ctx, "review", qInsertReview, rowcodec.ReviewArgs(r), &r.ID, func() error {
		stored, err := findOne(t, ctx, "review", `SELECT `+rowcodec.ReviewCols+` FROM revenue_reviews WHERE key = $1`, r.Key, rowcodec.ScanReview)
		if err == nil {
			*r = *stored
		}
		return err
	})
}

// FindReview returns a review by id.
func (t *Tx) FindReview(ctx context.Context, id int64) (*fanclub.Review, error) {
	return findOne(t, ctx, "review", `SELECT `+rowcodec.ReviewCols+` FROM revenue_reviews WHERE id = $1`, id, rowcodec.ScanReview)
}

// UpdateReview saves a review's state and closing.
func (t *Tx) UpdateReview(ctx context.Context, r *fanclub.Review) error {
	return t.updateOne(ctx, "Review", r.ID, `UPDATE revenue_reviews SET state = $1, closed_at = $2, closed_by = $3, reason = $4 WHERE id = $5`,
		string(r.State), rowcodec.NanosPtr(r.ClosedAt), r.ClosedBy, r.Reason, r.ID)
}

// ListReviews lists reviews in a state, of a creator (0: all).
func (t *Tx) ListReviews(ctx context.Context, state fanclub.ReviewState, creatorID int64) ([]*fanclub.Review, error) {
	return collect(t, ctx, "reviews", `SELECT `+rowcodec.ReviewCols+` FROM revenue_reviews
 WHERE state = $1 AND ($2 = 0 OR creator_id = $2) ORDER BY id`, []any{string(state), creatorID},
		func(r pgx.Rows) (*fanclub.Review, error) { return rowcodec.ScanReview(r) })
}

// insertKeyed runs an insert that does nothing on a taken key (RETURNING
// id): a new row sets *id and reports true; otherwise load reads the
// stored row.
func (t *Tx) insertKeyed(ctx context.Context, what, q string, args []any, id *int64, load func() error) (bool, error) {
	err := t.queryRow(ctx, what, q, args, id)
	if err == nil {
		return true, nil
	} else if !errNoRows(err) {
		return false, err
	}
	return false, load()
}

// updateOne runs an update that must change exactly the row with id.
func (t *Tx) updateOne(ctx context.Context, what string, id int64, q string, args ...any) error {
	tag, err := t.exec(ctx, what, q, args...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return notFound(what, id)
	}
	return nil
}

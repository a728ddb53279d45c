package sqlite

import (
	"context"
	"strings"
	"time"

	"fanclub"
	"fanclub/internal/rowcodec"
)

var _ fanclub.RevenueTx = (*Tx)(nil)

var (
	qUpsertSettlement = `INSERT INTO settlements(` + strings.TrimPrefix(rowcodec.SettlementCols, "id, ") + `) VALUES (` + placeholders(14) + `)
 ON CONFLICT(club_id, week) DO UPDATE SET state = excluded.state, currency = excluded.currency, settled = excluded.settled,
 reversed = excluded.reversed, frozen = excluded.frozen, released = excluded.released, task_goal = excluded.task_goal,
 task_progress = excluded.task_progress, task_met = excluded.task_met, settled_at = excluded.settled_at RETURNING id`
	qInsertRevenueExit = `INSERT INTO revenue_exits(` + strings.TrimPrefix(rowcodec.RevenueExitCols, "id, ") + `) VALUES (` + placeholders(16) + `)
 ON CONFLICT(key) DO NOTHING`
	qInsertHold = `INSERT INTO revenue_holds(` + strings.TrimPrefix(rowcodec.HoldCols, "id, ") + `) VALUES (` + placeholders(12) + `)
 ON CONFLICT(key) DO NOTHING`
	qInsertReview = `INSERT INTO revenue_reviews(` + strings.TrimPrefix(rowcodec.ReviewCols, "id, ") + `) VALUES (` + placeholders(9) + `)
 ON CONFLICT(key) DO NOTHING`
)

// ListClubGifts lists a club's gifts in [from, to) through gifts_club_at,
// with those the overlay and this transaction keep.
func (t *Tx) ListClubGifts(ctx context.Context, clubID int64, from, to time.Time) ([]*fanclub.Gift, error) {
	stored, err := queryAll(ctx, t, "gifts", func(s scanner) (*fanclub.Gift, error) { return rowcodec.ScanGift(s) },
		`SELECT `+rowcodec.GiftCols+` FROM gifts WHERE club_id = ? AND at >= ? AND at < ? ORDER BY at, id`, clubID, ts(from), ts(to))
	if err != nil {
		return nil, err
	}
	return t.withKeptGifts(stored, func(g *fanclub.Gift) bool {
		return g.ClubID == clubID && !g.At.Before(from) && g.At.Before(to)
	}), nil
}

// SaveSettlement inserts or replaces a club-week's settlement and its lines.
func (t *Tx) SaveSettlement(ctx context.Context, s *fanclub.Settlement) error {
	if err := t.queryRow(ctx, qUpsertSettlement, rowcodec.SettlementArgs(s)...).Scan(&s.ID); err != nil {
		return wrap("settlement", err)
	}
	if _, err := t.execOne(ctx, `DELETE FROM settlement_lines WHERE settlement_id = ?`, s.ID); err != nil {
		return wrap("settlement lines", err)
	}
	for _, l := range s.Lines {
		if _, err := t.execOne(ctx, `INSERT INTO settlement_lines(settlement_id, `+rowcodec.LineCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			s.ID, l.FanID, string(l.Outcome), l.Gifts, l.Coins, l.Value, l.Share); err != nil {
			return wrap("settlement line", err)
		}
	}
	return nil
}

// FindSettlement returns a club-week's settlement with its lines.
func (t *Tx) FindSettlement(ctx context.Context, clubID int64, week time.Time) (*fanclub.Settlement, error) {
	ss, err := t.settlements(ctx, `club_id = ? AND week = ?`, clubID, ts(week))
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
	return t.settlements(ctx, `creator_id = ?`, creatorID)
}

// settlements reads the settlements where cond holds, by week and club,
// with their lines.
func (t *Tx) settlements(ctx context.Context, cond string, args ...any) ([]*fanclub.Settlement, error) {
	ss, err := queryAll(ctx, t, "settlements", func(s scanner) (*fanclub.Settlement, error) { return rowcodec.ScanSettlement(s) },
		`SELECT `+rowcodec.SettlementCols+` FROM settlements WHERE `+cond+` ORDER BY week, club_id`, args...)
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
	ls, err := queryAll(ctx, t, "settlement lines", func(s scanner) (idLine, error) {
		id, l, err := rowcodec.ScanLine(s)
		return idLine{id, l}, err
	}, `SELECT settlement_id, `+rowcodec.LineCols+` FROM settlement_lines WHERE settlement_id IN (SELECT id FROM settlements WHERE `+cond+`)
 ORDER BY settlement_id, fan_id, outcome`, args...)
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
		stored, err := rowcodec.ScanRevenueExit(t.queryRow(ctx, `SELECT `+rowcodec.RevenueExitCols+` FROM revenue_exits WHERE key = ?`, x.Key))
		if err == nil {
			*x = *stored
		}
		return err
	})
}

// ListRevenueExits lists a fan's revenue exits at or after since.
func (t *Tx) ListRevenueExits(ctx context.Context, fanID, clubID int64, since time.Time) ([]*fanclub.RevenueExit, error) {
	return queryAll(ctx, t, "revenue exits", func(s scanner) (*fanclub.RevenueExit, error) { return rowcodec.ScanRevenueExit(s) },
		`SELECT `+rowcodec.RevenueExitCols+` FROM revenue_exits WHERE fan_id = ? AND (? = 0 OR club_id = ?) AND at >= ? ORDER BY at, id`,
		fanID, clubID, clubID, ts(since))
}

// ListClubExits lists a club's revenue exits in [from, to).
func (t *Tx) ListClubExits(ctx context.Context, clubID int64, from, to time.Time) ([]*fanclub.RevenueExit, error) {
	return queryAll(ctx, t, "revenue exits", func(s scanner) (*fanclub.RevenueExit, error) { return rowcodec.ScanRevenueExit(s) },
		`SELECT `+rowcodec.RevenueExitCols+` FROM revenue_exits WHERE club_id = ? AND at >= ? AND at < ? ORDER BY at, id`,
		clubID, ts(from), ts(to))
}

// CreateHold stores h unless its key is taken (then h becomes the stored hold).
func (t *Tx) CreateHold(ctx context.Context, h *fanclub.Hold) (bool, error) {
	return t.insertKeyed(ctx, "hold", qInsertHold, rowcodec.HoldArgs(h), &h.ID, func() error {
		stored, err := rowcodec.ScanHold(t.queryRow(ctx, `SELECT `+rowcodec.HoldCols+` FROM revenue_holds WHERE key = ?`, h.Key))
		if err == nil {
			*h = *stored
		}
		return err
	})
}

// FindHold returns a hold by id.
func (t *Tx) FindHold(ctx context.Context, id int64) (*fanclub.Hold, error) {
	return findOne(ctx, t, "Hold", "hold", `SELECT `+rowcodec.HoldCols+` FROM revenue_holds WHERE id = ?`, id, rowcodec.ScanHold)
}

// UpdateHold saves a hold's state, resolution and settled flag.
func (t *Tx) UpdateHold(ctx context.Context, h *fanclub.Hold) error {
	return t.updateOne(ctx, "Hold", h.ID, `UPDATE revenue_holds SET state = ?, resolved_at = ?, resolved_by = ?, reason = ?, settled = ? WHERE id = ?`,
		string(h.State), rowcodec.NanosPtr(h.ResolvedAt), h.ResolvedBy, h.Reason, rowcodec.Flag(h.Settled), h.ID)
}

// ListHolds lists holds in a state, of a creator and club (0: all).
func (t *Tx) ListHolds(ctx context.Context, state fanclub.HoldState, creatorID, clubID int64) ([]*fanclub.Hold, error) {
	return queryAll(ctx, t, "holds", func(s scanner) (*fanclub.Hold, error) { return rowcodec.ScanHold(s) },
		`SELECT `+rowcodec.HoldCols+` FROM revenue_holds WHERE state = ? AND (? = 0 OR creator_id = ?) AND (? = 0 OR club_id = ?) ORDER BY id`,
		string(state), creatorID, creatorID, clubID, clubID)
}

// CreateReview stores r unless its key is taken (then r becomes the stored review).
func (t *Tx) CreateReview(ctx context.Context, r *fanclub.Review) (bool, error) {
	return t.insertKeyed(ctx, "review", qInsertReview, rowcodec.ReviewArgs(r), &r.ID, func() error {
		stored, err := rowcodec.ScanReview(t.queryRow(ctx, `SELECT `+rowcodec.ReviewCols+` FROM revenue_reviews WHERE key = ?`, r.Key))
		if err == nil {
			*r = *stored
		}
		return err
	})
}

// FindReview returns a review by id.
func (t *Tx) FindReview(ctx context.Context, id int64) (*fanclub.Review, error) {
	return findOne(ctx, t, "Review", "review", `SELECT `+rowcodec.ReviewCols+` FROM revenue_reviews WHERE id = ?`, id, rowcodec.ScanReview)
}

// UpdateReview saves a review's state and closing.
func (t *Tx) UpdateReview(ctx context.Context, r *fanclub.Review) error {
	return t.updateOne(ctx, "Review", r.ID, `UPDATE revenue_reviews SET state = ?, closed_at = ?, closed_by = ?, reason = ? WHERE id = ?`,
		string(r.State), rowcodec.NanosPtr(r.ClosedAt), r.ClosedBy, r.Reason, r.ID)
}

// ListReviews lists reviews in a state, of a creator (0: all).
func (t *Tx) ListReviews(ctx context.Context, state fanclub.ReviewState, creatorID int64) ([]*fanclub.Review, error) {
	return queryAll(ctx, t, "reviews", func(s scanner) (*fanclub.Review, error) { return rowcodec.ScanReview(s) },
		`SELECT `+rowcodec.ReviewCols+` FROM revenue_reviews WHERE state = ? AND (? = 0 OR creator_id = ?) ORDER BY id`,
		string(state), creatorID, creatorID)
}

// insertKeyed runs an insert that does nothing on a taken key: a new row
// sets *id and reports true; otherwise load reads the stored row.
func (t *Tx) insertKeyed(ctx context.Context, what, q string, args []any, id *int64, load func() error) (bool, error) {
	res, err := t.execOne(ctx, q, args...)
	if err != nil {
		return false, wrap(what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, internal(what, err)
	} else if n == 1 {
		if *id, err = res.LastInsertId(); err != nil {
			return false, internal(what, err)
		}
		return true, nil
	}
	if err := load(); err != nil {
		return false, wrap(what, err)
	}
	return false, nil
}

// updateOne runs an update that must change exactly the row with id.
func (t *Tx) updateOne(ctx context.Context, what string, id int64, q string, args ...any) error {
	res, err := t.execOne(ctx, q, args...)
	if err != nil {
		return wrap(what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return internal(what, err)
	} else if n != 1 {
		return notFound(what, id)
	}
	return nil
}

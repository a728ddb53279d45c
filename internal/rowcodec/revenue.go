package rowcodec

import "fanclub"

// SettlementCols are the columns of a settlement row, in the order
// ScanSettlement reads them and SettlementArgs gives them (id excluded).
const SettlementCols = `id, club_id, creator_id, week, state, currency, settled, reversed, frozen, released, task_goal, task_progress, task_met, created_at, settled_at`

// SettlementArgs returns a settlement's values for every column of
// SettlementCols but id.
func SettlementArgs(s *fanclub.Settlement) []any {
	return []any{s.ClubID, s.CreatorID, Nanos(s.Week), string(s.State), s.Currency, s.Settled, s.Reversed, s.Frozen, s.Released,
		s.TaskGoal, s.TaskProgress, Flag(s.TaskMet), Nanos(s.CreatedAt), NanosPtr(s.SettledAt)}
}

// ScanSettlement reads a settlement row of SettlementCols (no lines).
func ScanSettlement(r Scanner) (*fanclub.Settlement, error) {
	var s fanclub.Settlement
	var week, created, met int64
	var settled *int64
	var state string
	if err := r.Scan(&s.ID, &s.ClubID, &s.CreatorID, &week, &state, &s.Currency, &s.Settled, &s.Reversed, &s.Frozen, &s.Released,
		&s.TaskGoal, &s.TaskProgress, &met, &created, &settled); err != nil {
		return nil, err
	}
	s.Week, s.State, s.TaskMet, s.CreatedAt, s.SettledAt = FromNanos(week), fanclub.SettlementState(state), met != 0, FromNanos(created), FromNanosPtr(settled)
	return &s, nil
}

// LineCols are the columns of a settlement line row after its
// settlement id.
const LineCols = `fan_id, outcome, gifts, coins, value, share`

// ScanLine reads a line row of "settlement_id, " + LineCols and returns
// its settlement id.
func ScanLine(r Scanner) (int64, fanclub.SettlementLine, error) {
	var id int64
	var l fanclub.SettlementLine
	var outcome string
	err := r.Scan(&id, &l.FanID, &outcome, &l.Gifts, &l.Coins, &l.Value, &l.Share)
	l.Outcome = fanclub.LineOutcome(outcome)
	return id, l, err
}

// RevenueExitCols are the columns of a revenue exit row.
const RevenueExitCols = `id, key, fan_id, club_id, creator_id, at, week, handling, unsettled_coins, unsettled_share, returned_coins, damages_paid, damages_owed, week_points, forfeit_week, bar_until, bar_forever`

// RevenueExitArgs returns a revenue exit's values for every column of
// RevenueExitCols but id.
func RevenueExitArgs(x *fanclub.RevenueExit) []any {
	return []any{x.Key, x.FanID, x.ClubID, x.CreatorID, Nanos(x.At), Nanos(x.Week), string(x.Handling), x.UnsettledCoins, x.UnsettledShare,
		x.ReturnedCoins, x.DamagesPaid, x.DamagesOwed, x.WeekPoints, Flag(x.ForfeitWeek), NanosPtr(x.BarUntil), Flag(x.BarForever)}
}

// ScanRevenueExit reads a revenue exit row of RevenueExitCols.
func ScanRevenueExit(r Scanner) (*fanclub.RevenueExit, error) {
	var x fanclub.RevenueExit
	var at, week, forfeit, forever int64
	var until *int64
	var handling string
	if err := r.Scan(&x.ID, &x.Key, &x.FanID, &x.ClubID, &x.CreatorID, &at, &week, &handling, &x.UnsettledCoins, &x.UnsettledShare,
		&x.ReturnedCoins, &x.DamagesPaid, &x.DamagesOwed, &x.WeekPoints, &forfeit, &until, &forever); err != nil {
		return nil, err
	}
	x.At, x.Week, x.Handling = FromNanos(at), FromNanos(week), fanclub.PendingShareHandling(handling)
	x.ForfeitWeek, x.BarUntil, x.BarForever = forfeit != 0, FromNanosPtr(until), forever != 0
	return &x, nil
}

// HoldCols are the columns of a hold row.
const HoldCols = `id, key, creator_id, club_id, fan_id, currency, amount, state, created_at, resolved_at, resolved_by, reason, settled`

// HoldArgs returns a hold's values for every column of HoldCols but id.
func HoldArgs(h *fanclub.Hold) []any {
	return []any{h.Key, h.CreatorID, h.ClubID, h.FanID, h.Currency, h.Amount, string(h.State), Nanos(h.CreatedAt),
		NanosPtr(h.ResolvedAt), h.ResolvedBy, h.Reason, Flag(h.Settled)}
}

// ScanHold reads a hold row of HoldCols.
func ScanHold(r Scanner) (*fanclub.Hold, error) {
	var h fanclub.Hold
	var created, settled int64
	var resolved *int64
	var state string
	if err := r.Scan(&h.ID, &h.Key, &h.CreatorID, &h.ClubID, &h.FanID, &h.Currency, &h.Amount, &state, &created, &resolved,
		&h.ResolvedBy, &h.Reason, &settled); err != nil {
		return nil, err
	}
	h.State, h.CreatedAt, h.ResolvedAt, h.Settled = fanclub.HoldState(state), FromNanos(created), FromNanosPtr(resolved), settled != 0
	return &h, nil
}

// ReviewCols are the columns of a review row.
const ReviewCols = `id, key, creator_id, club_id, fan_id, state, opened_at, closed_at, closed_by, reason`

// ReviewArgs returns a review's values for every column of ReviewCols
// but id.
func ReviewArgs(v *fanclub.Review) []any {
	return []any{v.Key, v.CreatorID, v.ClubID, v.FanID, string(v.State), Nanos(v.OpenedAt), NanosPtr(v.ClosedAt), v.ClosedBy, v.Reason}
}

// ScanReview reads a review row of ReviewCols.
func ScanReview(r Scanner) (*fanclub.Review, error) {
	var v fanclub.Review
	var opened int64
	var closed *int64
	var state string
	if err := r.Scan(&v.ID, &v.Key, &v.CreatorID, &v.ClubID, &v.FanID, &state, &opened, &closed, &v.ClosedBy, &v.Reason); err != nil {
		return nil, err
	}
	v.State, v.OpenedAt, v.ClosedAt = fanclub.ReviewState(state), FromNanos(opened), FromNanosPtr(closed)
	return &v, nil
}

// Flag encodes a bool as 0 or 1.
func Flag(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

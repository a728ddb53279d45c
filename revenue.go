package fanclub

import (
	"context"
	"time"
)

// SettlementState is where a club-week's settlement stands.
type SettlementState string

// Settlement states: a settled week moved its money; a held week waits
// for the creator's review to close (kuaishou) and settles then.
const (
	SettlementSettled SettlementState = "settled"
	SettlementHeld    SettlementState = "held"
)

// LineOutcome is what a settlement did with a fan's share of the week.
type LineOutcome string

// Line outcomes.
const (
	// LineSettled: the share moved from pending to available.
	LineSettled LineOutcome = "settled"
	// LineReversed: the share went back to the platform (wechat-channels,
	// the leaver's gifts of the exit's week).
	LineReversed LineOutcome = "reversed"
	// LineFrozen: the share is on hold since the fan's exit (douyin); an
	// operator releases or voids it.
	LineFrozen LineOutcome = "frozen"
	// LineReleased: a hold an operator released, moved from frozen to
	// available by this settlement.
	LineReleased LineOutcome = "released"
	// LineHeld: the share waits for the creator's review to close.
	LineHeld LineOutcome = "held"
)

// Settlement is one club's weekly settlement: the week's gifts summed
// per fan and outcome, the money moved, and the team task's result.
type Settlement struct {
	ID        int64 `json:"id"`
	ClubID    int64 `json:"club_id"`
	CreatorID int64 `json:"creator_id"`
	// Week is the week's start: Monday 00:00 in the policy's time zone.
	Week     time.Time       `json:"week"`
	State    SettlementState `json:"state"`
	Currency string          `json:"currency"`
	// Settled moved from pending to available; Reversed went back to the
	// platform; Frozen stays on hold; Released moved from frozen to
	// available (holds released since the last settlement).
	Settled  int64 `json:"settled"`
	Reversed int64 `json:"reversed"`
	Frozen   int64 `json:"frozen"`
	Released int64 `json:"released"`
	// TaskGoal, TaskProgress and TaskMet are the week's team task.
	TaskGoal     int64      `json:"task_goal"`
	TaskProgress int64      `json:"task_progress"`
	TaskMet      bool       `json:"task_met"`
	CreatedAt    time.Time  `json:"created_at"`
	SettledAt    *time.Time `json:"settled_at"`
	// Lines are the per-fan sums, by fan then outcome.
	Lines []SettlementLine `json:"lines"`
}

// SettlementLine is one fan's gifts of a week with one outcome.
type SettlementLine struct {
	FanID   int64       `json:"fan_id"`
	Outcome LineOutcome `json:"outcome"`
	Gifts   int64       `json:"gifts"`
	Coins   int64       `json:"coins"`
	Value   int64       `json:"value"`
	Share   int64       `json:"share"`
}

// RevenueExit is what a confirmed exit did to revenue and team tasks,
// kept for the settlement of its week and for counting exits.
type RevenueExit struct {
	ID int64 `json:"id"`
	// Key is the exit request's id (unique).
	Key       string               `json:"-"`
	FanID     int64                `json:"fan_id"`
	ClubID    int64                `json:"club_id"`
	CreatorID int64                `json:"creator_id"`
	At        time.Time            `json:"at"`
	Week      time.Time            `json:"week"`
	Handling  PendingShareHandling `json:"handling"`
	// UnsettledCoins and UnsettledShare are the leaver's gifts of the
	// week not settled at exit: coins spent and the creator's share.
	UnsettledCoins int64 `json:"unsettled_coins"`
	UnsettledShare int64 `json:"unsettled_share"`
	// ReturnedCoins went back to the leaver (douyin).
	ReturnedCoins int64 `json:"returned_coins"`
	// DamagesPaid came from the leaver's coins, DamagesOwed is the rest
	// recorded as owed (kuaishou).
	DamagesPaid int64 `json:"damages_paid"`
	DamagesOwed int64 `json:"damages_owed"`
	// WeekPoints are the level points the leaver earned in the club in
	// the exit's week, which leave the team task with them.
	WeekPoints int64 `json:"week_points"`
	// ForfeitWeek: the leaver gets no task reward for the exit's week.
	ForfeitWeek bool `json:"forfeit_week"`
	// BarUntil bars the leaver from the club's task rewards until then;
	// BarForever for ever.
	BarUntil   *time.Time `json:"bar_until"`
	BarForever bool       `json:"bar_forever"`
}

// HoldState is where a hold on a creator's share stands.
type HoldState string

// Hold states.
const (
	HoldOpen     HoldState = "open"
	HoldReleased HoldState = "released"
	HoldVoided   HoldState = "voided"
)

// Hold is a creator's pending share from a leaver's gifts, frozen at the
// exit (a two-phase ledger transfer) until an operator releases it (it
// settles at the next settlement) or voids it (it goes to the platform).
type Hold struct {
	ID int64 `json:"id"`
	// Key is the ledger key of its pending transfer (unique).
	Key        string     `json:"-"`
	CreatorID  int64      `json:"creator_id"`
	ClubID     int64      `json:"club_id"`
	FanID      int64      `json:"fan_id"`
	Currency   string     `json:"currency"`
	Amount     int64      `json:"amount"`
	State      HoldState  `json:"state"`
	CreatedAt  time.Time  `json:"created_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
	// ResolvedBy and Reason record the operator's action.
	ResolvedBy string `json:"resolved_by,omitempty"`
	Reason     string `json:"reason,omitempty"`
	// Settled: a released hold moved to available.
	Settled bool `json:"settled"`
}

// ReviewState is where a creator's review stands.
type ReviewState string

// Review states.
const (
	ReviewOpen   ReviewState = "open"
	ReviewClosed ReviewState = "closed"
)

// Review flags a creator whose settlement is held until an operator
// closes it (kuaishou's exit).
type Review struct {
	ID int64 `json:"id"`
	// Key is the opening exit request's id (unique).
	Key       string      `json:"-"`
	CreatorID int64       `json:"creator_id"`
	ClubID    int64       `json:"club_id"`
	FanID     int64       `json:"fan_id"`
	State     ReviewState `json:"state"`
	OpenedAt  time.Time   `json:"opened_at"`
	ClosedAt  *time.Time  `json:"closed_at"`
	ClosedBy  string      `json:"closed_by,omitempty"`
	Reason    string      `json:"reason,omitempty"`
}

// RevenueTx stores creator revenue: settlements, the revenue side of
// exits, holds and reviews.
type RevenueTx interface {
	// ListClubGifts lists a club's gifts with from ≤ at < to, oldest
	// first, through an index on (club, time): other weeks are not read.
	ListClubGifts(ctx context.Context, clubID int64, from, to time.Time) ([]*Gift, error)
	// SaveSettlement inserts s, or replaces the stored settlement of its
	// club and week with its lines; it sets s.ID.
	SaveSettlement(ctx context.Context, s *Settlement) error
	// FindSettlement returns a club-week's settlement with its lines,
	// ENOTFOUND if none.
	FindSettlement(ctx context.Context, clubID int64, week time.Time) (*Settlement, error)
	// ListSettlements lists a creator's settlements with their lines, by
	// week then club.
	ListSettlements(ctx context.Context, creatorID int64) ([]*Settlement, error)

	// CreateRevenueExit stores x and sets its ID, unless its key is
	// stored: then it copies the stored one into x and reports false.
	CreateRevenueExit(ctx context.Context, x *RevenueExit) (created bool, err error)
	// ListRevenueExits lists a fan's revenue exits at or after since
	// (in one club, or all with clubID 0), oldest first.
	ListRevenueExits(ctx context.Context, fanID, clubID int64, since time.Time) ([]*RevenueExit, error)
	// ListClubExits lists a club's revenue exits with from ≤ at < to.
	ListClubExits(ctx context.Context, clubID int64, from, to time.Time) ([]*RevenueExit, error)

	// CreateHold stores h and sets its ID unless its key is stored (then
	// h becomes the stored hold and it reports false).
	CreateHold(ctx context.Context, h *Hold) (created bool, err error)
	// FindHold returns a hold by id, ENOTFOUND if none.
	FindHold(ctx context.Context, id int64) (*Hold, error)
	// UpdateHold saves a hold's state, resolution and settled flag.
	UpdateHold(ctx context.Context, h *Hold) error
	// ListHolds lists holds in a state, of one creator (or all with
	// creatorID 0) and one club (or all with clubID 0), by id.
	ListHolds(ctx context.Context, state HoldState, creatorID, clubID int64) ([]*Hold, error)

	// CreateReview stores r and sets its ID unless its key is stored
	// (then r becomes the stored review and it reports false).
	CreateReview(ctx context.Context, r *Review) (created bool, err error)
	// FindReview returns a review by id, ENOTFOUND if none.
	FindReview(ctx context.Context, id int64) (*Review, error)
	// UpdateReview saves a review's state and closing.
	UpdateReview(ctx context.Context, r *Review) error
	// ListReviews lists reviews in a state, of one creator (or all with
	// creatorID 0), by id.
	ListReviews(ctx context.Context, state ReviewState, creatorID int64) ([]*Review, error)
}

// WeekStart is the start of the week holding t: Monday 00:00 in loc, as
// a UTC instant.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	back := (int(l.Weekday()) + 6) % 7 // days since Monday
	d := time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, loc)
	return d.UTC()
}

// WeekEnd is the start of the week after the one starting at week.
func WeekEnd(week time.Time, loc *time.Location) time.Time {
	l := week.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+7, 0, 0, 0, 0, loc).UTC()
}

package fanclub

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"fanclub/ledger"
)

// JobSettleWeek is the kind of the job that settles one club's week.
const JobSettleWeek = "revenue.settle"

// settlePayload names the club-week a settlement job settles.
type settlePayload struct {
	ClubID int64     `json:"club_id"`
	Week   time.Time `json:"week"`
}

// settleJobKey is the key of a club-week's settlement job; round tells
// apart a later run (a catch-up after a review) from the first.
func settleJobKey(clubID int64, week time.Time, round string) string {
	k := JobSettleWeek + "/" + strconv.FormatInt(clubID, 10) + "/" + strconv.FormatInt(week.Unix(), 10)
	if round != "" {
		k += "/" + round
	}
	return k
}

// scheduleSettlement enqueues, in tx, the settlement of the club-week
// holding at, due when the week ends (Monday 00:00 in the policy's time
// zone). The first gift of a club's week enqueues it; later ones find
// the key stored and add nothing, so no job sweeps over all creators.
func (e *Engine) scheduleSettlement(ctx context.Context, tx Tx, cp *clubPolicy, at time.Time, round string, due time.Time) error {
	j, err := settlementJob(cp, at, round, due)
	if err != nil {
		return err
	}
	if err := tx.EnqueueJobs(ctx, []*Job{j}); err != nil {
		return fmt.Errorf("schedule settlement: %w", err)
	}
	return nil
}

// settlementJob is the settlement job of the club-week holding at, due
// at due (when the week ends if due is zero).
func settlementJob(cp *clubPolicy, at time.Time, round string, due time.Time) (*Job, error) {
	week := WeekStart(at, cp.loc)
	body, err := json.Marshal(settlePayload{ClubID: cp.club.ID, Week: week})
	if err != nil {
		return nil, fmt.Errorf("settlement job payload: %w", err)
	}
	if due.IsZero() {
		due = WeekEnd(week, cp.loc)
	}
	return &Job{Kind: JobSettleWeek, Key: settleJobKey(cp.club.ID, week, round), Payload: body, DueAt: due}, nil
}

// runSettlement is the handler of JobSettleWeek: it settles the week in
// one transaction that also ends the job, so a killed run leaves nothing
// behind and the next run starts afresh; the ledger keys make a second
// run of a settled week move nothing.
func (e *Engine) runSettlement(ctx context.Context, j *Job) error {
	var p settlePayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return PermanentJobError(fmt.Errorf("payload of job %s: %w", j.Key, err))
	}
	return e.inTx(ctx, true, func(tx Tx) error {
		if _, err := e.settleTx(ctx, tx, p.ClubID, p.Week); err != nil {
			return err
		}
		return e.FinishJobInTx(ctx, tx, j)
	})
}

// SettleWeek settles a club's week now (the job does it by itself when
// the week ends) and returns the settlement. A week that has not ended
// is EINVALID; a settled week is returned as stored.
func (e *Engine) SettleWeek(ctx context.Context, clubID int64, week time.Time) (*Settlement, error) {
	var s *Settlement
	err := e.inTx(ctx, true, func(tx Tx) error {
		cp, err := e.loadClub(ctx, tx, clubID)
		if err != nil {
			return err
		}
		start := WeekStart(week, cp.loc)
		if tx.Now().Before(WeekEnd(start, cp.loc)) {
			return Errorf(EINVALID, "The week of %s has not ended.", start.In(cp.loc).Format(dayLayout))
		}
		s, err = e.settleTx(ctx, tx, clubID, start)
		return err
	})
	return s, err
}

// settleTx settles a club-week in tx: the week's gifts (read through the
// club-time index) summed per fan; the share of each settles, or is
// reversed (wechat-channels: a leaver's gifts before their exit that
// week), or stays frozen (douyin: held since the exit); released holds
// of the club move from frozen to available. A creator under review gets
// a held settlement that moves nothing; it settles when the review
// closes. A settled week is returned as stored.
func (e *Engine) settleTx(ctx context.Context, tx Tx, clubID int64, week time.Time) (*Settlement, error) {
	prev, err := tx.FindSettlement(ctx, clubID, week)
	switch {
	case err == nil && prev.State == SettlementSettled:
		return prev, nil
	case err != nil && !isNotFound(err):
		return nil, fmt.Errorf("find settlement: %w", err)
	}
	cp, err := e.loadClub(ctx, tx, clubID)
	if err != nil {
		return nil, err
	}
	now := tx.Now()
	s := &Settlement{ClubID: clubID, CreatorID: cp.club.CreatorID, Week: week, Currency: e.money.Currency, CreatedAt: now}
	if prev != nil {
		s.CreatedAt = prev.CreatedAt
	}
	end := WeekEnd(week, cp.loc)
	gifts, err := tx.ListClubGifts(ctx, clubID, week, end)
	if err != nil {
		return nil, fmt.Errorf("gifts of the week: %w", err)
	}
	if gifts, err = withoutReversedShares(ctx, tx, gifts); err != nil {
		return nil, err
	}
	exits, err := tx.ListClubExits(ctx, clubID, week, end)
	if err != nil {
		return nil, fmt.Errorf("exits of the week: %w", err)
	}
	reviews, err := tx.ListReviews(ctx, ReviewOpen, cp.club.CreatorID)
	if err != nil {
		return nil, fmt.Errorf("reviews: %w", err)
	}
	if len(reviews) > 0 {
		s.State = SettlementHeld
		s.Lines = weekLines(gifts, exits, true)
		if err := tx.SaveSettlement(ctx, s); err != nil {
			return nil, fmt.Errorf("save settlement: %w", err)
		}
		return s, nil
	}
	s.State, s.SettledAt = SettlementSettled, &now
	s.Lines = weekLines(gifts, exits, false)
	released, err := tx.ListHolds(ctx, HoldReleased, cp.club.CreatorID, clubID)
	if err != nil {
		return nil, fmt.Errorf("released holds: %w", err)
	}
	ts, err := e.settleTransfers(ctx, tx, s, released)
	if err != nil {
		return nil, err
	}
	if _, err := ledger.Post(ctx, tx, now, ts...); err != nil {
		return nil, ledgerError(err, "booking a settlement")
	}
	if err := e.settleTask(ctx, tx, cp, s, exits); err != nil {
		return nil, err
	}
	if err := tx.SaveSettlement(ctx, s); err != nil {
		return nil, fmt.Errorf("save settlement: %w", err)
	}
	// The club's next week settles too, gifts or not: its team task and
	// the holds released meanwhile are paid then.
	if err := e.notifySettled(ctx, tx, cp, s); err != nil {
		return nil, err
	}
	return s, e.scheduleSettlement(ctx, tx, cp, end, "", time.Time{})
}

// settleTransfers sums s's lines into its totals and returns the
// transfers that move them; released holds become lines and are marked
// settled.
func (e *Engine) settleTransfers(ctx context.Context, tx Tx, s *Settlement, released []*Hold) ([]ledger.Transfer, error) {
	cur := ledger.Asset(s.Currency)
	pending, frozen, avail := ledger.CreatorPending(s.CreatorID, cur), ledger.CreatorFrozen(s.CreatorID, cur), ledger.CreatorAvailable(s.CreatorID, cur)
	for _, l := range s.Lines {
		switch l.Outcome {
		case LineSettled:
			s.Settled += l.Share
		case LineReversed:
			s.Reversed += l.Share
		case LineFrozen:
			s.Frozen += l.Share
		}
	}
	base := "settle/" + strconv.FormatInt(s.ClubID, 10) + "/" + strconv.FormatInt(s.Week.Unix(), 10)
	var ts []ledger.Transfer
	if s.Settled > 0 {
		ts = append(ts, ledger.Transfer{Key: base + "/settled", Debit: pending.ID, Credit: avail.ID, Asset: cur, Amount: s.Settled, Code: "settlement", Ref: base})
	}
	if s.Reversed > 0 {
		ts = append(ts, ledger.Transfer{Key: base + "/reversed", Debit: pending.ID, Credit: ledger.PlatformRevenue(cur).ID, Asset: cur,
			Amount: s.Reversed, Code: "settlement_reversal", Ref: base})
	}
	for _, h := range released {
		if h.Settled || h.Currency != s.Currency {
			continue
		}
		s.Released += h.Amount
		s.Lines = append(s.Lines, SettlementLine{FanID: h.FanID, Outcome: LineReleased, Share: h.Amount})
		ts = append(ts, ledger.Transfer{Key: h.Key + "/settle", Debit: frozen.ID, Credit: avail.ID, Asset: cur, Amount: h.Amount,
			Code: "hold_settlement", Ref: base})
		h.Settled = true
		if err := tx.UpdateHold(ctx, h); err != nil {
			return nil, fmt.Errorf("update hold %d: %w", h.ID, err)
		}
	}
	sortLines(s.Lines)
	return ts, nil
}

// weekLines sums a week's gifts per fan and outcome: a gift sent before
// its sender's exit that week is reversed (deduct_at_settlement) or
// frozen (freeze_until_release); every other gift settles, or is held
// when the creator is under review.
func weekLines(gifts []*Gift, exits []*RevenueExit, held bool) []SettlementLine {
	lastExit := map[int64]*RevenueExit{}
	for _, x := range exits {
		if x.Handling == PendingDeductAtSettlement || x.Handling == PendingFreezeUntilRelease {
			lastExit[x.FanID] = x // oldest first: the last one wins
		}
	}
	type lineKey struct {
		fan     int64
		outcome LineOutcome
	}
	sums := map[lineKey]*SettlementLine{}
	for _, g := range gifts {
		outcome := LineSettled
		if x := lastExit[g.FanID]; x != nil && !g.At.After(x.At) {
			outcome = LineReversed
			if x.Handling == PendingFreezeUntilRelease {
				outcome = LineFrozen
			}
		}
		if held && outcome == LineSettled {
			outcome = LineHeld
		}
		k := lineKey{g.FanID, outcome}
		l := sums[k]
		if l == nil {
			l = &SettlementLine{FanID: g.FanID, Outcome: outcome}
			sums[k] = l
		}
		l.Gifts++
		l.Coins += g.Coins
		l.Value += g.Value
		l.Share += g.Share
	}
	out := make([]SettlementLine, 0, len(sums))
	for _, l := range sums {
		out = append(out, *l)
	}
	sortLines(out)
	return out
}

// withoutReversedShares returns gifts less the shares a guardian refund
// already took back from pending (transfer gift-reversal/<key>/share):
// a gift whose whole share came back is left out, so no settlement moves
// a share twice.
func withoutReversedShares(ctx context.Context, tx Tx, gifts []*Gift) ([]*Gift, error) {
	keys := make([]string, len(gifts))
	for i, g := range gifts {
		keys[i] = reversalKeys(g)[1]
	}
	back, err := tx.FindTransfers(ctx, keys)
	if err != nil || len(back) == 0 {
		return gifts, err
	}
	out := make([]*Gift, 0, len(gifts))
	for i, g := range gifts {
		tr, ok := back[keys[i]]
		switch {
		case !ok:
			out = append(out, g)
		case tr.Amount < g.Share:
			left := *g
			left.Share -= tr.Amount
			out = append(out, &left)
		}
	}
	return out, nil
}

// sortLines orders lines by fan, then outcome.
func sortLines(ls []SettlementLine) {
	sort.Slice(ls, func(i, j int) bool {
		if ls[i].FanID != ls[j].FanID {
			return ls[i].FanID < ls[j].FanID
		}
		return ls[i].Outcome < ls[j].Outcome
	})
}

package fanclub

import (
	"context"
	"fmt"
	"time"
)

// unsettledGiftWeek reports a club-week that holds one of the fan's gifts
// and has not settled yet (no settlement, or one held by a review). The
// settlement ties a leaver's gifts to the exit's revenue record by fan
// id, so anonymising the gifts before their week settles would settle a
// share the exit reversed or froze: the anonymise job waits for it. It
// reads the fan's gifts newest first and stops at the first unsettled
// week; a week is looked up once.
func (e *Engine) unsettledGiftWeek(ctx context.Context, tx Tx, fanID int64) (clubID int64, week time.Time, found bool, err error) {
	gifts, err := tx.ListGifts(ctx, fanID, 0, time.Time{})
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("list gifts: %w", err)
	}
	type clubWeek struct {
		club int64
		week time.Time
	}
	seen := map[clubWeek]bool{}
	clubs := map[int64]*clubPolicy{}
	for i := len(gifts) - 1; i >= 0; i-- {
		g := gifts[i]
		cp, ok := clubs[g.ClubID]
		if !ok {
			if cp, err = e.loadClub(ctx, tx, g.ClubID); err != nil {
				return 0, time.Time{}, false, err
			}
			clubs[g.ClubID] = cp
		}
		k := clubWeek{g.ClubID, WeekStart(g.At, cp.loc)}
		if seen[k] {
			continue
		}
		seen[k] = true
		s, err := tx.FindSettlement(ctx, k.club, k.week)
		switch {
		case isNotFound(err):
			return k.club, k.week, true, nil
		case err != nil:
			return 0, time.Time{}, false, fmt.Errorf("find settlement: %w", err)
		case s.State != SettlementSettled:
			return k.club, k.week, true, nil
		}
	}
	return 0, time.Time{}, false, nil
}

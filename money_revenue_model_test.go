package fanclub_test

import (
	"math"
	"time"

	"fanclub"
)

// revenueModel is the model's creator revenue (dimension 6): the gifts
// not yet settled, the exits' coin returns, damages and debts, and the
// wechat-channels reversals due at the settlements.
type revenueModel struct {
	gifts map[[2]int64][]modelGift
	// lastExit is each membership's latest exit.
	lastExit map[[2]int64]time.Time
	// returned, damages and owed are coins per fan: returned by douyin
	// exits, taken as damages by kuaishou exits, recorded as owed.
	returned, damages, owed map[int64]int64
	// reversals wait for their week's settlement; reversed is what the
	// settlements gave back to the platform.
	reversals []modelReversal
	reversed  int64
	// flagged: a kuaishou exit flagged the world's creator for review,
	// and no settlement moves money until it closes.
	flagged bool
	// holds are the open holds' amounts, oldest first.
	holds []int64
}

// modelGift is a gift as the revenue model needs it.
type modelGift struct {
	at           time.Time
	coins, share int64
}

// modelReversal is a creator share a settlement at due reverses.
type modelReversal struct {
	due   time.Time
	share int64
}

// modelExitRevenue is what the model expects an exit to do to revenue.
type modelExitRevenue struct {
	coins, share, returned, paid, owed int64
	transfers                          int
}

func newRevenueModel() revenueModel {
	return revenueModel{gifts: map[[2]int64][]modelGift{}, lastExit: map[[2]int64]time.Time{},
		returned: map[int64]int64{}, damages: map[int64]int64{}, owed: map[int64]int64{}}
}

// coins is the fan's coin balance the model expects.
func (m *moneyModel) coins(fan int64) int64 {
	return m.bought[fan] - m.gifted[fan] + m.rev.returned[fan] - m.rev.damages[fan]
}

// gift records a gift for the revenue model.
func (m *moneyModel) giftSent(fan, club, coins, share int64, at time.Time) {
	k := [2]int64{fan, club}
	m.rev.gifts[k] = append(m.rev.gifts[k], modelGift{at: at, coins: coins, share: share})
}

// exitRevenue applies an exit under policy p at now (week boundaries in
// loc) and returns what it expects the exit to do: the leaver's gifts of
// the week since their last exit there are unsettled; wechat-channels
// reverses their share at the week's settlement, douyin freezes it (a
// pending transfer) and returns tipReturnRatio of their coins, kuaishou
// charges the coins as damages from the balance, the rest owed.
func (m *moneyModel) exitRevenue(p *fanclub.Policy, loc *time.Location, fan, club int64, now time.Time) modelExitRevenue {
	k := [2]int64{fan, club}
	week := fanclub.WeekStart(now, loc)
	var x modelExitRevenue
	for _, g := range m.rev.gifts[k] {
		if !g.at.Before(week) && g.at.After(m.rev.lastExit[k]) && !g.at.After(now) {
			x.coins += g.coins
			x.share += g.share
		}
	}
	m.rev.lastExit[k] = now
	rule := p.Revenue
	switch rule.PendingShare {
	case fanclub.PendingDeductAtSettlement:
		if x.share > 0 {
			m.rev.reversals = append(m.rev.reversals, modelReversal{due: fanclub.WeekEnd(week, loc), share: x.share})
		}
	case fanclub.PendingFreezeUntilRelease:
		if x.share > 0 {
			x.transfers++
			m.rev.holds = append(m.rev.holds, x.share)
		}
	case fanclub.PendingHoldForReview:
		m.rev.flagged = true
	}
	switch rule.TipReturn {
	case fanclub.TipReturnRatio:
		x.returned = int64(math.Floor(float64(x.coins) * rule.TipReturnRatio))
		m.rev.returned[fan] += x.returned
	case fanclub.TipReturnDamages:
		x.paid = min(x.coins, m.coins(fan))
		x.owed = x.coins - x.paid
		m.rev.damages[fan] += x.paid
		m.rev.owed[fan] += x.owed
	}
	for _, n := range []int64{x.returned, x.paid, x.owed} {
		if n > 0 {
			x.transfers++
		}
	}
	return x
}

// advanceRevenue applies the reversals of the settlements due by now,
// unless the creator is under review.
func (m *moneyModel) advanceRevenue(now time.Time) {
	if m.rev.flagged {
		return
	}
	rest := m.rev.reversals[:0]
	for _, r := range m.rev.reversals {
		if now.Before(r.due) {
			rest = append(rest, r)
			continue
		}
		m.rev.reversed += r.share
	}
	m.rev.reversals = rest
}

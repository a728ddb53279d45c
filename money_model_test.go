package fanclub_test

import (
	"fmt"
	"sort"
	"time"

	"fanclub"
)

// moneyModel is what the money property test expects of the engine: per
// fan the coins bought and given, the payments made, whether the sandbox
// declines the fan's charges; per fan and club the membership and the
// latest subscription.
type moneyModel struct {
	bought, gifted map[int64]int64
	// shares is the creators' share of every gift, in fen.
	shares   int64
	payments map[int64][]modelPayment
	declined map[int64]bool
	member   map[[2]int64]bool
	subs     map[[2]int64]*modelSub
	// lost are the coin purchases whose provider answer was lost.
	lost []*lostBuy
	// lostRefunds are the refunds whose provider answer was lost.
	lostRefunds []*lostRefund
	// rev is creator revenue and the exits' coin consequences.
	rev revenueModel
}

// modelPayment is a payment as the model expects it in ListPayments.
type modelPayment struct {
	Kind    fanclub.PaymentKind
	Purpose string
	Amount  int64
	Coins   int64
	ClubID  int64
	Status  fanclub.PaymentStatus
}

// modelSub is the model's subscription: the rules of the spec's
// "Money, coins and periods" and "Dimension 3" restated simply.
type modelSub struct {
	preset      string
	loc         *time.Location
	plan        fanclub.Plan
	price       int64
	status      fanclub.SubscriptionStatus
	autoRenew   bool
	agreement   bool
	anchor      time.Time
	index       int
	start, end  time.Time
	until       time.Time
	cut         bool
	refunded    int64
	retries     int
	agreementID string
}

func newMoneyModel() *moneyModel {
	return &moneyModel{bought: map[int64]int64{}, gifted: map[int64]int64{}, payments: map[int64][]modelPayment{},
		declined: map[int64]bool{}, member: map[[2]int64]bool{}, subs: map[[2]int64]*modelSub{}, rev: newRevenueModel()}
}

// pay records a payment of fan.
func (m *moneyModel) pay(fan int64, p modelPayment) { m.payments[fan] = append(m.payments[fan], p) }

// chargeStatus is the status of a charge of fan now.
func (m *moneyModel) chargeStatus(fan int64) fanclub.PaymentStatus {
	if m.declined[fan] {
		return fanclub.PaymentDeclined
	}
	return fanclub.PaymentSucceeded
}

// moneyIn is the money the platform kept: succeeded charges minus
// succeeded refunds, over every fan.
func (m *moneyModel) moneyIn() int64 {
	var n int64
	for _, ps := range m.payments {
		for _, p := range ps {
			switch {
			case p.Status != fanclub.PaymentSucceeded:
			case p.Kind == fanclub.PaymentCharge:
				n += p.Amount
			default:
				n -= p.Amount
			}
		}
	}
	return n
}

// rendered renders payments as sorted lines, to compare as multisets.
func rendered(ps []modelPayment) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmt.Sprintf("%s %s %d fen %d coins club %d %s", p.Kind, p.Purpose, p.Amount, p.Coins, p.ClubID, p.Status)
	}
	sort.Strings(out)
	return out
}

// live is fanclub.SubscriptionStatus.Live.
func (s *modelSub) live() bool { return s.status.Live() }

// blocks reports whether s stands in the way of a new subscription at
// now: live, and either renewing or with benefits running.
func (s *modelSub) blocks(now time.Time) bool {
	return s.live() && (s.autoRenew || (!now.Before(s.start) && now.Before(s.until)))
}

// end ends s at at.
func (s *modelSub) endAt(at time.Time) {
	s.status, s.autoRenew = fanclub.SubEnded, false
	if s.until.After(at) {
		s.until = at
	}
}

// stopRenewal turns auto-renew off at at: active becomes canceled,
// past_due ends.
func (s *modelSub) stopRenewal(at time.Time) {
	switch s.status {
	case fanclub.SubPastDue:
		s.endAt(at)
		return
	case fanclub.SubActive:
		s.status = fanclub.SubCanceled
	}
	s.autoRenew = false
}

// step applies what is due at now to fan's subscription s (a renewal,
// its retries, the end of a period that does not renew) and reports
// whether it did anything; the caller repeats until nothing is due.
func (m *moneyModel) step(fan, club int64, s *modelSub, now time.Time) bool {
	switch {
	case s.status == fanclub.SubActive && s.autoRenew && !now.Before(s.end),
		s.status == fanclub.SubPastDue && s.retries < fanclub.MaxRenewalRetries && !now.Before(s.end.Add(time.Duration(s.retries+1)*fanclub.RenewalRetryEvery)):
		st := m.chargeStatus(fan)
		m.pay(fan, modelPayment{Kind: fanclub.PaymentCharge, Purpose: fanclub.PurposeRenewal, Amount: s.price, ClubID: club, Status: st})
		if st == fanclub.PaymentSucceeded {
			if s.status == fanclub.SubPastDue { // a paid retry starts a new chain now
				s.anchor, s.index = now, 0
				s.start, s.end = now, fanclub.PeriodEnd(now, 0, s.plan, s.loc)
			} else {
				s.index++
				s.start, s.end = s.end, fanclub.PeriodEnd(s.anchor, s.index, s.plan, s.loc)
			}
			if !s.cut {
				s.until = s.end
			}
			s.status, s.retries, s.refunded = fanclub.SubActive, 0, 0
			return true
		}
		if s.status == fanclub.SubPastDue {
			s.retries++
			if s.retries >= fanclub.MaxRenewalRetries {
				s.endAt(now)
				return true
			}
		} else {
			s.status, s.retries = fanclub.SubPastDue, 0
		}
		if s.until.After(s.end) {
			s.until = s.end
		}
		return true
	case (s.status == fanclub.SubActive && !s.autoRenew || s.status == fanclub.SubCanceled) && !now.Before(s.end):
		s.endAt(s.end)
		return true
	}
	return false
}

// advance applies everything due at now.
func (m *moneyModel) advance(now time.Time) {
	m.advanceRevenue(now)
	for _, b := range m.lost {
		if !now.Before(b.due) {
			m.settle(b)
		}
	}
	for _, rf := range m.lostRefunds {
		if !now.Before(rf.due) {
			m.payments[rf.fan][rf.idx].Status = fanclub.PaymentSucceeded
		}
	}
	for k, s := range m.subs {
		for m.step(k[0], k[1], s, now) {
		}
	}
}

// prorate is floor(price × num ÷ den ÷ div), num clamped to 0..den.
func prorate(price, num, den, div int64) int64 {
	if num <= 0 || den <= 0 {
		return 0
	}
	if num > den {
		num = den
	}
	return price * num / (den * div)
}

// cancelRefund is the refund a cancel of s pays at now: douyin's
// quarterly plans refund floor(price × 0.5 × unused days ÷ period days),
// once a period.
func (s *modelSub) cancelRefund(now time.Time) int64 {
	if s.preset != "douyin" || s.plan != fanclub.PlanQuarterly || s.refunded > 0 || s.status == fanclub.SubEnded {
		return 0
	}
	return prorate(s.price, int64(s.end.Sub(now)/(24*time.Hour)), int64(s.end.Sub(s.start)/(24*time.Hour)), 2)
}

// exitRefund is the refund an exit with the fan's paid choice pays at
// now: wechat-channels price × unused whole months ÷ plan months, fair's
// "refund" price × unused days ÷ period days, once a period; nothing
// otherwise.
func (s *modelSub) exitRefund(choice string, now time.Time) int64 {
	if s.refunded > 0 || s.status == fanclub.SubEnded {
		return 0
	}
	switch {
	case s.preset == "wechat-channels":
		return prorate(s.price, int64(fanclub.UnusedWholeMonths(now, s.end, s.loc)), int64(s.plan.Months()), 1)
	case s.preset == "fair" && choice == "refund":
		return prorate(s.price, int64(s.end.Sub(now)/(24*time.Hour)), int64(s.end.Sub(s.start)/(24*time.Hour)), 1)
	}
	return 0
}

// exit applies an exit at now to s, with refund paid.
func (s *modelSub) exit(choice string, refund int64, now time.Time) {
	if !s.live() {
		return
	}
	until := s.until
	switch {
	case s.preset == "wechat-channels":
		until = now.Add(24 * time.Hour)
	case s.preset == "kuaishou", s.preset == "fair" && choice == "refund":
		until = now
	}
	if until.Before(s.until) {
		s.until = until
	}
	s.refunded += refund
	s.cut = s.until.Before(s.end)
	if s.autoRenew && (s.preset == "wechat-channels" || s.preset == "fair") {
		s.stopRenewal(now)
	}
}

// rejoin gives back benefits an exit cut while the period runs and
// nothing of it was refunded.
func (s *modelSub) rejoin(now time.Time) {
	if s.cut && s.refunded == 0 && now.Before(s.end) && (s.status == fanclub.SubActive || s.status == fanclub.SubCanceled) {
		s.until, s.cut = s.end, false
	}
}

// lostBuy is a coin purchase whose provider answer was lost: the payment
// stays pending until its reconcile job (due ReconcileAfter after it) or
// a retry under its key settles it as the provider first answered.
type lostBuy struct {
	fan, coins int64
	key        string
	idx        int // in payments[fan]
	status     fanclub.PaymentStatus
	due        time.Time
	settled    bool
	answered   bool // a retry has seen the settled answer
}

// settle settles a lost purchase.
func (m *moneyModel) settle(b *lostBuy) {
	if b.settled {
		return
	}
	b.settled = true
	m.payments[b.fan][b.idx].Status = b.status
	if b.status == fanclub.PaymentSucceeded {
		m.bought[b.fan] += b.coins
	}
}

// lostRefund is a refund whose provider answer was lost: it stays pending
// until its reconcile job, due ReconcileAfter after it, settles it.
type lostRefund struct {
	fan int64
	idx int // in payments[fan]
	due time.Time
}

// refund records a refund of fan's in club; lost leaves it pending until
// its reconcile job.
func (m *moneyModel) refund(fan, club int64, purpose string, amount int64, lost bool, now time.Time) {
	st := fanclub.PaymentSucceeded
	if lost {
		st = fanclub.PaymentPending
		m.lostRefunds = append(m.lostRefunds, &lostRefund{fan: fan, idx: len(m.payments[fan]), due: now.Add(fanclub.ReconcileAfter)})
	}
	m.pay(fan, modelPayment{Kind: fanclub.PaymentRefund, Purpose: purpose, Amount: amount, ClubID: club, Status: st})
}

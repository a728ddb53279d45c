package fanclub_test

import (
	"math"
	"reflect"
	"time"

	"pgregory.net/rapid"

	"fanclub"
)

// advance moves the clock in steps of at most a day, running the due
// jobs after each, so that renewals and their retries run near their due
// time; the model applies the same.
func (r *moneyRun) advance(rt *rapid.T) {
	step, n := 24*time.Hour, rapid.SampledFrom([]int{0, 1, 3, 10, 31, 95}).Draw(rt, "days")
	if n == 0 {
		step = rapid.SampledFrom([]time.Duration{time.Minute, time.Hour, 6 * time.Hour}).Draw(rt, "step")
		n = rapid.IntRange(1, 4).Draw(rt, "steps")
	}
	for range n {
		r.clock.Advance(step)
		r.runMoneyJobs(rt)
		r.model.advance(r.clock.Now())
	}
}

// buy buys coins, then retries the request; when lose, the provider's
// answer to the charge is lost (it acted, the engine did not hear).
func (r *moneyRun) buy(rt *rapid.T, fan, coins int64, lose bool) {
	key := r.key("buy")
	st := r.model.chargeStatus(fan)
	r.model.pay(fan, modelPayment{Kind: fanclub.PaymentCharge, Purpose: fanclub.PurposeCoins, Amount: coins * fanclub.DefaultCoinPrice,
		Coins: coins, Status: st})
	r.lossy.lose = lose
	res, err := r.BuyCoins(r.ctx, fan, coins, key)
	if lose {
		if r.lossy.lose || fanclub.ErrorCode(err) != fanclub.EINTERNAL {
			rt.Fatalf("a purchase whose answer was lost: %v", err)
		}
		ps := r.model.payments[fan]
		ps[len(ps)-1].Status = fanclub.PaymentPending
		b := &lostBuy{fan: fan, coins: coins, key: key, idx: len(ps) - 1, status: st, due: r.clock.Now().Add(fanclub.ReconcileAfter)}
		r.model.lost = append(r.model.lost, b)
		if rapid.Bool().Draw(rt, "retry at once") {
			r.retryLost(rt, b)
		}
		return
	}
	if st == fanclub.PaymentDeclined {
		if fanclub.ErrorCode(err) != fanclub.EDECLINED {
			rt.Fatalf("a declined purchase: %v", err)
		}
	} else {
		if err != nil {
			rt.Fatalf("buy: %v", err)
		}
		r.model.bought[fan] += coins
		if res.Wallet.Coins != r.model.coins(fan) || res.Payment.Coins != coins {
			rt.Fatalf("purchase %+v %+v", res.Payment, res.Wallet)
		}
	}
	var id int64
	if err == nil {
		id = res.Payment.ID
	}
	r.sent(rt, "purchase", id, err, func() (int64, error) {
		res, err := r.BuyCoins(r.ctx, fan, coins, key)
		if err != nil {
			return 0, err
		}
		return res.Payment.ID, nil
	})
}

// gift sends a gift, then retries the request.
func (r *moneyRun) gift(rt *rapid.T, fan int64, preset string, club, coins int64) {
	key := r.key("gift")
	res, err := r.SendGift(r.ctx, fan, club, coins, key)
	switch {
	case !r.model.member[[2]int64{fan, club}]:
		if fanclub.ErrorCode(err) != fanclub.ENOTMEMBER {
			rt.Fatalf("a non-member's gift: %v", err)
		}
		return
	case coins > r.model.coins(fan):
		if fanclub.ErrorCode(err) != fanclub.EINSUFFICIENT {
			rt.Fatalf("a gift beyond the balance: %v", err)
		}
		return
	case err != nil:
		rt.Fatalf("gift: %v", err)
	}
	r.model.gifted[fan] += coins
	bp := int64(math.Round(mustPolicy(rt, r.policies, preset).Revenue.CreatorShare * 10000))
	share := coins * fanclub.DefaultCoinPrice * bp / 10000
	r.model.shares += share
	r.model.giftSent(fan, club, coins, share, r.clock.Now())
	if res.Wallet.Coins != r.model.coins(fan) || res.Gift.Coins != coins || res.Gift.Share != share {
		rt.Fatalf("gift %+v %+v", res.Gift, res.Wallet)
	}
	r.sent(rt, "gift", res.Gift.ID, nil, func() (int64, error) {
		res, err := r.SendGift(r.ctx, fan, club, coins, key)
		if err != nil {
			return 0, err
		}
		return res.Gift.ID, nil
	})
}

// join joins (or rejoins) a club.
func (r *moneyRun) join(rt *rapid.T, fan, club int64) {
	k := [2]int64{fan, club}
	_, err := r.Join(r.ctx, fan, club)
	switch {
	case r.model.member[k]:
		if fanclub.ErrorCode(err) != fanclub.EALREADYMEMBER {
			rt.Fatalf("join while active: %v", err)
		}
	case fanclub.ErrorCode(err) == fanclub.ECOOLDOWN:
	case err != nil:
		rt.Fatalf("join: %v", err)
	default:
		r.model.member[k] = true
		if s := r.model.subs[k]; s != nil {
			s.rejoin(r.clock.Now())
		}
	}
}

// subscribe buys a paid membership, then retries the request.
func (r *moneyRun) subscribe(rt *rapid.T, fan int64, preset string, club int64, plan fanclub.Plan, auto *bool) {
	k := [2]int64{fan, club}
	p := mustPolicy(rt, r.policies, preset)
	price, err := fanclub.PriceOf(p.Paid, "vip", plan)
	if err != nil {
		rt.Fatalf("price: %v", err)
	}
	key := r.key("sub")
	res, err := r.Subscribe(r.ctx, fan, club, "vip", plan, auto, key)
	s := r.model.subs[k]
	switch {
	case !r.model.member[k]:
		if fanclub.ErrorCode(err) != fanclub.ENOTMEMBER {
			rt.Fatalf("a non-member's subscription: %v", err)
		}
		return
	case s != nil && s.blocks(r.clock.Now()):
		// A live subscription that neither renews nor gives benefits
		// (an exit cut them) is replaced instead: see
		// TestResubscribeAfterRefundedExit.
		if fanclub.ErrorCode(err) != fanclub.ECONFLICT {
			rt.Fatalf("a second live subscription: %v", err)
		}
		return
	}
	st := r.model.chargeStatus(fan)
	r.model.pay(fan, modelPayment{Kind: fanclub.PaymentCharge, Purpose: fanclub.PurposeSubscription, Amount: price, ClubID: club, Status: st})
	if st == fanclub.PaymentDeclined {
		if fanclub.ErrorCode(err) != fanclub.EDECLINED {
			rt.Fatalf("a declined subscription: %v", err)
		}
	} else {
		if err != nil {
			rt.Fatalf("subscribe: %v", err)
		}
		loc, err := p.Location()
		if err != nil {
			rt.Fatalf("zone: %v", err)
		}
		now := r.clock.Now()
		autoRenew := fanclub.DefaultAutoRenew(p.Paid)
		if auto != nil {
			autoRenew = *auto
		}
		end := fanclub.PeriodEnd(now, 0, plan, loc)
		r.model.subs[k] = &modelSub{preset: preset, loc: loc, plan: plan, price: price, status: fanclub.SubActive, autoRenew: autoRenew,
			agreement: autoRenew && preset == "kuaishou", anchor: now, start: now, end: end, until: end}
	}
	var id int64
	if err == nil {
		id = res.Payment.ID
	}
	r.sent(rt, "subscription", id, err, func() (int64, error) {
		res, err := r.Subscribe(r.ctx, fan, club, "vip", plan, auto, key)
		if err != nil {
			return 0, err
		}
		return res.Payment.ID, nil
	})
}

// retryLost retries a purchase whose answer was lost: it returns the
// purchase as the provider first answered, settled now if it was still
// pending; from then on it is a request like the others.
func (r *moneyRun) retryLost(rt *rapid.T, b *lostBuy) {
	r.model.settle(b)
	do := func() (int64, error) {
		res, err := r.BuyCoins(r.ctx, b.fan, b.coins, b.key)
		if err != nil {
			return 0, err
		}
		return res.Payment.ID, nil
	}
	id, err := do()
	switch {
	case b.status == fanclub.PaymentDeclined && fanclub.ErrorCode(err) != fanclub.EDECLINED,
		b.status == fanclub.PaymentSucceeded && err != nil:
		rt.Fatalf("retried purchase whose answer was lost: %v, want %s", err, b.status)
	}
	b.answered = true
	r.sent(rt, "purchase whose answer was lost", id, err, do)
}

// sentRequest is a request sent with an idempotency key: how to send it
// again, and what it first returned (the id of the payment or gift it
// made, or its error's code).
type sentRequest struct {
	what string
	do   func() (int64, error)
	id   int64
	code string
}

// sent records a request that stored its result under its key, whose
// first answer was id or err, and retries it at once.
func (r *moneyRun) sent(rt *rapid.T, what string, id int64, err error, do func() (int64, error)) {
	q := sentRequest{what: what, do: do, id: id, code: fanclub.ErrorCode(err)}
	r.sentRequests = append(r.sentRequests, q)
	r.retry(rt, q)
}

// retry sends q again: it must return its first answer and change
// nothing.
func (r *moneyRun) retry(rt *rapid.T, q sentRequest) {
	n := r.transfers(rt)
	id, err := q.do()
	if code := fanclub.ErrorCode(err); code != q.code || id != q.id {
		rt.Fatalf("retried %s: %d %v, first %d %q", q.what, id, err, q.id, q.code)
	}
	if m := r.transfers(rt); m != n {
		rt.Fatalf("a retried %s posted %d transfers", q.what, m-n)
	}
}

// cancel cancels a subscription's renewal; when lose, the provider's
// answer to its refund is lost (the refund is made, the engine did not
// hear): the cancel stands, the request fails, and the refund's
// reconcile job settles it.
func (r *moneyRun) cancel(rt *rapid.T, fan int64, preset string, club int64, lose bool) {
	k := [2]int64{fan, club}
	s := r.model.subs[k]
	before := r.clearing(rt)
	now := r.clock.Now()
	var refund int64
	if s != nil && s.live() && preset != "kuaishou" {
		refund = s.cancelRefund(now)
	}
	lost := lose && refund > 0
	r.lossy.loseRefund = lost
	res, err := r.CancelRenewal(r.ctx, fan, club)
	r.lossy.loseRefund = false
	switch {
	case s == nil:
		if fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
			rt.Fatalf("cancel without a subscription: %v", err)
		}
		return
	case !s.live():
		if fanclub.ErrorCode(err) != fanclub.ECONFLICT {
			rt.Fatalf("cancel of an ended subscription: %v", err)
		}
		return
	case preset == "kuaishou":
		if fanclub.ErrorCode(err) != fanclub.EINVALID {
			rt.Fatalf("cancel on an agreement: %v", err)
		}
		return
	case lost:
		// The cancel committed; its refund stays pending until its
		// reconcile job settles it.
		if err != nil || (refund > 0 && (res.Payment == nil || res.Payment.Status != fanclub.PaymentPending || res.Payment.Amount != refund)) {
			rt.Fatalf("cancel whose refund answer was lost: %v %+v", err, res)
		}
	case err != nil:
		rt.Fatalf("cancel: %v", err)
	case refund > 0:
		if res.Payment == nil || res.Payment.Amount != refund || res.Payment.Status != fanclub.PaymentSucceeded {
			rt.Fatalf("cancel refund %+v, want %d", res.Payment, refund)
		}
	case res.Payment != nil:
		rt.Fatalf("cancel refunded %+v, want nothing", res.Payment)
	}
	if refund > 0 {
		r.model.refund(fan, club, fanclub.PurposeCancelRefund, refund, lost, now)
	}
	want := refund
	if lost {
		want = 0 // until the reconcile job settles it
	}
	if got := r.clearing(rt) - before; got != want {
		rt.Fatalf("cancel moved %d to the provider, want %d (answer lost: %v)", got, want, lost)
	}
	s.refunded += refund
	if s.status == fanclub.SubCanceled {
		s.autoRenew = false
	} else {
		s.stopRenewal(now)
	}
}

// revoke revokes the payment agreement of a fan's kuaishou subscription,
// twice.
func (r *moneyRun) revoke(rt *rapid.T, fan, club int64) {
	s := r.model.subs[[2]int64{fan, club}]
	if s == nil || !s.agreement {
		return
	}
	res, err := r.SubscriptionOf(r.ctx, fan, club)
	if err != nil {
		rt.Fatalf("subscription: %v", err)
	}
	for range 2 {
		if _, err := r.RevokeAgreement(r.ctx, fan, res.AgreementID); err != nil {
			rt.Fatalf("revoke: %v", err)
		}
	}
	if s.live() && s.autoRenew {
		s.stopRenewal(r.clock.Now())
	}
}

// exit leaves a club with the paid choice (fair only), checking that the
// execution is the preview, transfers and all; when lose, the provider's
// answer to its refund is lost: the exit stands with its refund pending,
// and the refund's reconcile job settles it.
func (r *moneyRun) exit(rt *rapid.T, fan int64, preset string, club int64, choice string, lose bool) {
	k := [2]int64{fan, club}
	var choices map[string]string
	if preset == "fair" {
		choices = map[string]string{fanclub.ChoiceProgress: rapid.SampledFrom([]string{"erase", "keep"}).Draw(rt, "option")}
		if choice != "" {
			choices[fanclub.ChoicePaid] = choice
		}
	}
	req, err := r.RequestExit(r.ctx, fan, club, choices)
	if !r.model.member[k] {
		if fanclub.ErrorCode(err) != fanclub.ENOTMEMBER {
			rt.Fatalf("exit of a non-member: %v", err)
		}
		return
	}
	if err != nil {
		rt.Fatalf("request exit: %v", err)
	}
	now := r.clock.Now()
	s := r.model.subs[k]
	var refund int64
	switch {
	case s == nil || !s.live():
		if req.Impact.Paid != nil {
			rt.Fatalf("preview of paid %+v without a live subscription", req.Impact.Paid)
		}
	case req.Impact.Paid == nil:
		rt.Fatalf("no paid preview for a live subscription")
	default:
		refund = s.exitRefund(choice, now)
		if got := req.Impact.Paid.Refund.Amount; got != refund {
			rt.Fatalf("%s exit previews a refund of %d, want %d (%+v)", preset, got, refund, req.Impact.Paid)
		}
	}
	before, n := r.clearing(rt), r.transfers(rt)
	lost := lose && refund > 0
	r.lossy.loseRefund = lost
	out, err := r.ConfirmExit(r.ctx, fan, req.ID, rightAnswers(rt, r.store, req.ID))
	r.lossy.loseRefund = false
	if err != nil {
		rt.Fatalf("confirm exit: %v", err)
	}
	if !reflect.DeepEqual(out.Impact.Paid, req.Impact.Paid) || !reflect.DeepEqual(out.Impact.Revenue, req.Impact.Revenue) {
		rt.Fatalf("exit executed %+v %+v, previewed %+v %+v", out.Impact.Paid, out.Impact.Revenue, req.Impact.Paid, req.Impact.Revenue)
	}
	p := mustPolicy(rt, r.policies, preset)
	loc, err := p.Location()
	if err != nil {
		rt.Fatalf("policy zone: %v", err)
	}
	rev := r.model.exitRevenue(p, loc, fan, club, now)
	if got := out.Impact.Revenue; got.UnsettledCoins != rev.coins || got.UnsettledShare != rev.share || got.ReturnedCoins != rev.returned ||
		got.DamagesPaid != rev.paid || got.DamagesOwed != rev.owed {
		rt.Fatalf("%s exit revenue %+v, want %+v", preset, got, rev)
	}
	moved, wantTransfers, wantStatus := refund, rev.transfers, fanclub.PaymentSucceeded
	if lost {
		moved, wantStatus = 0, fanclub.PaymentPending
	} else if refund > 0 {
		wantTransfers++
	}
	if got := r.clearing(rt) - before; got != moved {
		rt.Fatalf("exit moved %d to the provider, previewed %d (answer lost: %v)", got, refund, lost)
	}
	if refund > 0 {
		if out.Refund == nil || out.Refund.Amount != refund || out.Refund.Status != wantStatus {
			rt.Fatalf("exit refund %+v, previewed %d (answer lost: %v)", out.Refund, refund, lost)
		}
		r.model.refund(fan, club, fanclub.PurposeExitRefund, refund, lost, now)
	} else if out.Refund != nil {
		rt.Fatalf("exit refunded %+v, previewed nothing", out.Refund)
	}
	if m := r.transfers(rt); m-n != wantTransfers {
		rt.Fatalf("exit posted %d transfers, want %d", m-n, wantTransfers)
	}
	r.model.member[k] = false
	if s != nil {
		s.exit(choice, refund, now)
	}
}

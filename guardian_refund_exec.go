package fanclub

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fanclub/ledger"
)

// refundCall is a refund recorded pending, to make through the provider
// once its transaction commits.
type refundCall struct {
	refund    *Payment
	chargeRef string
}

// executeGuardianRefund refunds a request in tx and marks it refunded:
//  1. every gift the minor sent in the period is reversed through the
//     ledger (once per gift, whatever the request): its coins go back to
//     the minor's wallet, and, while the gift's club-week is not settled,
//     the creator's share is taken back from the creator's pending
//     revenue (as far as it is still pending there; the settlement then
//     leaves it out); a share a settlement already moved stays with the
//     creator; a gift an exit decided is reversed for what the exit did
//     not undo (reverseGifts);
//  2. the coins bought in the period are taken back as far as the
//     minor's wallet holds them, newest purchase first, and each
//     purchase's money is refunded for the coins taken back, at the
//     price they were bought at;
//  3. each subscription charge of the period is refunded for what no
//     earlier refund gave back, and the subscription, if still live,
//     ends now.
//
// No charge is ever refunded beyond its amount: earlier guardian refunds
// of a charge are subtracted, and so are the exit and cancel refunds
// that refunded it (clubRefundsByCharge).
func (e *Engine) executeGuardianRefund(ctx context.Context, tx Tx, r *GuardianRefund) ([]refundCall, error) {
	in := func(t time.Time) bool {
		return (r.Since == nil || !t.Before(*r.Since)) && (r.Until == nil || t.Before(*r.Until))
	}
	gifts, err := e.reverseGifts(ctx, tx, r, in)
	if err != nil {
		return nil, err
	}
	ps, err := tx.ListPayments(ctx, r.MinorID)
	if err != nil {
		return nil, fmt.Errorf("list payments: %w", err)
	}
	given := refundedByCharge(ps)
	other := clubRefundsByCharge(ps)
	w, err := walletOf(ctx, tx, r.MinorID)
	if err != nil {
		return nil, err
	}
	left := w.Coins
	var calls []refundCall
	var total, coins int64
	for _, c := range slices.Backward(ps) {
		if c.Kind != PaymentCharge || c.Status != PaymentSucceeded || !in(c.CreatedAt) {
			continue
		}
		var amount int64
		switch c.Purpose {
		case PurposeCoins:
			unit := c.Amount / max(c.Coins, 1)
			back := min(c.Coins-given[c.ID]/max(unit, 1), left)
			if back <= 0 {
				continue
			}
			left -= back
			coins += back
			amount = back * unit
		case PurposeSubscription, PurposeRenewal:
			amount = c.Amount - given[c.ID] - other[c.ID]
			if amount <= 0 {
				continue
			}
			if err := endRefundedSubscription(ctx, tx, c); err != nil {
				return nil, err
			}
		default:
			continue
		}
		key := "guardian-refund/" + strconv.FormatInt(r.ID, 10) + "/charge/" + strconv.FormatInt(c.ID, 10)
		p, err := e.newRefund(ctx, tx, c.FanID, c.ClubID, c.ProviderRef, Money{Amount: amount, Currency: c.Currency}, PurposeGuardianRefund, key)
		if err != nil {
			return nil, err
		}
		calls = append(calls, refundCall{refund: p, chargeRef: c.ProviderRef})
		total += amount
	}
	if coins > 0 {
		key := "guardian-refund/" + strconv.FormatInt(r.ID, 10) + "/coins"
		if _, err := ledger.Post(ctx, tx, tx.Now(), ledger.Transfer{Key: key, Debit: ledger.FanCoins(r.MinorID).ID,
			Credit: ledger.PlatformCoins().ID, Asset: ledger.Coin, Amount: coins, Code: "guardian_refund_coins", Ref: r.Key}); err != nil {
			return nil, ledgerError(err, "taking back refunded coins")
		}
	}
	r.Status, r.Amount, r.Coins, r.Gifts = RefundRefunded, total, coins, gifts
	if err := tx.UpdateGuardianRefund(ctx, r); err != nil {
		return nil, fmt.Errorf("update guardian refund: %w", err)
	}
	return calls, nil
}

// reverseGifts reverses, once each, the minor's gifts in the period and
// returns how many it reversed. A gift an exit already decided (its
// revenue exit) is reversed for what the exit did not undo: the coins
// the exit gave back (douyin's tipReturnRatio) are not given twice, and a
// share the exit froze stays on its hold for an operator to release or
// void, so no other gift's pending share is taken in its place.
func (e *Engine) reverseGifts(ctx context.Context, tx Tx, r *GuardianRefund, in func(time.Time) bool) (int, error) {
	var since time.Time
	if r.Since != nil {
		since = *r.Since
	}
	gs, err := tx.ListGifts(ctx, r.MinorID, 0, since)
	if err != nil {
		return 0, fmt.Errorf("list gifts: %w", err)
	}
	done, err := reversedGifts(ctx, tx, gs)
	if err != nil {
		return 0, err
	}
	cover, err := newExitCover(ctx, tx, r.MinorID)
	if err != nil {
		return 0, err
	}
	returned := map[*RevenueExit]map[string]int64{}
	n := 0
	for _, g := range gs {
		if !in(g.At) || done[g.Key] {
			continue
		}
		cp, err := e.loadClub(ctx, tx, g.ClubID)
		if err != nil {
			return 0, err
		}
		coins, share := g.Coins, int64(0)
		x := cover.of(g, cp.loc)
		if x != nil && x.ReturnedCoins > 0 {
			if returned[x] == nil {
				if returned[x], err = returnedPerGift(ctx, tx, cover, x, cp.loc); err != nil {
					return 0, err
				}
			}
			coins -= returned[x][g.Key]
		}
		if x == nil || x.Handling != PendingFreezeUntilRelease {
			if share, err = e.shareToReverse(ctx, tx, cp, g); err != nil {
				return 0, err
			}
		}
		key := giftReversalKey(g)
		var ts []ledger.Transfer
		if coins > 0 {
			ts = append(ts, ledger.Transfer{Key: key + "/coins", Debit: ledger.PlatformCoins().ID, Credit: ledger.FanCoins(g.FanID).ID,
				Asset: ledger.Coin, Amount: coins, Code: "gift_reversal", Ref: r.Key})
		}
		if share > 0 {
			cur := ledger.Asset(g.Currency)
			ts = append(ts, ledger.Transfer{Key: key + "/share", Debit: ledger.CreatorPending(g.CreatorID, cur).ID,
				Credit: ledger.PlatformRevenue(cur).ID, Asset: cur, Amount: share, Code: "gift_share_reversal", Ref: r.Key})
		}
		if len(ts) == 0 {
			continue // the exit gave everything back and holds the share
		}
		if _, err := ledger.Post(ctx, tx, tx.Now(), ts...); err != nil {
			return 0, ledgerError(err, "reversing a gift")
		}
		n++
	}
	return n, nil
}

// shareToReverse is how much of a reversed gift's share to take back
// from the creator's pending revenue: none once the gift's club-week is
// settled (the share left pending then; taking it would take another
// gift's), else the share as far as pending holds it outside holds.
func (e *Engine) shareToReverse(ctx context.Context, tx Tx, cp *clubPolicy, g *Gift) (int64, error) {
	s, err := tx.FindSettlement(ctx, g.ClubID, WeekStart(g.At, cp.loc))
	switch {
	case err == nil && s.State == SettlementSettled:
		return 0, nil
	case err != nil && !isNotFound(err):
		return 0, fmt.Errorf("find settlement: %w", err)
	}
	pending := ledger.CreatorPending(g.CreatorID, ledger.Asset(g.Currency))
	as, err := tx.LedgerAccounts(ctx, []ledger.AccountID{pending.ID})
	if err != nil {
		return 0, fmt.Errorf("creator pending: %w", err)
	}
	return min(g.Share, as[pending.ID].Available()), nil
}

// refundedByCharge sums the guardian refunds already made of each charge
// (by charge id, read from the refunds' keys).
func refundedByCharge(ps []*Payment) map[int64]int64 {
	out := map[int64]int64{}
	for _, p := range ps {
		if p.Kind != PaymentRefund || p.Purpose != PurposeGuardianRefund || p.Status == PaymentDeclined {
			continue
		}
		_, id, ok := strings.Cut(p.Key, "/charge/")
		if n, err := strconv.ParseInt(id, 10, 64); ok && err == nil {
			out[n] += p.Amount
		}
	}
	return out
}

// clubRefundsByCharge sums, by charge id, the refunds other than
// guardian refunds (an exit's or a cancel's): each refunds the charge
// that paid the subscription's running period, the latest subscription
// or renewal charge of its club that succeeded before it (ps is oldest
// first), and counts against that charge alone.
func clubRefundsByCharge(ps []*Payment) map[int64]int64 {
	out := map[int64]int64{}
	latest := map[int64]*Payment{} // by club
	for _, p := range ps {
		switch {
		case p.Kind == PaymentCharge && p.Status == PaymentSucceeded && (p.Purpose == PurposeSubscription || p.Purpose == PurposeRenewal):
			latest[p.ClubID] = p
		case p.Kind == PaymentRefund && p.Purpose != PurposeGuardianRefund && p.Status != PaymentDeclined && latest[p.ClubID] != nil:
			out[latest[p.ClubID].ID] += p.Amount
		}
	}
	return out
}

// endRefundedSubscription ends, now, the live subscription a refunded
// charge paid for.
func endRefundedSubscription(ctx context.Context, tx Tx, c *Payment) error {
	s, err := tx.FindSubscriptionByMember(ctx, c.FanID, c.ClubID)
	if isNotFound(err) {
		return nil
	} else if err != nil {
		return fmt.Errorf("find subscription: %w", err)
	}
	if !s.Status.Live() {
		return nil
	}
	ended := EndSubscription(*s, tx.Now())
	if err := tx.UpdateSubscription(ctx, &ended); err != nil {
		return fmt.Errorf("end refunded subscription: %w", err)
	}
	return nil
}

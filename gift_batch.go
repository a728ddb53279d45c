package fanclub

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"fanclub/ledger"
)

// maxGiftBatch bounds the gifts one transaction commits.
const maxGiftBatch = 512

// giftBatchTimeout bounds one batch's transactions, retries included: a
// batch runs for all its callers, so no single caller's context ends it.
const giftBatchTimeout = 30 * time.Second

// giftCall is one SendGift waiting for the batch that carries it.
type giftCall struct {
	fanID, clubID, coins int64
	// payer is the fan whose coins pay: decided by the batch (the
	// minors rules, see decideSpending), or beforehand when checked.
	payer   int64
	checked bool
	// key is the client's idempotency key, gkey the stored one.
	key, gkey string

	// res and err are the outcome, set before done is closed.
	res  *GiftResult
	err  error
	done chan struct{}

	// gift is the gift of this run of the batch: stored before (a
	// replay) or new; nil when the call failed.
	gift  *Gift
	fresh bool
	// week is the key of the settlement job of a new gift's club-week.
	week string
}

// spending is the call's spending, for the minors rules, at the coin
// price price.
func (c *giftCall) spending(price int64) Spending {
	return Spending{Kind: SpendGift, FanID: c.fanID, ClubID: c.clubID, Amount: c.coins * price, Key: c.gkey}
}

// giftQueue is the group commit of gifts. A gift is a write transaction
// whose cost is mostly fixed (begin, the hot platform accounts, commit),
// so the gifts of concurrent SendGift calls run in one transaction: a
// call that finds fewer than writers drainers running starts one, and a
// drainer takes every waiting call (up to maxGiftBatch), runs them in
// one transaction, answers each, and takes the next waiting ones until
// none are left. A lone caller is a batch of one.
type giftQueue struct {
	mu      sync.Mutex
	pending []*giftCall
	running int
	// writers bounds running.
	writers int

	// weeks are the keys of settlement jobs that committed batches
	// enqueued: a club-week's later gifts need not enqueue its job
	// again (jobs are never deleted, so the store would ignore it).
	weeks   map[string]struct{}
	weeksMu sync.Mutex
}

// maxMemoWeeks bounds giftQueue.weeks; past it the memo starts afresh.
const maxMemoWeeks = 1 << 16

// weekEnqueued reports whether a committed batch enqueued the
// settlement job key.
func (q *giftQueue) weekEnqueued(key string) bool {
	q.weeksMu.Lock()
	defer q.weeksMu.Unlock()
	_, ok := q.weeks[key]
	return ok
}

// enqueued records the settlement weeks of the new gifts among calls,
// once their transaction committed.
func (q *giftQueue) enqueued(calls []*giftCall) {
	q.weeksMu.Lock()
	defer q.weeksMu.Unlock()
	if q.weeks == nil || len(q.weeks) > maxMemoWeeks {
		q.weeks = make(map[string]struct{})
	}
	for _, c := range calls {
		if c.fresh && c.err == nil && c.week != "" {
			q.weeks[c.week] = struct{}{}
		}
	}
}

// submit queues c; a drainer answers it by closing c.done.
func (q *giftQueue) submit(e *Engine, c *giftCall) {
	q.mu.Lock()
	q.pending = append(q.pending, c)
	start := q.running < max(q.writers, 1)
	if start {
		q.running++
	}
	q.mu.Unlock()
	if start {
		// The drainer serves every caller, so it runs under none of
		// their contexts (nor their values).
		go q.drain(context.Background(), e)
	}
}

// drain runs batches until no call waits.
func (q *giftQueue) drain(ctx context.Context, e *Engine) {
	for {
		q.mu.Lock()
		n := min(len(q.pending), maxGiftBatch)
		if n == 0 {
			q.running--
			if q.running == 0 {
				q.pending = nil
			}
			q.mu.Unlock()
			return
		}
		batch := make([]*giftCall, n)
		copy(batch, q.pending)
		q.pending = q.pending[n:]
		q.mu.Unlock()
		e.runGiftsSafely(ctx, batch)
		for _, c := range batch {
			close(c.done)
		}
	}
}

// errGiftRerun ends a batch's transaction when gifts in it turned out
// short of funds after their events were applied: the transaction rolls
// back and the batch runs again without them.
var errGiftRerun = errors.New("gift batch: rerun without the gifts short of funds")

// errGiftFaceCheck is the outcome of a call whose spending needs a face
// check first: SendGift runs it outside the batch and sends the call again.
var errGiftFaceCheck = errors.New("gift: the minors rules ask for a face check first")

// runGiftsSafely is runGifts, which a panic does not take the process
// (or the queue) down with: every call of the batch then gets an internal
// error, its gift sent or not (a retry with the same key learns which).
func (e *Engine) runGiftsSafely(ctx context.Context, calls []*giftCall) {
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("gift batch panicked", "gifts", len(calls), "panic", r, "stack", string(debug.Stack()))
			for _, c := range calls {
				c.res, c.err = nil, Errorf(EINTERNAL, "The gift failed inside the server; it may or may not have been sent. Retry with the same idempotency key.")
			}
		}
	}()
	e.runGifts(ctx, calls)
}

// runGifts applies calls in order, in as few transactions as it can,
// and sets each call's outcome. The outcome of each is the one it would
// have had alone, run after the calls before it:
//
//   - two calls with one key never share a transaction: the batch ends
//     before the second, which runs after the first committed and
//     replays or reuses it;
//   - a gift short of funds fails and the rest run again without it;
//   - when a batch fails otherwise (a store error, or a refusal the
//     checks before writing did not see), each of its gifts runs alone.
func (e *Engine) runGifts(ctx context.Context, calls []*giftCall) {
	for len(calls) > 0 {
		now, later := splitByKey(calls)
		e.runGiftBatch(ctx, now)
		calls = later
	}
}

// splitByKey splits calls, in order, before the first call whose key an
// earlier one has.
func splitByKey(calls []*giftCall) (first, later []*giftCall) {
	seen := make(map[string]bool, len(calls))
	for i, c := range calls {
		if seen[c.gkey] {
			return calls[:i], calls[i:]
		}
		seen[c.gkey] = true
	}
	return calls, nil
}

// runGiftBatch runs calls, whose keys differ, as one transaction (see
// runGifts), within giftBatchTimeout of base.
func (e *Engine) runGiftBatch(base context.Context, calls []*giftCall) {
	ctx, cancel := context.WithTimeout(base, giftBatchTimeout)
	defer cancel()
	live := calls
	for rerun := 0; len(live) > 0; rerun++ {
		err := e.inLockingTx(ctx, func(tx Tx) error {
			for _, c := range live {
				c.res, c.err, c.gift, c.fresh = nil, nil, nil, false
				if !c.checked {
					c.payer = 0
				}
			}
			return e.giftBatchTx(ctx, tx, live)
		})
		switch {
		case err == nil:
			e.gifts.enqueued(live)
			return
		case errors.Is(err, errGiftRerun) && rerun == 0:
			// The calls short of funds keep their error; the others
			// run again from the start.
			var rest []*giftCall
			for _, c := range live {
				if c.err == nil {
					rest = append(rest, c)
				}
			}
			live = rest
		case len(live) > 1:
			// Each alone, with a deadline of its own.
			for _, c := range live {
				e.runGiftBatch(base, []*giftCall{c})
			}
			return
		default:
			if !errors.Is(err, errGiftRerun) {
				live[0].res, live[0].err = nil, err
			}
			return
		}
	}
}

// giftBatchTx applies calls in tx, in order. A call refused before
// anything was written (key reused, club, membership, restrictions) gets
// its error and the others go on; calls short of funds get theirs and
// the batch returns errGiftRerun; any other error ends the batch.
func (e *Engine) giftBatchTx(ctx context.Context, tx Tx, calls []*giftCall) error {
	now := tx.Now()
	clubs := clubCache{}
	if err := e.decideGiftSpending(ctx, tx, calls, &clubs); err != nil {
		return err
	}
	keys := make([]string, 0, len(calls))
	for _, c := range calls {
		if c.err == nil {
			keys = append(keys, c.gkey)
		}
	}
	stored, err := tx.FindGiftsByKeys(ctx, keys)
	if err != nil {
		return fmt.Errorf("find gifts: %w", err)
	}
	var newCalls []*giftCall
	var events []EventInput
	for _, c := range calls {
		if c.err != nil {
			continue
		}
		if g, ok := stored[c.gkey]; ok {
			if g.FanID != c.payer || g.ClubID != c.clubID || g.Coins != c.coins {
				c.err = Errorf(EKEYREUSED, "This idempotency key was first used for a gift of %d coins in club %d.", g.Coins, g.ClubID)
				continue
			}
			c.gift = g
			continue
		}
		cp, err := clubs.get(ctx, e, tx, c.clubID)
		if isNotFound(err) {
			c.err = err
			continue
		} else if err != nil {
			return err
		}
		value := c.coins * e.money.CoinPrice
		c.gift = &Gift{Key: c.gkey, FanID: c.payer, ClubID: c.clubID, CreatorID: cp.club.CreatorID,
			Coins: c.coins, Value: value, Share: shareOf(value, cp.policy.Revenue.CreatorShare), Currency: e.money.Currency,
			EventID: KeyedEventID(c.fanID, "gift-event:"+c.key), At: now}
		c.fresh = true
		newCalls = append(newCalls, c)
		events = append(events, EventInput{ID: c.gift.EventID, FanID: c.fanID, ClubID: c.clubID, Action: ActionGift, Amount: c.coins})
	}
	var ts []ledger.Transfer
	if len(newCalls) > 0 {
		if ts, err = e.applyNewGifts(ctx, tx, newCalls, events, &clubs); err != nil {
			return err
		}
	}
	if err := e.giftViews(ctx, tx, calls, &clubs); err != nil {
		return err
	}
	// The transfers go last: posting locks the platform's accounts,
	// which every gift shares, until the transaction ends.
	if len(ts) > 0 {
		if _, err := ledger.Post(ctx, tx, tx.Now(), ts...); ledger.ErrorCode(err) == ledger.EInsufficientFunds {
			// The funds check read the balances unlocked; a concurrent
			// request spent coins since.
			return Errorf(EINSUFFICIENT, "The balance fell below the gift while it was being sent. Nothing was sent.")
		} else if err != nil {
			return ledgerError(err, "booking gifts")
		}
	}
	return giftWallets(ctx, tx, calls)
}

// applyNewGifts earns the new gifts' points through the ingest path
// (which checks membership and restrictions), checks the payers' funds
// in order, and stores the gifts and their weeks' settlement jobs. It
// returns the gifts' transfers, for the caller to post last.
func (e *Engine) applyNewGifts(ctx context.Context, tx Tx, calls []*giftCall, events []EventInput, clubs *clubCache) ([]ledger.Transfer, error) {
	res, errs, _, err := e.ingestTx(ctx, tx, Batch{Events: events}, true)
	if err != nil {
		return nil, err
	}
	var ok []*giftCall
	for i, c := range calls {
		if errs[i] != nil {
			c.err, c.gift, c.fresh = errs[i], nil, false
			continue
		}
		c.gift.Points = res.Results[i].Points
		ok = append(ok, c)
	}
	if len(ok) == 0 {
		return nil, nil
	}
	// The gifts are stored before their funds are checked: a gift whose
	// key a concurrent request stored meanwhile (and which the key lookup
	// could not see before that commit) is then a retry, which replays
	// it, rather than a refusal for the coins it spent itself.
	gs := make([]*Gift, len(ok))
	var ts []ledger.Transfer
	for i, c := range ok {
		gs[i] = c.gift
		ts = append(ts, giftTransfers(c.gift)...)
	}
	created, err := tx.CreateGifts(ctx, gs)
	if err != nil {
		return nil, fmt.Errorf("create gifts: %w", err)
	}
	for _, c := range created {
		if !c {
			// A concurrent request stored a gift under this key first:
			// run again, and the retry replays it.
			return nil, &RetryableError{Op: "create gift", Err: errors.New("a concurrent gift has this key")}
		}
	}
	if short, err := checkGiftFunds(ctx, tx, ok); err != nil {
		return nil, err
	} else if short {
		return nil, errGiftRerun
	}
	var jobs []*Job
	weeks := map[string]bool{}
	for _, c := range ok {
		cp, err := clubs.get(ctx, e, tx, c.clubID) // loaded by giftBatchTx
		if err != nil {
			return nil, err
		}
		j, err := settlementJob(cp, c.gift.At, "", time.Time{})
		if err != nil {
			return nil, err
		}
		c.week = j.Key
		if !weeks[j.Key] {
			weeks[j.Key] = true
			if !e.gifts.weekEnqueued(j.Key) {
				jobs = append(jobs, j)
			}
		}
	}
	if len(jobs) > 0 {
		// In key order, so that two batches enqueueing the same weeks
		// cannot wait on each other's rows.
		slices.SortFunc(jobs, func(a, b *Job) int { return strings.Compare(a.Key, b.Key) })
		if err := tx.EnqueueJobs(ctx, jobs); err != nil {
			return nil, fmt.Errorf("schedule settlement: %w", err)
		}
	}
	return ts, nil
}

// checkGiftFunds checks, in order, that each payer's coins cover their
// gifts; a call they do not cover gets EINSUFFICIENT and short is true.
func checkGiftFunds(ctx context.Context, tx Tx, calls []*giftCall) (short bool, err error) {
	ids := make([]ledger.AccountID, 0, len(calls))
	seen := make(map[int64]bool, len(calls))
	for _, c := range calls {
		if !seen[c.payer] {
			seen[c.payer] = true
			ids = append(ids, ledger.FanCoins(c.payer).ID)
		}
	}
	as, err := tx.LedgerAccounts(ctx, ids)
	if err != nil {
		return false, fmt.Errorf("gift funds: %w", err)
	}
	spent := make(map[int64]int64, len(ids))
	for _, c := range calls {
		a := as[ledger.FanCoins(c.payer).ID]
		if a.Available()-spent[c.payer] < c.coins {
			c.err = Errorf(EINSUFFICIENT, "The gift costs %d coins; the balance is %d coins. Nothing was sent.",
				c.coins, a.Balance()-spent[c.payer])
			short = true
			continue
		}
		spent[c.payer] += c.coins
	}
	return short, nil
}

// giftViews reads, for every call with a gift, the sender's membership
// as of that gift, and sets the call's result without its wallet.
func (e *Engine) giftViews(ctx context.Context, tx Tx, calls []*giftCall, clubs *clubCache) error {
	var keys []MemberKey
	for _, c := range calls {
		if c.gift != nil && c.fresh {
			keys = append(keys, MemberKey{FanID: c.fanID, ClubID: c.gift.ClubID})
		}
	}
	// The new gifts' memberships are those the ingest path locked; a
	// replay's is read alone, without taking a lock the batch did not
	// take before (which could deadlock with a concurrent batch).
	ms := map[MemberKey]*Membership{}
	if len(keys) > 0 {
		var err error
		if ms, err = tx.FindMemberships(ctx, keys); err != nil {
			return fmt.Errorf("find memberships: %w", err)
		}
	}
	for _, c := range calls {
		if c.gift != nil && !c.fresh {
			m, err := tx.FindMembership(ctx, c.fanID, c.gift.ClubID)
			if isNotFound(err) {
				continue
			} else if err != nil {
				return fmt.Errorf("find membership: %w", err)
			}
			ms[MemberKey{FanID: c.fanID, ClubID: c.gift.ClubID}] = m
		}
	}
	// Each answer shows the membership as its gift left it: the points
	// of the same member's later gifts in the batch are taken off.
	later := make([]int64, len(calls))
	acc := map[MemberKey]int64{}
	for i := len(calls) - 1; i >= 0; i-- {
		if c := calls[i]; c.gift != nil {
			k := MemberKey{FanID: c.fanID, ClubID: c.gift.ClubID}
			later[i] = acc[k]
			if c.fresh {
				acc[k] += c.gift.Points
			}
		}
	}
	now := tx.Now()
	var views []*MembershipView
	var vcps []*clubPolicy
	for i, c := range calls {
		if c.gift == nil {
			continue
		}
		m := ms[MemberKey{FanID: c.fanID, ClubID: c.gift.ClubID}]
		if m == nil {
			c.err = fmt.Errorf("find membership: %w", Errorf(ENOTFOUND, "Fan %d has no membership in club %d.", c.fanID, c.gift.ClubID))
			c.gift = nil
			continue
		}
		cp, err := clubs.get(ctx, e, tx, c.gift.ClubID)
		if err != nil {
			return err
		}
		if later[i] > 0 {
			then := *m
			then.LevelPoints -= later[i]
			then.Level = LevelFor(cp.policy.Engagement.Levels, then.LevelPoints)
			m = &then
		}
		v := view(m, cp, now)
		views, vcps = append(views, v), append(vcps, cp)
		c.res = &GiftResult{Gift: c.gift, Membership: v}
	}
	return e.showTiers(ctx, tx, views, vcps)
}

// giftWallets reads the payers' wallets after the batch into the calls'
// results, each as of its own gift.
func giftWallets(ctx context.Context, tx Tx, calls []*giftCall) error {
	var ids []ledger.AccountID
	for _, c := range calls {
		if c.res != nil {
			ids = append(ids, ledger.FanCoins(c.gift.FanID).ID, ledger.FanOwed(c.gift.FanID).ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	as, err := tx.LedgerAccounts(ctx, ids)
	if err != nil {
		return fmt.Errorf("wallets: %w", err)
	}
	// Each answer shows the wallet as its gift left it: the coins of the
	// same payer's later gifts in the batch are added back.
	later := map[int64]int64{}
	for i := len(calls) - 1; i >= 0; i-- {
		c := calls[i]
		if c.res == nil {
			continue
		}
		c.res.Wallet = walletFrom(as, c.gift.FanID)
		c.res.Wallet.Coins += later[c.gift.FanID]
		if c.fresh {
			later[c.gift.FanID] += c.gift.Coins
		}
	}
	return nil
}

// decideGiftSpending applies the minors rules (decideSpending) to the
// calls not checked before: it reads their fans' ages at once, and a fan
// without one under a policy that does not ask for one pays for their
// own gift. A refusal is the call's outcome; a call that needs a face
// check first gets errGiftFaceCheck.
func (e *Engine) decideGiftSpending(ctx context.Context, tx Tx, calls []*giftCall, clubs *clubCache) error {
	var fans []int64
	for _, c := range calls {
		if !c.checked {
			fans = append(fans, c.fanID)
		}
	}
	if len(fans) == 0 {
		return nil
	}
	ages, err := tx.FindFanAges(ctx, fans)
	if err != nil {
		return fmt.Errorf("find ages: %w", err)
	}
	for _, c := range calls {
		if c.checked {
			continue
		}
		cp, err := clubs.get(ctx, e, tx, c.clubID)
		if isNotFound(err) {
			c.err = err
			continue
		} else if err != nil {
			return err
		}
		if ages[c.fanID] == nil && !(e.minors.AgeGate && cp.policy.Minors.VerifyBeforePaid) {
			c.payer = c.fanID
			continue
		}
		d, err := e.decideSpending(ctx, tx, c.spending(e.money.CoinPrice))
		switch {
		case err != nil && (IsRetryable(err) || ErrorCode(err) == EINTERNAL):
			return err
		case err != nil:
			c.err = err
		case d.face:
			c.err = errGiftFaceCheck
		default:
			c.payer = d.payer
		}
	}
	return nil
}

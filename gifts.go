package fanclub

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"fanclub/ledger"
)

// Gift is one gift a fan sent in a club: coins spent, the money value
// they stand for, and the creator's pending share of it.
type Gift struct {
	ID int64 `json:"id"`
	// Key is the idempotency key (unique among gifts).
	Key       string `json:"-"`
	FanID     int64  `json:"fan_id"`
	ClubID    int64  `json:"club_id"`
	CreatorID int64  `json:"creator_id"`
	// Coins is what the fan spent.
	Coins int64 `json:"coins"`
	// Value is the coins' money value in minor units (coins × coin price).
	Value int64 `json:"value"`
	// Share is the creator's pending share of Value, rounded down.
	Share    int64  `json:"share"`
	Currency string `json:"currency"`
	// Points are the level points the gift earned.
	Points int64 `json:"points"`
	// EventID is the gift's event in the behaviour log.
	EventID string    `json:"event_id"`
	At      time.Time `json:"at"`
}

// GiftTx stores gifts.
type GiftTx interface {
	// CreateGift stores g and sets its ID, unless a gift with g.Key
	// exists: then it copies the stored gift into g and reports false.
	CreateGift(ctx context.Context, g *Gift) (created bool, err error)
	// FindGiftByKey returns ENOTFOUND when no gift has the key.
	FindGiftByKey(ctx context.Context, key string) (*Gift, error)
	// ListGifts lists a fan's gifts (in one club, or all with clubID 0)
	// at or after since, oldest first.
	ListGifts(ctx context.Context, fanID, clubID int64, since time.Time) ([]*Gift, error)
}

// GiftResult is what a gift did.
type GiftResult struct {
	Gift *Gift `json:"gift"`
	// Membership is the sender's membership after the gift.
	Membership *MembershipView `json:"membership"`
	// Wallet is the sender's balances after the gift.
	Wallet *Wallet `json:"wallet"`
}

// SendGift spends a member's coins on a gift in a club. The coins go to
// the platform, the gift earns level points by the policy's gift rule (10
// per coin in every preset, no daily cap) and the creator's share of the
// coins' money value (the policy's creatorShare, rounded down to the minor
// unit) is booked to the creator as pending. A balance short of the gift
// is EINSUFFICIENT and changes nothing; so does a refusal of the
// membership (not_member, restricted). key makes it idempotent: a retry
// returns the first gift; the same key for another gift is EKEYREUSED.
func (e *Engine) SendGift(ctx context.Context, fanID, clubID, coins int64, key string) (*GiftResult, error) {
	var fields []FieldError
	if coins < 1 || coins > MaxGiftCoins {
		fields = append(fields, FieldError{Path: "coins", Found: strconv.FormatInt(coins, 10),
			Allowed: fmt.Sprintf("1 to %d", MaxGiftCoins), Message: "coins out of range"})
	}
	if f := checkKey(key); f != nil {
		fields = append(fields, *f)
	}
	if len(fields) > 0 {
		return nil, InvalidFields("Invalid gift.", fields)
	}
	payer, gateErr := e.checkSpending(ctx, Spending{Kind: SpendGift, FanID: fanID, ClubID: clubID, Amount: coins * e.money.CoinPrice, Key: moneyKey("gift", fanID, key)})
	if gateErr != nil {
		return nil, gateErr
	}
	var res *GiftResult
	// A gift is the ingest path plus ledger posts, whose accounts
	// LockAccounts locks: it runs in a locking transaction where the store
	// has one, so concurrent gifts wait on the accounts they share instead
	// of failing a serializable snapshot.
	err := e.inLockingTx(ctx, func(tx Tx) error {
		var err error
		res, err = e.giftTx(ctx, tx, fanID, payer, clubID, coins, key)
		return err
	})
	if err != nil {
		return nil, err
	}
	e.obs.EventsIngested(EventAccepted, 1)
	return res, nil
}

// giftTx applies a gift in tx: the member fanID gives it, the coins come
// from payer's account (fanID's own, or a guardian's).
func (e *Engine) giftTx(ctx context.Context, tx Tx, fanID, payer, clubID, coins int64, key string) (*GiftResult, error) {
	gkey := moneyKey("gift", fanID, key)
	if g, err := tx.FindGiftByKey(ctx, gkey); err == nil {
		return e.replayGift(ctx, tx, g, fanID, payer, clubID, coins)
	} else if !isNotFound(err) {
		return nil, fmt.Errorf("find gift: %w", err)
	}
	cp, err := e.loadClub(ctx, tx, clubID)
	if err != nil {
		return nil, err
	}
	value := coins * e.money.CoinPrice
	g := &Gift{Key: gkey, FanID: payer, ClubID: clubID, CreatorID: cp.club.CreatorID,
		Coins: coins, Value: value, Share: shareOf(value, cp.policy.Revenue.CreatorShare), Currency: e.money.Currency,
		EventID: KeyedEventID(fanID, "gift-event:"+key), At: tx.Now()}

	// The gift's event earns its points through the ingest path, which
	// checks the membership and the fan's restrictions.
	b := Batch{Events: []EventInput{{ID: g.EventID, FanID: fanID, ClubID: clubID, Action: ActionGift, Amount: coins}}}
	res, errs, _, err := e.ingestTx(ctx, tx, b, true)
	if err != nil {
		return nil, err
	}
	if errs[0] != nil {
		return nil, errs[0]
	}
	g.Points = res.Results[0].Points
	if created, err := tx.CreateGift(ctx, g); err != nil {
		return nil, fmt.Errorf("create gift: %w", err)
	} else if !created {
		// A concurrent request stored a gift under this key first: run
		// again, and the retry replays it.
		return nil, &RetryableError{Op: "create gift", Err: errors.New("a concurrent gift has this key")}
	}
	if err := e.bookGift(ctx, tx, g); err != nil {
		return nil, err
	}
	if err := e.scheduleSettlement(ctx, tx, cp, g.At, "", time.Time{}); err != nil {
		return nil, err
	}
	return e.giftResult(ctx, tx, g, fanID)
}

// replayGift answers a retried gift with the stored one, or EKEYREUSED
// when the retry asks for another gift.
func (e *Engine) replayGift(ctx context.Context, tx Tx, g *Gift, fanID, payer, clubID, coins int64) (*GiftResult, error) {
	if g.FanID != payer || g.ClubID != clubID || g.Coins != coins {
		return nil, Errorf(EKEYREUSED, "This idempotency key was first used for a gift of %d coins in club %d.", g.Coins, g.ClubID)
	}
	return e.giftResult(ctx, tx, g, fanID)
}

// giftResult reads the sender's membership and the payer's wallet after a gift.
func (e *Engine) giftResult(ctx context.Context, tx Tx, g *Gift, member int64) (*GiftResult, error) {
	fanID, clubID := g.FanID, g.ClubID
	v, err := e.membershipView(ctx, tx, member, clubID)
	if err != nil {
		return nil, err
	}
	w, err := walletOf(ctx, tx, fanID)
	if err != nil {
		return nil, err
	}
	return &GiftResult{Gift: g, Membership: v, Wallet: w}, nil
}

// bookGift posts a gift's transfers: the coins from the fan to the
// platform, and the creator's share from the platform's revenue to the
// creator's pending account.
func (e *Engine) bookGift(ctx context.Context, tx Tx, g *Gift) error {
	cur := ledger.Asset(g.Currency)
	ts := []ledger.Transfer{{Key: g.Key + "/coins", Debit: ledger.FanCoins(g.FanID).ID, Credit: ledger.PlatformCoins().ID,
		Asset: ledger.Coin, Amount: g.Coins, Code: "gift", Ref: g.Key}}
	if g.Share > 0 {
		ts = append(ts, ledger.Transfer{Key: g.Key + "/share", Debit: ledger.PlatformRevenue(cur).ID,
			Credit: ledger.CreatorPending(g.CreatorID, cur).ID, Asset: cur, Amount: g.Share, Code: "gift_share", Ref: g.Key})
	}
	if _, err := ledger.Post(ctx, tx, tx.Now(), ts...); err != nil {
		if ledger.ErrorCode(err) == ledger.EInsufficientFunds {
			w, werr := walletOf(ctx, tx, g.FanID)
			if werr != nil {
				return werr
			}
			return Errorf(EINSUFFICIENT, "The gift costs %d coins; the balance is %d coins. Nothing was sent.", g.Coins, w.Coins)
		}
		return ledgerError(err, "booking a gift")
	}
	return nil
}

// shareOf is the creator's share of a money value: value × share rounded
// down, with the share read to a hundredth of a per cent so that 0.5
// is exactly half.
func shareOf(value int64, share float64) int64 {
	bp := int64(math.Round(share * 10000))
	if bp <= 0 || value <= 0 {
		return 0
	}
	if bp >= 10000 {
		return value
	}
	// value ≤ MaxGiftCoins × coin price: far from overflowing × 10000.
	return value * bp / 10000
}

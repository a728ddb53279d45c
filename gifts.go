package fanclub

import (
	"context"
	"errors"
	"fmt"
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
	// CreateGifts is CreateGift for several gifts with distinct keys, in
	// order: created[i] reports whether gs[i] was stored.
	CreateGifts(ctx context.Context, gs []*Gift) (created []bool, err error)
	// FindGiftByKey returns ENOTFOUND when no gift has the key.
	FindGiftByKey(ctx context.Context, key string) (*Gift, error)
	// FindGiftsByKeys returns the stored gifts among keys, by key; keys
	// no gift has are absent from the map.
	FindGiftsByKeys(ctx context.Context, keys []string) (map[string]*Gift, error)
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
//
// Concurrent calls commit together (see giftQueue): each returns after
// the transaction holding its gift committed, with the result it would
// have had alone in the order the batch ran them.
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
	c := &giftCall{fanID: fanID, clubID: clubID, coins: coins, key: key, gkey: moneyKey("gift", fanID, key)}
	err := e.sendGiftCall(ctx, c)
	if errors.Is(err, errGiftFaceCheck) {
		// The minors rules ask for a face check, which runs outside
		// any transaction: run it, then send the gift as decided.
		payer, gateErr := e.checkSpending(ctx, c.spending(e.money.CoinPrice))
		if gateErr != nil {
			return nil, gateErr
		}
		c = &giftCall{fanID: fanID, payer: payer, checked: true, clubID: clubID, coins: coins, key: key, gkey: c.gkey}
		err = e.sendGiftCall(ctx, c)
	}
	if err != nil {
		return nil, err
	}
	e.obs.EventsIngested(EventAccepted, 1)
	return c.res, nil
}

// sendGiftCall queues c and waits for its batch.
func (e *Engine) sendGiftCall(ctx context.Context, c *giftCall) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("gift: %w (nothing was sent)", err)
	}
	c.done = make(chan struct{})
	e.gifts.submit(e, c)
	select {
	case <-c.done:
		return c.err
	case <-ctx.Done():
		select {
		case <-c.done: // answered as the context ended
			return c.err
		default:
		}
		return fmt.Errorf("gift: %w (the gift may still be sent; retry with the same key to learn)", ctx.Err())
	}
}

// giftTransfers are a gift's ledger transfers: the coins from the payer
// to the platform, and the creator's share from the platform's revenue to
// the creator's pending account.
func giftTransfers(g *Gift) []ledger.Transfer {
	cur := ledger.Asset(g.Currency)
	ts := []ledger.Transfer{{Key: g.Key + "/coins", Debit: ledger.FanCoins(g.FanID).ID, Credit: ledger.PlatformCoins().ID,
		Asset: ledger.Coin, Amount: g.Coins, Code: "gift", Ref: g.Key}}
	if g.Share > 0 {
		ts = append(ts, ledger.Transfer{Key: g.Key + "/share", Debit: ledger.PlatformRevenue(cur).ID,
			Credit: ledger.CreatorPending(g.CreatorID, cur).ID, Asset: cur, Amount: g.Share, Code: "gift_share", Ref: g.Key})
	}
	return ts
}

// shareOf is the creator's share of a money value: ⌊value × share⌋,
// exactly, with share read as the decimal the policy wrote (0.5 is half,
// 0.12345 is 12345/100000; see Prorate).
func shareOf(value int64, share float64) int64 {
	return Prorate(value, share, 1, 1)
}

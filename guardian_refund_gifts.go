package fanclub

import (
	"context"
	"fmt"
	"time"

	"fanclub/ledger"
)

// giftReversalKey is the prefix of the ledger transfers that reverse a
// gift for a guardian refund: <prefix>/coins gives the coins back,
// <prefix>/share takes the creator's share back from pending.
func giftReversalKey(g *Gift) string { return "gift-reversal/" + g.Key }

// reversalKeys are the keys of g's two reversal transfers, coins first.
func reversalKeys(g *Gift) []string {
	k := giftReversalKey(g)
	return []string{k + "/coins", k + "/share"}
}

// reversedGifts returns the keys of those of gifts a guardian refund has
// reversed (either of its transfers is in the ledger).
func reversedGifts(ctx context.Context, tx Tx, gifts []*Gift) (map[string]bool, error) {
	keys := make([]string, 0, 2*len(gifts))
	for _, g := range gifts {
		keys = append(keys, reversalKeys(g)...)
	}
	found, err := tx.FindTransfers(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("find gift reversals: %w", err)
	}
	out := map[string]bool{}
	for _, g := range gifts {
		for _, k := range reversalKeys(g) {
			if _, ok := found[k]; ok {
				out[g.Key] = true
			}
		}
	}
	return out, nil
}

// exitCover finds, for a fan's gifts, the revenue exit that decided each
// one: an exit takes the leaver's gifts of its week sent since the fan's
// previous exit from the club that week (planRevenueExit), so a gift
// belongs to the first exit from its club at or after it, when that exit
// falls in the gift's week.
type exitCover struct {
	byClub map[int64][]*RevenueExit // oldest first
}

// newExitCover reads the fan's revenue exits.
func newExitCover(ctx context.Context, tx Tx, fanID int64) (*exitCover, error) {
	xs, err := tx.ListRevenueExits(ctx, fanID, 0, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("revenue exits: %w", err)
	}
	c := &exitCover{byClub: map[int64][]*RevenueExit{}}
	for _, x := range xs {
		c.byClub[x.ClubID] = append(c.byClub[x.ClubID], x)
	}
	return c, nil
}

// of returns the exit that decided g (nil if none did): loc is the
// club's time zone, which fixes its weeks.
func (c *exitCover) of(g *Gift, loc *time.Location) *RevenueExit {
	for _, x := range c.byClub[g.ClubID] {
		if x.At.Before(g.At) {
			continue
		}
		if x.Week.Equal(WeekStart(g.At, loc)) {
			return x
		}
		return nil
	}
	return nil
}

// returnedPerGift splits the coins exit x gave back (a tipReturnRatio
// exit) over the gifts it decided, oldest first, each gift taking as many
// of them as its own coins until they run out; so a guardian refund that
// later reverses those gifts gives back only the coins the exit kept, and
// the parts add up to x.ReturnedCoins exactly. The gifts x decided are
// its week's gifts in its club that it covers and that a guardian refund
// had not reversed before it (the exit left those out: a reversal
// numbered before the exit's own return transfer).
func returnedPerGift(ctx context.Context, tx Tx, c *exitCover, x *RevenueExit, loc *time.Location) (map[string]int64, error) {
	out := map[string]int64{}
	if x.ReturnedCoins <= 0 {
		return out, nil
	}
	gs, err := tx.ListGifts(ctx, x.FanID, x.ClubID, x.Week)
	if err != nil {
		return nil, fmt.Errorf("gifts: %w", err)
	}
	keys := []string{"exit/" + x.Key + "/gift-return"}
	for _, g := range gs {
		keys = append(keys, reversalKeys(g)...)
	}
	found, err := tx.FindTransfers(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("find transfers: %w", err)
	}
	ret, ok := found[keys[0]]
	left := x.ReturnedCoins
	for _, g := range gs {
		if c.of(g, loc) != x {
			continue
		}
		if ok && reversedBefore(found, g, ret.Seq) {
			continue
		}
		part := min(g.Coins, left)
		out[g.Key] = part
		if left -= part; left == 0 {
			break
		}
	}
	return out, nil
}

// reversedBefore reports whether a reversal transfer of g was stored
// before the transfer numbered seq.
func reversedBefore(found map[string]ledger.Transfer, g *Gift, seq int64) bool {
	for _, k := range reversalKeys(g) {
		if t, ok := found[k]; ok && t.Seq < seq {
			return true
		}
	}
	return false
}

package fanclub_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"fanclub"
	"fanclub/internal/teststores"
)

func TestGiftBatchProperty(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testGiftBatchProperty)
}

// batchGift is one gift of a drawn batch.
type batchGift struct {
	fan   int // index into the check's fans; the last is not a member
	coins int64
	key   string
}

// giftModel runs gifts one at a time on plain maps.
type giftModel struct {
	coins, points map[int]int64
	gifts         map[string]batchGift // by fan and key
}

// send applies g and returns the error code and, when it succeeds, the
// fan's coins and points after it.
func (m *giftModel) send(g batchGift, members int) (code string, coins, points int64) {
	id := fmt.Sprintf("%d/%s", g.fan, g.key)
	if first, ok := m.gifts[id]; ok {
		if first.coins != g.coins {
			return fanclub.EKEYREUSED, 0, 0
		}
		return "", m.coins[g.fan], m.points[g.fan]
	}
	switch {
	case g.fan >= members:
		return fanclub.ENOTMEMBER, 0, 0
	case m.coins[g.fan] < g.coins:
		return fanclub.EINSUFFICIENT, 0, 0
	}
	m.gifts[id] = g
	m.coins[g.fan] -= g.coins
	m.points[g.fan] += 10 * g.coins
	return "", m.coins[g.fan], m.points[g.fan]
}

// testGiftBatchProperty draws batches of gifts (overdrafts, a
// non-member, retries and reused keys among them), queues each batch
// behind a held one so that it commits together (a repeated key ends a
// batch), and checks every answer against giftModel run one gift at a
// time in queue order,
// then the wallets and points of every fan and the ledger.
func testGiftBatchProperty(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	e, db := gatedGiftEngine(t, open, 1)
	w := worldWithClubs(t, e, 1)
	club, holder := w.clubs["fair"], w.fans[0]
	if _, err := e.Join(ctx, holder, club); err != nil {
		t.Fatal(err)
	}
	if _, err := e.BuyCoins(ctx, holder, 1000, "holder"); err != nil {
		t.Fatal(err)
	}
	const members = 3
	checks := 0
	rapid.Check(t, func(rt *rapid.T) {
		checks++
		fans := make([]int64, members+1)
		model := &giftModel{coins: map[int]int64{}, points: map[int]int64{}, gifts: map[string]batchGift{}}
		for i := range fans {
			f, err := e.CreateFan(ctx, fmt.Sprintf("p%d_%d", checks, i), "password1")
			if err != nil {
				rt.Fatal(err)
			}
			fans[i] = f.ID
			if i == members {
				break
			}
			if _, err := e.Join(ctx, f.ID, club); err != nil {
				rt.Fatal(err)
			}
			if coins := rapid.Int64Range(0, 60).Draw(rt, fmt.Sprintf("coins%d", i)); coins > 0 {
				if _, err := e.BuyCoins(ctx, f.ID, coins, fmt.Sprintf("buy-%d", i)); err != nil {
					rt.Fatal(err)
				}
				model.coins[i] = coins
			}
		}
		gs := rapid.SliceOfN(rapid.Custom(func(rt *rapid.T) batchGift {
			return batchGift{fan: rapid.IntRange(0, members).Draw(rt, "fan"), coins: rapid.Int64Range(1, 30).Draw(rt, "gift"),
				key: fmt.Sprintf("k%d", rapid.IntRange(0, 3).Draw(rt, "key"))}
		}), 1, 12).Draw(rt, "gifts")

		// Hold a batch at the gate, queue the drawn gifts behind it in
		// order, then let them commit.
		db.shut()
		var wg sync.WaitGroup
		var holdErr error
		wg.Go(func() { _, holdErr = e.SendGift(ctx, holder, club, 1, fmt.Sprintf("hold-%d", checks)) })
		waitFor(t, func() bool { return db.waiters() == 1 })
		outs := make([]giftOutcome, len(gs))
		for i, g := range gs {
			wg.Go(func() { outs[i].res, outs[i].err = e.SendGift(ctx, fans[g.fan], club, g.coins, g.key) })
			waitFor(t, func() bool { return fanclub.PendingGifts(e) == i+1 })
		}
		db.open()
		wg.Wait()
		if holdErr != nil {
			rt.Fatalf("held gift: %v", holdErr)
		}
		for i, g := range gs {
			code, coins, points := model.send(g, members)
			if got := fanclub.ErrorCode(outs[i].err); got != code {
				rt.Fatalf("gift %d %+v: error %v, want code %q", i, g, outs[i].err, code)
			}
			if code != "" {
				continue
			}
			if r := outs[i].res; r.Wallet.Coins != coins || r.Membership.LevelPoints != points {
				rt.Fatalf("gift %d %+v: answered %d coins and %d points, want %d and %d", i, g, r.Wallet.Coins, r.Membership.LevelPoints, coins, points)
			}
		}
		for i := range members {
			wl, err := e.Wallet(ctx, fans[i])
			if err != nil || wl.Coins != model.coins[i] {
				rt.Fatalf("fan %d: wallet %+v %v, want %d coins", i, wl, err, model.coins[i])
			}
			v, err := e.Membership(ctx, fans[i], club)
			if err != nil || v.LevelPoints != model.points[i] {
				rt.Fatalf("fan %d: membership %+v %v, want %d points", i, v, err, model.points[i])
			}
		}
	})
	auditLedger(t, db)
}

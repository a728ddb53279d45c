package fanclub_test

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

func TestErasureBeforeSettlement(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testErasureBeforeSettlement)
}

// testErasureBeforeSettlement erases a fan's account in the week of its
// gift: the anonymisation waits for the week's settlement, which still
// ties the gift to the erasure's exit (reversed under wechat-channels,
// left on its hold under douyin), and then gives the gift its pseudonym.
func testErasureBeforeSettlement(t *testing.T, open teststores.Open) {
	t.Parallel()
	for _, tc := range []struct {
		preset  string
		settled fanclub.CreatorRevenue
		// left is the gifts under the fan's id once the week settled:
		// fair's legal hold keeps them for three years.
		left int
	}{
		{"wechat-channels", fanclub.CreatorRevenue{}, 0},
		{"douyin", fanclub.CreatorRevenue{Frozen: 150}, 0},
		{"fair", fanclub.CreatorRevenue{Available: 150}, 1},
	} {
		t.Run(tc.preset, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			m := moneyEngineOn(t, open, nil)
			fan, _, creator := giftingMember(t, m, tc.preset, 100, 30)
			if _, err := m.EraseAccount(ctx, fan, fanclub.ErasureRequest{Confirm: true}); err != nil {
				t.Fatalf("erase: %v", err)
			}
			runMoneyJobs(t, m)
			if n := fanGiftCount(t, m, fan); n != 1 {
				t.Fatalf("before the week settles the fan has %d gifts under its id, want 1 (not yet anonymised)", n)
			}
			m.clock.Set(weekEnd)
			runMoneyJobs(t, m)
			tc.settled.CreatorID, tc.settled.Currency = creator, "CNY"
			if got := revenueOf(t, m, creator); got != tc.settled {
				t.Fatalf("settled: %+v, want %+v", got, tc.settled)
			}
			// The anonymise job retries with backoff; an hour later it
			// finds the week settled.
			m.clock.Set(weekEnd.Add(2 * time.Hour))
			runMoneyJobs(t, m)
			if n := fanGiftCount(t, m, fan); n != tc.left {
				t.Fatalf("after the settlement the fan has %d gifts under its id, want %d", n, tc.left)
			}
			m.checkLedgerBalanced(t)
		})
	}
}

// fanGiftCount counts the gifts stored under fan's id.
func fanGiftCount(t testingT, m *moneyEngine, fan int64) int {
	t.Helper()
	var n int
	err := inReadTx(m.store, func(tx fanclub.Tx) error {
		gs, err := tx.ListGifts(context.Background(), fan, 0, time.Time{})
		n = len(gs)
		return err
	})
	if err != nil {
		t.Fatalf("list gifts: %v", err)
	}
	return n
}

package ledger

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkPostBook posts a gift (the fan's coins to the issuer and the
// creator's pending share) per operation to an in-memory Book.
func BenchmarkPostBook(b *testing.B) {
	ctx := context.Background()
	bk := &Book{}
	fan, issuer, rev, share := FanCoins(1), PlatformCoins(), PlatformRevenue(CNY), CreatorPending(7, CNY)
	if _, err := Post(ctx, bk, t0, coins("fund", issuer, fan, 1<<40)); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		_, err := Post(ctx, bk, t0, coins(fmt.Sprint("g", i), fan, issuer, 10),
			Transfer{Key: fmt.Sprint("s", i), Debit: rev.ID, Credit: share.ID, Asset: CNY, Amount: 50, Code: "gift_share"})
		if err != nil {
			b.Fatal(err)
		}
	}
}

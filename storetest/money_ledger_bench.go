package storetest

import (
	"context"
	"fmt"
	"testing"

	"fanclub"
	"fanclub/ledger"
)

// BenchLedgerGifts measures one gift per write transaction on s: the
// fan's coins to the issuer and the creator's pending share, posted with
// ledger.Post and committed. A store package runs it from a benchmark.
func BenchLedgerGifts(b *testing.B, s fanclub.Store) {
	ctx := context.Background()
	fan, issuer := ledger.FanCoins(1), ledger.PlatformCoins()
	rev, share := ledger.PlatformRevenue(ledger.CNY), ledger.CreatorPending(7, ledger.CNY)
	post := func(ts ...ledger.Transfer) {
		if err := runTx(ctx, s, true, func(tx fanclub.Tx) error {
			_, err := ledger.Post(ctx, tx, tx.Now(), ts...)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	post(coinTransfer("fund", issuer, fan, 1<<40))
	i := 0
	for b.Loop() {
		i++
		post(coinTransfer(fmt.Sprint("g", i), fan, issuer, 10),
			ledger.Transfer{Key: fmt.Sprint("s", i), Debit: rev.ID, Credit: share.ID, Asset: ledger.CNY, Amount: 50, Code: "gift_share"})
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "gifts/s")
}

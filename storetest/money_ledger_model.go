package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"fanclub"
	"fanclub/clock"
	"fanclub/ledger"
)

// testLedgerModel posts random transfers (plain, pending, posts, voids,
// replays and conflicting replays under a small key space, malformed
// ones) in random transactions that commit or roll back, and checks every
// result and error code, and at the end the accounts and transfers,
// against the in-memory ledger.Book given the same posts.
func testLedgerModel(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	run := 0
	rapid.Check(t, func(rt *rapid.T) {
		run++
		// Each run has its own fans and currency, so runs share the store.
		cur := ledger.Asset([]byte{'Q', byte('A' + run/26%26), byte('A' + run%26)})
		fb := int64(run * 10)
		groups := [][]ledger.Account{
			{ledger.FanCoins(fb + 1), ledger.FanCoins(fb + 2), ledger.FanOwed(fb + 1)},
			{ledger.PaymentClearing(cur), ledger.PlatformRevenue(cur), ledger.CreatorPending(fb, cur), ledger.CreatorAvailable(fb, cur)},
		}
		pool := append(slices.Clone(groups[0]), groups[1]...)
		const keySpace = 30
		key := func(what string) string {
			return fmt.Sprintf("m%d-%d", run, rapid.IntRange(0, keySpace-1).Draw(rt, what))
		}
		// rarely is true about one time in fifteen: malformed transfers.
		rarely := func(what string) bool { return rapid.IntRange(0, 14).Draw(rt, what) == 0 }
		var pendings []string
		draw := func() ledger.Transfer {
			tr := ledger.Transfer{Key: key("key"), Code: "model", Amount: rapid.Int64Range(1, 80).Draw(rt, "amount")}
			if rarely("zeroAmount") {
				tr.Amount = 0
			}
			switch rapid.IntRange(0, 5).Draw(rt, "kind") {
			case 4, 5:
				tr.Flags = ledger.PostPending
				if rapid.Bool().Draw(rt, "void") {
					tr.Flags = ledger.VoidPending
				}
				tr.PendingKey = key("pendingKey")
				if len(pendings) > 0 && !rarely("unknownPending") {
					tr.PendingKey = rapid.SampledFrom(pendings).Draw(rt, "pendingKey")
				}
				if rapid.Bool().Draw(rt, "allOfIt") {
					tr.Amount = 0
				}
				return tr
			case 2, 3:
				tr.Flags = ledger.Pending
			}
			g := groups[rapid.IntRange(0, 1).Draw(rt, "asset")]
			i := rapid.IntRange(0, len(g)-1).Draw(rt, "debit")
			dr, cr := g[i], g[(i+rapid.IntRange(1, len(g)-1).Draw(rt, "credit"))%len(g)]
			if rarely("anyCredit") {
				cr = rapid.SampledFrom(pool).Draw(rt, "credit")
			}
			tr.Debit, tr.Credit, tr.Asset = dr.ID, cr.ID, dr.Asset
			return tr
		}
		model := &ledger.Book{}
		// Start with coins and revenue to spend.
		fund := []ledger.Transfer{
			{Key: fmt.Sprintf("m%d-fund1", run), Debit: groups[0][2].ID, Credit: groups[0][0].ID, Asset: ledger.Coin, Amount: 150},
			{Key: fmt.Sprintf("m%d-fund2", run), Debit: groups[0][2].ID, Credit: groups[0][1].ID, Asset: ledger.Coin, Amount: 150},
			{Key: fmt.Sprintf("m%d-fund3", run), Debit: groups[1][0].ID, Credit: groups[1][2].ID, Asset: cur, Amount: 150},
		}
		if err := runTx(ctx, s, true, func(tx fanclub.Tx) error {
			_, err := ledger.Post(ctx, tx, tx.Now(), fund...)
			return err
		}); err != nil {
			rt.Fatalf("Post(fund): %v", err)
		}
		if _, err := ledger.Post(ctx, model, c.Now(), fund...); err != nil {
			rt.Fatalf("Post(fund) on the model: %v", err)
		}
		for range rapid.IntRange(1, 5).Draw(rt, "txs") {
			func() {
				tx, err := s.BeginTx(ctx, true)
				if err != nil {
					rt.Fatalf("BeginTx: %v", err)
				}
				defer tx.Rollback()
				scratch := model.Clone()
				for range rapid.IntRange(1, 6).Draw(rt, "posts") {
					var in []ledger.Transfer
					for range rapid.IntRange(1, 2).Draw(rt, "batch") {
						in = append(in, draw())
					}
					got, err := ledger.Post(ctx, tx, tx.Now(), in...)
					want, werr := ledger.Post(ctx, scratch, tx.Now(), in...)
					if ledgerCode(err) != ledgerCode(werr) || (err == nil) != (werr == nil) {
						rt.Fatalf("Post(%+v): store %v, model %v", in, err, werr)
					}
					if !sameTransfers(got, want) {
						rt.Fatalf("Post(%+v):\n store %+v\n model %+v", in, got, want)
					}
					for _, w := range want {
						if w.Flags == ledger.Pending {
							pendings = append(pendings, w.Key)
						}
					}
				}
				if !rapid.Bool().Draw(rt, "commit") {
					return
				}
				if err := tx.Commit(); err != nil {
					rt.Fatalf("Commit: %v", err)
				}
				model = scratch
			}()
		}
		tx, err := s.BeginTx(ctx, false)
		if err != nil {
			rt.Fatalf("BeginTx: %v", err)
		}
		defer tx.Rollback()
		ids := make([]ledger.AccountID, len(pool))
		for i, a := range pool {
			ids[i] = a.ID
		}
		got, err := tx.LedgerAccounts(ctx, ids)
		if err != nil {
			rt.Fatalf("LedgerAccounts: %v", err)
		}
		want, _ := model.LedgerAccounts(ctx, ids)
		for _, a := range pool {
			g, w := got[a.ID], want[a.ID]
			w.ID, w.Asset, w.Flags = a.ID, a.Asset, a.Flags
			if _, ok := got[a.ID]; !ok {
				g.ID, g.Asset, g.Flags = a.ID, a.Asset, a.Flags
			}
			if g != w {
				rt.Fatalf("account %s: store %+v, model %+v", a.ID, g, w)
			}
		}
		var keys []string
		for i := range keySpace {
			keys = append(keys, fmt.Sprintf("m%d-%d", run, i))
		}
		for i := range len(fund) {
			keys = append(keys, fmt.Sprintf("m%d-fund%d", run, i+1))
		}
		stored, err := tx.FindTransfers(ctx, keys)
		if err != nil {
			rt.Fatalf("FindTransfers: %v", err)
		}
		log := make([]ledger.Transfer, 0, len(stored))
		for _, tr := range stored {
			log = append(log, tr)
		}
		slices.SortFunc(log, func(a, b ledger.Transfer) int { return int(a.Seq - b.Seq) })
		if !sameTransfers(log, model.Transfers()) {
			rt.Fatalf("transfers:\n store %+v\n model %+v", log, model.Transfers())
		}
	})
}

// sameTransfers reports whether two lists hold the same transfers but for Seq.
func sameTransfers(a, b []ledger.Transfer) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		x.Seq, y.Seq = 0, 0
		if x != y {
			return false
		}
	}
	return true
}

package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/ledger"
)

// ledgerCode is the code of the *ledger.Error inside err, "" when none.
func ledgerCode(err error) string {
	var le *ledger.Error
	if errors.As(err, &le) {
		return le.Code
	}
	return ""
}

// wantLedgerCode fails the test unless err carries the ledger error code.
func wantLedgerCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := ledgerCode(err); got != code {
		t.Fatalf("%s: ledger error code %q (%v), want %q", what, got, err, code)
	}
}

// allTransfers reads the whole transfer log through ListTransfers, a few
// at a time (or the transfers of one account).
func allTransfers(t *testing.T, tx fanclub.Tx, account ledger.AccountID) []ledger.Transfer {
	t.Helper()
	out := []ledger.Transfer{}
	var after int64
	for {
		page, err := tx.ListTransfers(context.Background(), account, after, 7)
		must(t, "ListTransfers", err)
		out = append(out, page...)
		if len(page) < 7 {
			return out
		}
		after = page[len(page)-1].Seq
	}
}

// auditLedger checks the stored ledger's invariants (ledger.Audit) over
// the accounts named and the whole log, and returns the accounts.
func auditLedger(t *testing.T, s fanclub.Store, accounts ...ledger.Account) map[ledger.AccountID]ledger.Account {
	t.Helper()
	var got map[ledger.AccountID]ledger.Account
	inReadTx(t, s, func(tx fanclub.Tx) {
		ids := make([]ledger.AccountID, len(accounts))
		for i, a := range accounts {
			ids[i] = a.ID
		}
		var err error
		got, err = tx.LedgerAccounts(context.Background(), ids)
		must(t, "LedgerAccounts", err)
		list := make([]ledger.Account, 0, len(got))
		for _, a := range got {
			list = append(list, a)
		}
		must(t, "ledger.Audit", ledger.Audit(list, allTransfers(t, tx, "")))
	})
	return got
}

// coinTransfer is a plain coin transfer.
func coinTransfer(key string, from, to ledger.Account, amount int64) ledger.Transfer {
	return ledger.Transfer{Key: key, Debit: from.ID, Credit: to.ID, Asset: ledger.Coin, Amount: amount, Code: "test", Ref: key}
}

// testLedgerRoundTrip posts a coin purchase and a gift with the
// creator's share and reads them back: transfers by key and by account,
// pages, balances; a read-only transaction refuses to post.
func testLedgerRoundTrip(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	fan, issuer, clearing, rev := ledger.FanCoins(1), ledger.PlatformCoins(), ledger.PaymentClearing(ledger.CNY), ledger.PlatformRevenue(ledger.CNY)
	pending := ledger.CreatorPending(7, ledger.CNY)
	var posted []ledger.Transfer
	inWriteTx(t, s, func(tx fanclub.Tx) {
		var err error
		posted, err = ledger.Post(ctx, tx, tx.Now(),
			ledger.Transfer{Key: "pay-1", Debit: clearing.ID, Credit: rev.ID, Asset: ledger.CNY, Amount: 1000, Code: "coin_purchase", Ref: "charge-1"},
			coinTransfer("coins-1", issuer, fan, 100),
			coinTransfer("gift-1", fan, issuer, 30),
			ledger.Transfer{Key: "share-1", Debit: rev.ID, Credit: pending.ID, Asset: ledger.CNY, Amount: 150, Code: "gift_share", Ref: "gift-1"})
		must(t, "Post", err)
	})
	for i, tr := range posted {
		if tr.Seq == 0 || i > 0 && tr.Seq <= posted[i-1].Seq || !tr.At.Equal(c.Now()) {
			t.Fatalf("posted[%d] = %+v: want increasing Seq and At %v", i, tr, c.Now())
		}
	}
	accounts := auditLedger(t, s, fan, issuer, clearing, rev, pending)
	for id, want := range map[ledger.AccountID]int64{fan.ID: 70, issuer.ID: -70, clearing.ID: -1000, rev.ID: 850, pending.ID: 150} {
		if got := accounts[id].Balance(); got != want {
			t.Fatalf("balance of %s = %d, want %d", id, got, want)
		}
	}
	inReadTx(t, s, func(tx fanclub.Tx) {
		found, err := tx.FindTransfers(ctx, []string{"gift-1", "coins-1", "nothing"})
		must(t, "FindTransfers", err)
		wantEqual(t, "FindTransfers", found, map[string]ledger.Transfer{"coins-1": posted[1], "gift-1": posted[2]})
		wantEqual(t, "ListTransfers(all)", allTransfers(t, tx, ""), posted)
		wantEqual(t, "ListTransfers(fan)", allTransfers(t, tx, fan.ID), posted[1:3])
		page, err := tx.ListTransfers(ctx, "", posted[0].Seq, 2)
		must(t, "ListTransfers(page)", err)
		wantEqual(t, "ListTransfers(after first, 2)", page, posted[1:3])
		_, err = tx.ListTransfers(ctx, "", 0, 0)
		wantCode(t, "ListTransfers(limit 0)", err, fanclub.EINVALID)
		none, err := tx.LedgerAccounts(ctx, []ledger.AccountID{ledger.FanCoins(99).ID})
		must(t, "LedgerAccounts(unknown)", err)
		wantEqual(t, "LedgerAccounts(unknown)", len(none), 0)
		_, err = ledger.Post(ctx, tx, tx.Now(), coinTransfer("coins-2", issuer, fan, 5))
		if err == nil || ledgerCode(err) != "" {
			t.Fatalf("Post in a read-only transaction: %v, want a store error", err)
		}
		_, err = tx.LockAccounts(ctx, []ledger.Account{ledger.FanCoins(99)})
		wantCode(t, "LockAccounts in a read-only transaction", err, fanclub.EINTERNAL)
		err = tx.SaveTransfers(ctx, nil, nil, nil)
		wantCode(t, "SaveTransfers in a read-only transaction", err, fanclub.EINTERNAL)
	})
	auditLedger(t, s, fan, issuer, clearing, rev, pending)
}

// testLedgerReplay posts a batch again in a later transaction: the stored
// transfers come back, with their first time, and nothing changes; other
// content under a used key is a key conflict.
func testLedgerReplay(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	fan, issuer := ledger.FanCoins(1), ledger.PlatformCoins()
	batch := []ledger.Transfer{coinTransfer("buy", issuer, fan, 100), coinTransfer("gift", fan, issuer, 40)}
	var first []ledger.Transfer
	inWriteTx(t, s, func(tx fanclub.Tx) {
		var err error
		first, err = ledger.Post(ctx, tx, tx.Now(), batch...)
		must(t, "Post", err)
	})
	c.Advance(time.Hour)
	inWriteTx(t, s, func(tx fanclub.Tx) {
		again, err := ledger.Post(ctx, tx, tx.Now(), batch...)
		must(t, "Post(replay)", err)
		wantEqual(t, "replayed batch", again, first)
		other := batch[1]
		other.Amount = 41
		_, err = ledger.Post(ctx, tx, tx.Now(), other)
		wantLedgerCode(t, "Post(same key, other amount)", err, ledger.EKeyConflict)
	})
	acc := auditLedger(t, s, fan, issuer)
	if acc[fan.ID].Balance() != 60 {
		t.Fatalf("fan balance %d after a replay, want 60", acc[fan.ID].Balance())
	}
	inReadTx(t, s, func(tx fanclub.Tx) {
		wantEqual(t, "log after replays", allTransfers(t, tx, ""), first)
	})
}

// testLedgerInsufficientFunds: an overdraft fails and changes nothing,
// even when the transaction then commits.
func testLedgerInsufficientFunds(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	fan, other, issuer := ledger.FanCoins(1), ledger.FanCoins(2), ledger.PlatformCoins()
	inWriteTx(t, s, func(tx fanclub.Tx) {
		_, err := ledger.Post(ctx, tx, tx.Now(), coinTransfer("buy", issuer, fan, 50))
		must(t, "Post", err)
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		_, err := ledger.Post(ctx, tx, tx.Now(), coinTransfer("ok", fan, other, 20), coinTransfer("too-much", fan, other, 31))
		wantLedgerCode(t, "Post(overdraft)", err, ledger.EInsufficientFunds)
		_, err = ledger.Post(ctx, tx, tx.Now(), ledger.Transfer{Key: "hold", Debit: fan.ID, Credit: other.ID, Asset: ledger.Coin, Amount: 51, Flags: ledger.Pending})
		wantLedgerCode(t, "Post(pending overdraft)", err, ledger.EInsufficientFunds)
	})
	acc := auditLedger(t, s, fan, other, issuer)
	if acc[fan.ID].Balance() != 50 || acc[other.ID].Balance() != 0 {
		t.Fatalf("balances %+v after failed posts, want 50 and 0", acc)
	}
	inReadTx(t, s, func(tx fanclub.Tx) {
		if n := len(allTransfers(t, tx, "")); n != 1 {
			t.Fatalf("%d transfers stored, want 1", n)
		}
	})
}

// testLedgerTwoPhase holds, posts part of, and voids pending transfers in
// separate transactions.
func testLedgerTwoPhase(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	fan, issuer, frozen := ledger.FanCoins(1), ledger.PlatformCoins(), ledger.CreatorFrozen(7, ledger.Coin)
	hold := func(key string, amount int64) ledger.Transfer {
		return ledger.Transfer{Key: key, Debit: fan.ID, Credit: frozen.ID, Asset: ledger.Coin, Amount: amount, Flags: ledger.Pending, Code: "freeze"}
	}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		_, err := ledger.Post(ctx, tx, tx.Now(), coinTransfer("buy", issuer, fan, 100), hold("h1", 60), hold("h2", 30))
		must(t, "Post(holds)", err)
	})
	acc := auditLedger(t, s, fan, issuer, frozen)
	if f := acc[fan.ID]; f.Balance() != 100 || f.Available() != 10 || acc[frozen.ID].CreditsPending != 90 {
		t.Fatalf("after holds: %+v", acc)
	}
	c.Advance(time.Minute)
	inWriteTx(t, s, func(tx fanclub.Tx) {
		got, err := ledger.Post(ctx, tx, tx.Now(), ledger.Transfer{Key: "p1", Flags: ledger.PostPending, PendingKey: "h1", Amount: 45, Code: "release"})
		must(t, "Post(post part)", err)
		if got[0].Amount != 45 || got[0].Debit != fan.ID || got[0].Credit != frozen.ID {
			t.Fatalf("post = %+v", got[0])
		}
		_, err = ledger.Post(ctx, tx, tx.Now(), coinTransfer("spend", fan, issuer, 26))
		wantLedgerCode(t, "Post(spend the held coins)", err, ledger.EInsufficientFunds)
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		_, err := ledger.Post(ctx, tx, tx.Now(), ledger.Transfer{Key: "v2", Flags: ledger.VoidPending, PendingKey: "h2"})
		must(t, "Post(void)", err)
		_, err = ledger.Post(ctx, tx, tx.Now(), ledger.Transfer{Key: "v1", Flags: ledger.VoidPending, PendingKey: "h1"})
		wantLedgerCode(t, "Post(void a posted one)", err, ledger.EPendingResolved)
		_, err = ledger.Post(ctx, tx, tx.Now(), ledger.Transfer{Key: "v3", Flags: ledger.VoidPending, PendingKey: "h3"})
		wantLedgerCode(t, "Post(void an unknown one)", err, ledger.EPendingNotFound)
	})
	acc = auditLedger(t, s, fan, issuer, frozen)
	if f, z := acc[fan.ID], acc[frozen.ID]; f.Balance() != 55 || f.DebitsPending != 0 || z.Balance() != 45 || z.CreditsPending != 0 {
		t.Fatalf("after post and void: fan %+v frozen %+v", f, z)
	}
	inReadTx(t, s, func(tx fanclub.Tx) {
		found, err := tx.FindTransfers(ctx, []string{"h1", "h2"})
		must(t, "FindTransfers", err)
		if found["h1"].State != ledger.StatePosted || found["h2"].State != ledger.StateVoided {
			t.Fatalf("states %q and %q, want posted and voided", found["h1"].State, found["h2"].State)
		}
	})
}

// testLedgerRollback: a rolled-back post keeps nothing.
func testLedgerRollback(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	fan, issuer := ledger.FanCoins(1), ledger.PlatformCoins()
	tx := beginTx(t, s, true)
	_, err := ledger.Post(ctx, tx, tx.Now(), coinTransfer("buy", issuer, fan, 100))
	must(t, "Post", err)
	must(t, "Rollback", tx.Rollback())
	inReadTx(t, s, func(tx fanclub.Tx) {
		found, err := tx.FindTransfers(ctx, []string{"buy"})
		must(t, "FindTransfers", err)
		acc, err := tx.LedgerAccounts(ctx, []ledger.AccountID{fan.ID, issuer.ID})
		must(t, "LedgerAccounts", err)
		if len(found) != 0 || len(acc) != 0 {
			t.Fatalf("after rollback: transfers %v accounts %v", found, acc)
		}
	})
}

// testLedgerConcurrentWriters moves coins between a few shared accounts
// from several goroutines, each post in its own write transaction retried
// on retryable errors; at the end the balances equal the transfer log,
// none is negative and each asset sums to zero.
func testLedgerConcurrentWriters(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	const workers, rounds, fans = 4, 15, 3
	issuer := ledger.PlatformCoins()
	accounts := []ledger.Account{issuer}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		for i := range fans {
			f := ledger.FanCoins(int64(i + 1))
			accounts = append(accounts, f)
			_, err := ledger.Post(ctx, tx, tx.Now(), coinTransfer(fmt.Sprint("fund-", i), issuer, f, 100))
			must(t, "Post(fund)", err)
		}
	})
	var mu sync.Mutex
	posted, runs := 0, 0
	errs := make(chan error, workers*rounds)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(w), 7))
			for r := range rounds {
				i := rnd.IntN(fans)
				j := (i + 1 + rnd.IntN(fans-1)) % fans
				tr := coinTransfer(fmt.Sprintf("w%d-r%d", w, r), accounts[1+i], accounts[1+j], 1+rnd.Int64N(60))
				// stored says whether the run that committed posted the
				// transfer (an overdraft is refused and commits nothing).
				var stored bool
				err := runTx(ctx, s, true, func(tx fanclub.Tx) error {
					mu.Lock()
					runs++
					mu.Unlock()
					_, err := ledger.Post(ctx, tx, tx.Now(), tr)
					stored = err == nil
					if ledgerCode(err) == ledger.EInsufficientFunds {
						return nil
					}
					return err
				})
				if err == nil && stored {
					mu.Lock()
					posted++
					mu.Unlock()
				}
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent ledger transaction failed: %v", err)
		}
	}
	t.Logf("%d rounds in %d runs, %d posted", workers*rounds, runs, posted)
	acc := auditLedger(t, s, accounts...)
	var sum int64
	for _, a := range accounts[1:] {
		sum += acc[a.ID].Balance()
	}
	if sum != 100*fans || acc[issuer.ID].Balance() != -100*fans {
		t.Fatalf("fans hold %d coins, issuer %d; want %d and %d", sum, acc[issuer.ID].Balance(), 100*fans, -100*fans)
	}
	inReadTx(t, s, func(tx fanclub.Tx) {
		if n := len(allTransfers(t, tx, "")); n != fans+posted || posted == 0 {
			t.Fatalf("%d transfers stored, want %d funding and %d posted", n, fans, posted)
		}
	})
}

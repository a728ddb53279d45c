package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fanclub"
	"fanclub/ledger"
)

// postCoins posts n coin transfers issuer → fan 1 and stores a gift per
// transfer, in one write transaction; keys start with prefix.
func postCoins(t *testing.T, db *DB, prefix string, n int) []ledger.Transfer {
	t.Helper()
	ctx := context.Background()
	var posted []ledger.Transfer
	inTx(t, db, true, func(tx fanclub.Tx) {
		var trs []ledger.Transfer
		var gs []*fanclub.Gift
		for i := range n {
			key := fmt.Sprintf("%s-%d", prefix, i)
			trs = append(trs, ledger.Transfer{Key: key, Debit: ledger.PlatformCoins().ID, Credit: ledger.FanCoins(1).ID,
				Asset: ledger.Coin, Amount: int64(i + 1), Code: "test", Ref: key})
			gs = append(gs, &fanclub.Gift{Key: key, FanID: 1, ClubID: 2, CreatorID: 3, Coins: int64(i + 1), Currency: "CNY", EventID: key, At: tx.Now()})
		}
		var err error
		if posted, err = ledger.Post(ctx, tx.(*Tx), tx.Now(), trs...); err != nil {
			t.Fatal(err)
		}
		created, err := tx.CreateGifts(ctx, gs)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range created {
			if !c || gs[i].ID == 0 {
				t.Fatalf("gift %d: created %v id %d", i, c, gs[i].ID)
			}
		}
	})
	return posted
}

// ledgerView is what readers see of the ledger and the gifts.
type ledgerView struct {
	transfers []ledger.Transfer
	gifts     []*fanclub.Gift
	fan       int64
}

// viewLedger reads every transfer (a page at a time), fan 1's gifts and
// coin balance in tx.
func viewLedger(t *testing.T, tx fanclub.Tx) ledgerView {
	t.Helper()
	ctx := context.Background()
	var v ledgerView
	for after := int64(0); ; {
		page, err := tx.ListTransfers(ctx, "", after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		v.transfers = append(v.transfers, page...)
		after = page[len(page)-1].Seq
	}
	var err error
	if v.gifts, err = tx.ListGifts(ctx, 1, 0, time.Time{}); err != nil {
		t.Fatal(err)
	}
	acc, err := tx.LedgerAccounts(ctx, []ledger.AccountID{ledger.FanCoins(1).ID})
	if err != nil {
		t.Fatal(err)
	}
	v.fan = acc[ledger.FanCoins(1).ID].Balance()
	return v
}

func wantView(t *testing.T, what string, v ledgerView, transfers int, balance int64) {
	t.Helper()
	if len(v.transfers) != transfers || len(v.gifts) != transfers || v.fan != balance {
		t.Fatalf("%s: %d transfers, %d gifts, balance %d; want %d, %d, %d", what, len(v.transfers), len(v.gifts), v.fan, transfers, transfers, balance)
	}
	for i := 1; i < len(v.transfers); i++ {
		if v.transfers[i].Seq <= v.transfers[i-1].Seq {
			t.Fatalf("%s: transfers out of order: %+v", what, v.transfers)
		}
	}
}

func tableCount(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.writer.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLedgerJournalRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 1, 2, 3, 4, time.UTC)
	led := &ledgerChange{
		accounts: map[ledger.AccountID]ledger.Account{"fan/1/coins": {ID: "fan/1/coins", Asset: ledger.Coin, Flags: 1, CreditsPosted: 9, DebitsPending: 2}},
		created: []ledger.Transfer{{Seq: 4, Key: "k", Debit: "a", Credit: "b", Asset: ledger.CNY, Amount: 5, Flags: ledger.Pending,
			State: ledger.StatePending, Code: "gift", Ref: "r", At: at}, {Seq: 5, Key: "k2", PendingKey: "k", Amount: 1, At: at}},
		resolved: map[string]string{"old": ledger.StatePosted},
		gifts:    []fanclub.Gift{{ID: 8, Key: "g", FanID: 1, ClubID: 2, CreatorID: 3, Coins: 4, Value: 40, Share: 20, Currency: "CNY", Points: 40, EventID: "e", At: at}},
		anon:     []anonymised{{fan: 7, pseudonym: -7}},
	}
	body, err := encodeChange(&change{led: led})
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeChange(body)
	if err != nil {
		t.Fatal(err)
	}
	got.led.byKey, got.led.giftByKey = nil, nil
	if !reflect.DeepEqual(got.led, led) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got.led, led)
	}
	for i := range body {
		if _, err := decodeChange(body[:i]); err == nil {
			t.Fatalf("truncated body of %d bytes decoded", i)
		}
	}
}

// TestLedgerSurvivesCrash writes transfers and gifts that only the
// journal holds, closes the file as a killed process would, and finds
// them (same seqs, ids and balances) in the tables after reopening.
func TestLedgerSurvivesCrash(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.db")
	db := openFile(t, path)
	first := postCoins(t, db, "a", 3)
	second := postCoins(t, db, "b", 2)
	if n := tableCount(t, db, "ledger_transfers"); n != 0 {
		t.Fatalf("ledger_transfers holds %d rows before any checkpoint, want 0 (the journal holds them)", n)
	}
	var before ledgerView
	inTx(t, db, false, func(tx fanclub.Tx) { before = viewLedger(t, tx) })
	wantView(t, "before the crash", before, 5, 1+2+3+1+2)
	crashClose(t, db)

	db = openFile(t, path)
	defer db.Close()
	for table, want := range map[string]int{"ledger_transfers": 5, "gifts": 5, "ledger_accounts": 2, "state_journal": 0} {
		if n := tableCount(t, db, table); n != want {
			t.Fatalf("after replay %s holds %d rows, want %d", table, n, want)
		}
	}
	var after ledgerView
	inTx(t, db, false, func(tx fanclub.Tx) { after = viewLedger(t, tx) })
	if !reflect.DeepEqual(after, before) {
		t.Fatalf("after replay:\n got %+v\nwant %+v", after, before)
	}
	third := postCoins(t, db, "c", 1)
	if third[0].Seq != second[1].Seq+1 || first[0].Seq != 1 {
		t.Fatalf("seqs %d, %d, %d: want numbering to go on after the replay", first[0].Seq, second[1].Seq, third[0].Seq)
	}
}

// TestLedgerReadAcrossCheckpoint reads with transactions whose snapshot
// predates a checkpoint and follows it: each sees every row once.
func TestLedgerReadAcrossCheckpoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openFile(t, filepath.Join(t.TempDir(), "x.db"))
	defer db.Close()
	postCoins(t, db, "a", 4)
	old, err := db.BeginTx(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Rollback()
	if _, err := old.FindFanByID(ctx, 1); err == nil { // pins the snapshot
		t.Fatal("fan 1 exists")
	}
	mid, err := db.BeginTx(ctx, false) // registered before, snapshot after
	if err != nil {
		t.Fatal(err)
	}
	defer mid.Rollback()
	db.wmu.Lock()
	err = db.checkpointLocked(ctx)
	db.wmu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if n := tableCount(t, db, "ledger_transfers"); n != 4 {
		t.Fatalf("checkpoint stored %d transfers, want 4", n)
	}
	postCoins(t, db, "b", 1) // a write transaction collects what no reader needs
	wantView(t, "snapshot before the checkpoint", viewLedger(t, old), 5, 1+2+3+4+1)
	wantView(t, "snapshot after the checkpoint", viewLedger(t, mid), 5, 1+2+3+4+1)
	old.Rollback()
	mid.Rollback()
	postCoins(t, db, "c", 1)
	db.ov.mu.RLock()
	kept := len(db.ov.ledger.transfers.order)
	db.ov.mu.RUnlock()
	if kept != 2 {
		t.Fatalf("overlay keeps %d transfers once no reader needs the stored ones, want 2", kept)
	}
	var v ledgerView
	inTx(t, db, false, func(tx fanclub.Tx) { v = viewLedger(t, tx) })
	wantView(t, "new reader", v, 6, 1+2+3+4+1+1)
}

// TestTwoHandlesShareLedger writes through two handles on one file: each
// sees the other's journaled transfers and numbers its own after them,
// and a handle whose rows the other's checkpoint stored (at its Open and
// its Close) does not store them again.
func TestTwoHandlesShareLedger(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.db")
	a := openFile(t, path)
	postCoins(t, a, "a", 2)
	b := openFile(t, path) // its replay stores a's rows
	postCoins(t, b, "b", 2)
	postCoins(t, a, "c", 1)
	for name, db := range map[string]*DB{"a": a, "b": b} {
		var v ledgerView
		inTx(t, db, false, func(tx fanclub.Tx) { v = viewLedger(t, tx) })
		wantView(t, "handle "+name, v, 5, 1+2+1+2+1)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	inTx(t, a, true, func(fanclub.Tx) {}) // sees b's checkpoint, rebuilds
	a.ov.mu.RLock()
	pending := a.ov.ledger.pending
	a.ov.mu.RUnlock()
	if pending != 0 {
		t.Fatalf("after the other handle stored every row, this one has %d rows pending", pending)
	}
	postCoins(t, a, "d", 1)
	if err := a.Close(); err != nil {
		t.Fatalf("closing the first handle after the second stored its rows: %v", err)
	}
	db := openFile(t, path)
	defer db.Close()
	var v ledgerView
	inTx(t, db, false, func(tx fanclub.Tx) { v = viewLedger(t, tx) })
	wantView(t, "reopened", v, 6, 1+2+1+2+1+1)
}

// TestReloadKeepsRowsForOlderReaders has another handle write after this
// one checkpointed while a read transaction older than the checkpoint is
// open: rebuilding the overlay from the journal must not drop the rows
// that reader's snapshot lacks.
func TestReloadKeepsRowsForOlderReaders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	a := openFile(t, path)
	defer a.Close()
	postCoins(t, a, "a", 4)
	old, err := a.BeginTx(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Rollback()
	if _, err := old.FindFanByID(ctx, 1); err == nil { // pins the snapshot
		t.Fatal("fan 1 exists")
	}
	a.wmu.Lock()
	err = a.checkpointLocked(ctx)
	a.wmu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	b := openFile(t, path)
	postCoins(t, b, "b", 1)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	postCoins(t, a, "c", 1) // rebuilds a's overlay from the journal
	wantView(t, "reader older than the checkpoint", viewLedger(t, old), 6, 1+2+3+4+1+1)
}

// TestLedgerReadersSeeOneMoment runs readers against a writer that posts
// pending transfers and posts them a commit later, with checkpoints every
// few commits: each ListTransfers call must list transfers 1..n without a
// gap, never a pending transfer as posted without the post, and gifts
// 1..m.
func TestLedgerReadersSeeOneMoment(t *testing.T) {
	t.Parallel()
	for _, lazy := range []bool{false, true} {
		t.Run(fmt.Sprint("lazy=", lazy), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			opts := Options{Now: func() time.Time { return now }, CheckpointRows: 7}
			if lazy {
				opts.ReadCheckInterval = time.Hour
			}
			db, err := Open(ctx, filepath.Join(t.TempDir(), "x.db"), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var stop atomic.Bool
			var wg sync.WaitGroup
			for r := range 3 {
				wg.Go(func() {
					for i := 0; !stop.Load(); i++ {
						readOneMoment(t, db, (r+i)%2 == 0)
					}
				})
			}
			for i := range 200 {
				inTx(t, db, true, func(tx fanclub.Tx) {
					trs := []ledger.Transfer{
						{Key: fmt.Sprintf("c-%d", i), Debit: ledger.PlatformCoins().ID, Credit: ledger.FanCoins(1).ID, Asset: ledger.Coin, Amount: 1, Code: "test"},
						{Key: fmt.Sprintf("p-%d", i), Debit: ledger.PlatformCoins().ID, Credit: ledger.FanCoins(1).ID, Asset: ledger.Coin, Amount: 1, Code: "test", Flags: ledger.Pending},
					}
					if i > 0 {
						trs = append(trs, ledger.Transfer{Key: fmt.Sprintf("q-%d", i-1), PendingKey: fmt.Sprintf("p-%d", i-1), Flags: ledger.PostPending})
					}
					if _, err := ledger.Post(ctx, tx.(*Tx), tx.Now(), trs...); err != nil {
						t.Error(err)
					}
					g := &fanclub.Gift{Key: fmt.Sprintf("g-%d", i), FanID: 1, ClubID: 2, CreatorID: 3, Coins: 1, Currency: "CNY", At: tx.Now()}
					if _, err := tx.CreateGift(ctx, g); err != nil {
						t.Error(err)
					}
				})
				if t.Failed() {
					break
				}
			}
			stop.Store(true)
			wg.Wait()
		})
	}
}

// readOneMoment checks one read transaction's ledger (see
// TestLedgerReadersSeeOneMoment); pin reads a table first.
func readOneMoment(t *testing.T, db *DB, pin bool) {
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, false)
	if err != nil {
		t.Error(err)
		return
	}
	defer tx.Rollback()
	if pin {
		tx.FindFanByID(ctx, 1)
	}
	all, err := tx.ListTransfers(ctx, "", 0, 1_000_000)
	if err != nil {
		t.Error(err)
		return
	}
	posts := map[string]bool{}
	for i, tr := range all {
		if tr.Seq != int64(i+1) {
			t.Errorf("transfer %d has seq %d: a gap or a duplicate", i, tr.Seq)
			return
		}
		if tr.PendingKey != "" {
			posts[tr.PendingKey] = true
		}
	}
	for _, tr := range all {
		if tr.Flags == ledger.Pending && (tr.State == ledger.StatePosted) != posts[tr.Key] {
			t.Errorf("pending %s is %q, its post listed: %v", tr.Key, tr.State, posts[tr.Key])
			return
		}
	}
	gs, err := tx.ListGifts(ctx, 1, 0, time.Time{})
	if err != nil {
		t.Error(err)
		return
	}
	for i, g := range gs {
		if g.ID != int64(i+1) {
			t.Errorf("gift %d has id %d: a gap or a duplicate", i, g.ID)
			return
		}
	}
}

// TestAnonymiseJournaledGifts anonymises gifts that only the journal
// holds: they take the pseudonym, and the commit checkpoints so no
// journal row keeps the fan's id.
func TestAnonymiseJournaledGifts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	db := openFile(t, path)
	postCoins(t, db, "a", 2)
	inTx(t, db, true, func(tx fanclub.Tx) {
		n, err := tx.AnonymiseTransactions(ctx, 1, -9)
		if err != nil || n != 2 {
			t.Fatalf("AnonymiseTransactions = %d, %v; want 2", n, err)
		}
	})
	if n := tableCount(t, db, "state_journal"); n != 0 {
		t.Fatalf("state_journal holds %d rows after anonymising, want 0", n)
	}
	crashClose(t, db)
	db = openFile(t, path)
	defer db.Close()
	inTx(t, db, false, func(tx fanclub.Tx) {
		if gs, err := tx.ListGifts(ctx, 1, 0, time.Time{}); err != nil || len(gs) != 0 {
			t.Fatalf("fan 1 still has gifts %v, %v", gs, err)
		}
		gs, err := tx.ListGifts(ctx, -9, 0, time.Time{})
		if err != nil || len(gs) != 2 || gs[0].Key != fmt.Sprintf("anonymised/%d", gs[0].ID) {
			t.Fatalf("pseudonym's gifts = %+v, %v", gs, err)
		}
	})
}

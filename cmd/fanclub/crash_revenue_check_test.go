package main

import (
	"context"
	"strconv"
	"testing"
	"time"

	"fanclub"
	"fanclub/ledger"
	"fanclub/payments/sandbox"
	"fanclub/policyfile"
)

// auditedLedger reads every ledger transfer and the accounts they touch,
// and checks them with ledger.Audit.
func auditedLedger(ctx context.Context, t *testing.T, tx fanclub.Tx) ([]ledger.Transfer, map[ledger.AccountID]ledger.Account) {
	t.Helper()
	var log []ledger.Transfer
	ids := map[ledger.AccountID]bool{}
	for after := int64(0); ; {
		page, err := tx.ListTransfers(ctx, "", after, 500)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range page {
			if tr.Debit != "" {
				ids[tr.Debit], ids[tr.Credit] = true, true
			}
		}
		log = append(log, page...)
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].Seq
	}
	list := make([]ledger.AccountID, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	accounts, err := tx.LedgerAccounts(ctx, list)
	if err != nil {
		t.Fatal(err)
	}
	all := make([]ledger.Account, 0, len(accounts))
	for _, a := range accounts {
		all = append(all, a)
	}
	if err := ledger.Audit(all, log); err != nil {
		t.Errorf("ledger.Audit: %v", err)
	}
	return log, accounts
}

// creatorMoney is what the store says a creator's shares became.
type creatorMoney struct {
	booked, reversed, voided, paid, payingOut int64
}

// checkCrashRevenue checks the store after TestCrashRevenue's kills: see
// its doc comment.
func checkCrashRevenue(ctx context.Context, t *testing.T, db fanclub.Store, w *revenueWorld) {
	t.Helper()
	tx, err := db.BeginTx(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	log, accounts := auditedLedger(ctx, t, tx)
	byKey := map[string]ledger.Transfer{}
	for _, tr := range log {
		byKey[tr.Key] = tr
	}
	cur := ledger.CNY
	money := map[int64]*creatorMoney{}
	for _, c := range w.Creators {
		money[c] = &creatorMoney{}
	}

	// Gifts: each of the script stored once; fans' coins not below zero.
	sent := map[int64]map[string]*moneyReq{}
	for _, s := range w.Steps {
		for _, r := range s.Reqs {
			if r.Kind == "gift" {
				if sent[r.Fan] == nil {
					sent[r.Fan] = map[string]*moneyReq{}
				}
				sent[r.Fan][fanclub.KeyedEventID(r.Fan, "gift-event:"+r.Key)] = r
			}
		}
	}
	giftsOf := map[int64][]*fanclub.Gift{} // by club
	for _, f := range w.Fans {
		gs, err := tx.ListGifts(ctx, f, 0, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, g := range gs {
			seen[g.EventID]++
			if r := sent[f][g.EventID]; r == nil || r.Coins != g.Coins || r.Club != g.ClubID {
				t.Errorf("fan %d: gift %d (%s) is none the script sent", f, g.ID, g.EventID)
			}
			giftsOf[g.ClubID] = append(giftsOf[g.ClubID], g)
			money[g.CreatorID].booked += g.Share
		}
		for ev, r := range sent[f] {
			if seen[ev] != 1 {
				t.Errorf("fan %d: gift %s stored %d times", f, r.Key, seen[ev])
			}
		}
		if b := accounts[ledger.FanCoins(f).ID].Balance(); b < 0 {
			t.Errorf("fan %d: %d coins", f, b)
		}
	}

	checkCrashSettlements(ctx, t, tx, w, giftsOf, byKey, money)

	// Holds: voided ones went to the platform.
	for _, st := range []fanclub.HoldState{fanclub.HoldVoided} {
		hs, err := tx.ListHolds(ctx, st, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			money[h.CreatorID].voided += h.Amount
		}
	}

	// Payouts: one provider record and one posted transfer per key.
	recs, err := tx.ListPaymentRecords(ctx, sandbox.Name, 0, "payout")
	if err != nil {
		t.Fatal(err)
	}
	recKeys := map[string]int{}
	for _, rec := range recs {
		recKeys[rec.Key]++
		tr, ok := byKey[rec.Key]
		if recKeys[rec.Key] > 1 || !ok || tr.Code != "payout" || tr.State != ledger.StatePosted || tr.Amount != rec.Amount ||
			tr.Debit != ledger.CreatorAvailable(rec.FanID, cur).ID || byKey[rec.Key+"/paid"].PendingKey != rec.Key {
			t.Errorf("provider payout %s (%d to creator %d, record %d): ledger %+v", rec.Key, rec.Amount, rec.FanID, recKeys[rec.Key], tr)
		}
	}
	payouts := 0
	for _, tr := range log {
		if tr.Code != "payout" || tr.Flags != ledger.Pending {
			continue
		}
		payouts++
		c := creatorOfAccount(t, w, tr.Debit)
		switch {
		case tr.State == ledger.StatePosted && recKeys[tr.Key] == 1:
			money[c].paid += tr.Amount
		case tr.State == ledger.StatePending:
			money[c].payingOut += tr.Amount
			t.Errorf("payout %s of creator %d left pending", tr.Key, c)
		default:
			t.Errorf("payout %s of creator %d is %s with %d provider records", tr.Key, c, tr.State, recKeys[tr.Key])
		}
		j, err := tx.FindJob(ctx, fanclub.JobSettlePayout+"/"+tr.Key)
		if err != nil || (j.State != fanclub.JobDone && j.State != fanclub.JobCanceled) {
			t.Errorf("job of payout %s: %v %+v", tr.Key, err, j)
		}
	}
	if want := scriptPayouts(w); payouts != want {
		t.Errorf("%d payouts in the ledger, the script asked for %d", payouts, want)
	}

	// Each creator's money adds up, in the ledger and in its view.
	for p, c := range w.Creators {
		m := money[c]
		want := m.booked - m.reversed - m.voided
		pend, froz, avail := accounts[ledger.CreatorPending(c, cur).ID], accounts[ledger.CreatorFrozen(c, cur).ID], accounts[ledger.CreatorAvailable(c, cur).ID]
		if got := pend.Balance() + froz.Balance() + avail.Balance() + m.paid; got != want {
			t.Errorf("%s creator %d: pending %d + frozen %d + available %d + paid %d = %d; booked %d − reversed %d − voided %d = %d",
				p, c, pend.Balance(), froz.Balance(), avail.Balance(), m.paid, got, m.booked, m.reversed, m.voided, want)
		}
		v, err := creatorView(ctx, db, c)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.Pending + v.Frozen + v.Released + v.Available + m.payingOut + m.paid; got != want || v.Flagged {
			t.Errorf("%s creator %d: CreatorRevenue %+v, paid %d: adds to %d, want %d", p, c, *v, m.paid, got, want)
		}
		t.Logf("%s creator %d: booked %d, reversed %d, voided %d, paid %d; %+v", p, c, m.booked, m.reversed, m.voided, m.paid, *v)
	}
}

// checkCrashSettlements checks that each club has one settled settlement
// per week of the script, whose lines account for the week's gifts and
// whose transfers are the only ones of its club-week; it adds the
// reversed shares to money.
func checkCrashSettlements(ctx context.Context, t *testing.T, tx fanclub.Tx, w *revenueWorld, giftsOf map[int64][]*fanclub.Gift,
	byKey map[string]ledger.Transfer, money map[int64]*creatorMoney) {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	week1 := fanclub.WeekStart(w.Steps[0].At, loc)
	weeks := []time.Time{week1, fanclub.WeekEnd(week1, loc)}
	moved := map[string]int64{} // settlement ref → amount settled by transfers
	count := map[string]int{}
	for _, tr := range byKeyValues(byKey) {
		if tr.Code == "settlement" {
			moved[tr.Ref] += tr.Amount
			count[tr.Ref]++
		}
	}
	for _, p := range crashRevPresets {
		club, creator := w.Clubs[p], w.Creators[p]
		ss, err := tx.ListSettlements(ctx, creator)
		if err != nil {
			t.Fatal(err)
		}
		per := map[int64]int{}
		for _, s := range ss {
			per[s.Week.Unix()]++
			money[creator].reversed += s.Reversed
		}
		for _, wk := range weeks {
			ref := "settle/" + strconv.FormatInt(club, 10) + "/" + strconv.FormatInt(wk.Unix(), 10)
			s, err := tx.FindSettlement(ctx, club, wk)
			if err != nil || per[wk.Unix()] != 1 || s.State != fanclub.SettlementSettled {
				t.Errorf("%s week %s: %d settlements, %v %+v", p, wk.Format(time.DateOnly), per[wk.Unix()], err, s)
				continue
			}
			var gifts, share int64
			for _, g := range giftsOf[club] {
				if !g.At.Before(wk) && g.At.Before(fanclub.WeekEnd(wk, loc)) {
					gifts++
					share += g.Share
				}
			}
			var lineGifts, lineShare, settled int64
			for _, l := range s.Lines {
				if l.Outcome == fanclub.LineReleased {
					continue
				}
				lineGifts += l.Gifts
				lineShare += l.Share
				if l.Outcome == fanclub.LineSettled {
					settled += l.Share
				}
			}
			if lineGifts != gifts || lineShare != share || settled != s.Settled || s.Settled+s.Reversed+s.Frozen != share {
				t.Errorf("%s week %s: lines of %d gifts, share %d (settled %d); the week has %d gifts, share %d; settlement %+v",
					p, wk.Format(time.DateOnly), lineGifts, lineShare, settled, gifts, share, s)
			}
			if tr := byKey[ref+"/settled"]; moved[ref] != s.Settled || count[ref] > 1 || s.Settled > 0 && tr.Amount != s.Settled {
				t.Errorf("%s week %s: %d pending → available transfers of %d; settled %d", p, wk.Format(time.DateOnly), count[ref], moved[ref], s.Settled)
			}
			j, err := tx.FindJob(ctx, fanclub.JobSettleWeek+"/"+strconv.FormatInt(club, 10)+"/"+strconv.FormatInt(wk.Unix(), 10))
			if err != nil || j.State != fanclub.JobDone {
				t.Errorf("%s week %s: settlement job %v %+v", p, wk.Format(time.DateOnly), err, j)
			}
			delete(moved, ref)
		}
	}
	for ref, amount := range moved {
		t.Errorf("settlement transfers of %d under %s, a club-week not settled", amount, ref)
	}
}

// byKeyValues lists a map's transfers.
func byKeyValues(m map[string]ledger.Transfer) []ledger.Transfer {
	out := make([]ledger.Transfer, 0, len(m))
	for _, tr := range m {
		out = append(out, tr)
	}
	return out
}

// creatorOfAccount names the creator of the script owning a ledger
// account id ("creator/{id}/…").
func creatorOfAccount(t *testing.T, w *revenueWorld, id ledger.AccountID) int64 {
	t.Helper()
	for _, c := range w.Creators {
		if id == ledger.CreatorAvailable(c, ledger.CNY).ID {
			return c
		}
	}
	t.Fatalf("account %s is no creator's of the script", id)
	return 0
}

// scriptPayouts counts the payout steps of the script.
func scriptPayouts(w *revenueWorld) int {
	n := 0
	for _, s := range w.Steps {
		if s.Kind == "payout" {
			n++
		}
	}
	return n
}

// creatorView reads a creator's balances through the engine.
func creatorView(ctx context.Context, db fanclub.Store, creator int64) (*fanclub.CreatorRevenue, error) {
	reg, err := policyfile.NewRegistry()
	if err != nil {
		return nil, err
	}
	return fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg}).CreatorRevenue(ctx, creator)
}

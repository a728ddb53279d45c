package fanclub_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/ledger"
)

func TestErasedHandleIsOneNoAccountCanHold(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testErasedHandleIsOneNoAccountCanHold)
}

// testErasedHandleIsOneNoAccountCanHold has another account take the
// handle the erasure used to give ("erased_<id>") before the fan asks for
// erasure: the erasure completes, the fan's handle is ErasedHandle, which
// no account can be created with, and the other account is untouched.
func testErasedHandleIsOneNoAccountCanHold(t *testing.T, open teststores.Open) {
	ctx := context.Background()
	e, _, db := engineOn(t, open)
	fan, club := memberOf(t, e, "fair")
	squatter, err := e.CreateFan(ctx, "erased_1", "password1")
	mustOK(t, "create the old erased handle", err)
	_, err = e.EraseAccount(ctx, fan, fanclub.ErasureRequest{Confirm: true})
	mustOK(t, "erase", err)
	m, err := e.Membership(ctx, fan, club)
	mustOK(t, "membership", err)
	if m.Status != fanclub.StatusLeft {
		t.Fatalf("membership after erasure: %s", m.Status)
	}
	mustOK(t, "read fans", inReadTx(db, func(tx fanclub.Tx) error {
		f, err := tx.FindFanByID(ctx, fan)
		if err != nil {
			return err
		}
		if f.Handle != fanclub.ErasedHandle(fan) || f.PasswordHash != "" {
			t.Errorf("erased fan: handle %q, password hash %q", f.Handle, f.PasswordHash)
		}
		s, err := tx.FindFanByID(ctx, squatter.ID)
		if err == nil && s.Handle != "erased_1" {
			t.Errorf("the other account's handle became %q", s.Handle)
		}
		return err
	}))
	if _, _, err := e.LoginFan(ctx, "fan_a", "password1", ""); fanclub.ErrorCode(err) != fanclub.EUNAUTHORIZED {
		t.Fatalf("login after erasure: %v", err)
	}
	for _, id := range []int64{fan, squatter.ID + 1} {
		h := fanclub.ErasedHandle(id)
		if fanclub.ValidHandle(h) {
			t.Fatalf("ValidHandle(%q) is true", h)
		}
		_, err := e.CreateFan(ctx, h, "password1")
		wantFieldError(t, err, "handle")
	}
}

func TestErasureDeletesAgeAndImports(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testErasureDeletesAgeAndImports)
}

// testErasureDeletesAgeAndImports has a fan record a birth date and import
// a history, then erase the account: both are gone, each with a receipt
// counting what went.
func testErasureDeletesAgeAndImports(t *testing.T, open teststores.Open) {
	ctx := context.Background()
	e, _, _ := engineOn(t, open)
	fan := worldWithClubs(t, e, 1).fans[0]
	_, err := e.SetAge(ctx, fan, "1990-05-17", fanclub.AgeSelfDeclared)
	mustOK(t, "set age", err)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	_, _, err = e.RecordImport(ctx, &fanclub.Import{FanID: fan, SourceInstance: "https://other.example", KeyID: "k", SourceFanID: 77, SHA256: "ab",
		ExportedAt: at, Counts: map[string]int64{"memberships": 1},
		Memberships: []fanclub.ImportedMembership{{SourceClubID: 5, SourceClubName: "secret club", Status: fanclub.StatusActive, Level: 3, JoinedAt: at.Add(-time.Hour)}}}, nil)
	mustOK(t, "import", err)
	er, err := e.EraseAccount(ctx, fan, fanclub.ErasureRequest{Confirm: true})
	mustOK(t, "erase", err)
	if _, err := e.AgeOf(ctx, fan); fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
		t.Fatalf("age after erasure: %v, want not found", err)
	}
	ims, err := e.ListImports(ctx, fan)
	mustOK(t, "list imports", err)
	if len(ims) != 0 {
		t.Fatalf("%d imports after erasure", len(ims))
	}
	rs, err := e.Receipts(ctx, fan)
	mustOK(t, "receipts", err)
	for _, c := range []fanclub.DataCategory{fanclub.DataAge, fanclub.DataImports} {
		n := 0
		for _, r := range rs {
			if r.Category == c && r.Action == fanclub.DataErase && r.Count == 1 && r.Basis == fanclub.ErasureBasis {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("want one %s erase receipt counting 1, got %+v", c, rs)
		}
	}
	if len(er.Receipts) != len(rs) {
		t.Fatalf("the erasure answered %d receipts, %d stored", len(er.Receipts), len(rs))
	}
}

func TestErasureAfterKeepPurgesWaitingData(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testErasureAfterKeepPurgesWaitingData)
}

// testErasureAfterKeepPurgesWaitingData has a fan leave fair keeping
// progress (log and device erased with it, 30 days later) and erase the
// account an hour later: the erasure deletes the kept progress, so the
// device goes at once and the log with the erasure's jobs, each with a
// receipt naming the erasure; nothing is left for the 30-day jobs.
func testErasureAfterKeepPurgesWaitingData(t *testing.T, open teststores.Open) {
	ctx := context.Background()
	e, clk, db := engineOn(t, open)
	fan, club := memberOf(t, e, "fair")
	ingestLikeAndShare(t, e, fan, club, "")
	clk.Advance(time.Minute)
	exitClub(t, e, db, fan, club, map[string]string{"progress": "keep"})
	runJobs(t, e)
	if d := personalData(t, e, fan, club); d.Events != 2 || len(d.Devices) != 1 {
		t.Fatalf("after the keep exit: %d events, %d devices; want 2, 1", d.Events, len(d.Devices))
	}
	clk.Advance(time.Hour)
	_, err := e.EraseAccount(ctx, fan, fanclub.ErasureRequest{Confirm: true})
	mustOK(t, "erase", err)
	runJobs(t, e)
	m, err := e.Membership(ctx, fan, club)
	mustOK(t, "membership", err)
	d := personalData(t, e, fan, club)
	if m.RetainedPoints != 0 || d.Events != 0 || len(d.Devices) != 0 {
		t.Fatalf("after the erasure: %d points kept, %d events, %d devices; want none", m.RetainedPoints, d.Events, len(d.Devices))
	}
	clk.Advance(31 * 24 * time.Hour)
	runJobs(t, e)
	counts := map[fanclub.DataCategory][]int64{}
	for _, r := range personalData(t, e, fan, club).Receipts {
		if r.ClubID == club && r.Action == fanclub.DataErase {
			if r.Basis != fanclub.ErasureBasis {
				t.Errorf("%s receipt basis %q, want the erasure request", r.Category, r.Basis)
			}
			counts[r.Category] = append(counts[r.Category], r.Count)
		}
	}
	if len(counts[fanclub.DataDeviceIDs]) != 1 || counts[fanclub.DataDeviceIDs][0] != 1 ||
		len(counts[fanclub.DataBehaviourLog]) != 1 || counts[fanclub.DataBehaviourLog][0] != 2 {
		t.Fatalf("club receipts %v, want one device erasure of 1 and one log purge of 2", counts)
	}
}

func TestRepeatedErasureReceiptsMatchTheAnonymisation(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testRepeatedErasureReceiptsMatchTheAnonymisation)
}

// testRepeatedErasureReceiptsMatchTheAnonymisation erases a fair member,
// then confirms the erasure again 100 days later: the records stay held
// until the first erasure's anonymisation job, and every hold receipt's
// end is that job's due time. After the anonymisation ran, a third
// erasure holds and anonymises under a job of its own, whose due time its
// hold receipt gives.
func testRepeatedErasureReceiptsMatchTheAnonymisation(t *testing.T, open teststores.Open) {
	ctx := context.Background()
	e, clk, _ := engineOn(t, open)
	fan, _ := memberOf(t, e, "fair")
	first, err := e.EraseAccount(ctx, fan, fanclub.ErasureRequest{Confirm: true})
	mustOK(t, "erase", err)
	job, err := e.FindJob(ctx, fanclub.JobAnonymiseTransactions+"/"+strconv.FormatInt(fan, 10))
	mustOK(t, "find anonymisation", err)
	if !job.DueAt.Equal(*first.Transactions.At) {
		t.Fatalf("anonymisation due %s, erasure says %s", job.DueAt, first.Transactions.At)
	}
	clk.Advance(100 * 24 * time.Hour)
	preview, err := e.EraseAccount(ctx, fan, fanclub.ErasureRequest{})
	mustOK(t, "preview again", err)
	second, err := e.EraseAccount(ctx, fan, fanclub.ErasureRequest{Confirm: true})
	mustOK(t, "erase again", err)
	for _, er := range []*fanclub.Erasure{preview, second} {
		if !er.Transactions.At.Equal(job.DueAt) || er.Transactions.Basis != first.Transactions.Basis {
			t.Fatalf("a repeated erasure's transactions %+v, want the pending job's due %s", er.Transactions, job.DueAt)
		}
	}
	holds := holdEnds(t, e, fan)
	if len(holds) != 2 || !holds[0].Equal(job.DueAt) || !holds[1].Equal(job.DueAt) {
		t.Fatalf("hold receipts end %v, want twice %s", holds, job.DueAt)
	}
	clk.Set(job.DueAt.Add(time.Second))
	runJobs(t, e)
	third, err := e.EraseAccount(ctx, fan, fanclub.ErasureRequest{Confirm: true})
	mustOK(t, "erase a third time", err)
	holds = holdEnds(t, e, fan)
	if len(holds) != 3 || !holds[2].Equal(*third.Transactions.At) || !third.Transactions.At.After(clk.Now()) {
		t.Fatalf("hold receipts end %v, want the third at %s", holds, third.Transactions.At)
	}
	clk.Set(third.Transactions.At.Add(time.Second))
	runJobs(t, e)
	rs, err := e.Receipts(ctx, fan)
	mustOK(t, "receipts", err)
	anonymised := 0
	for _, r := range rs {
		if r.Action == fanclub.DataAnonymise {
			anonymised++
		}
	}
	if anonymised != 2 {
		t.Fatalf("%d anonymisation receipts, want one per job", anonymised)
	}
}

// holdEnds returns the ends of the fan's hold receipts, oldest first.
func holdEnds(t *testing.T, e *fanclub.Engine, fan int64) []time.Time {
	t.Helper()
	rs, err := e.Receipts(context.Background(), fan)
	mustOK(t, "receipts", err)
	var out []time.Time
	for _, r := range rs {
		if r.Action == fanclub.DataHold {
			out = append(out, *r.Until)
		}
	}
	return out
}

func TestAnonymisationLeavesTheLedgerAsDocumented(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testAnonymisationLeavesTheLedgerAsDocumented)
}

// testAnonymisationLeavesTheLedgerAsDocumented erases a fan who bought
// coins and sent a gift and runs the anonymisation: the payment and gift
// rows no longer carry the fan's id, while the ledger transfers of the
// fan's wallet, whose keys and refs name the fan's number, are kept as
// they were, as docs/privacy.md says (and it no longer claims that
// nothing maps the pseudonym back to the fan).
func testAnonymisationLeavesTheLedgerAsDocumented(t *testing.T, open teststores.Open) {
	ctx := context.Background()
	m := moneyEngineOn(t, open, nil)
	fan, club := memberOf(t, m.Engine, "wechat-channels")
	_, err := m.BuyCoins(ctx, fan, 50, "buy-1")
	mustOK(t, "buy coins", err)
	_, err = m.SendGift(ctx, fan, club, 5, "gift-1")
	mustOK(t, "gift", err)
	wallet := func() []ledger.Transfer {
		var ts []ledger.Transfer
		mustOK(t, "wallet transfers", inReadTx(m.store, func(tx fanclub.Tx) error {
			ts, err = tx.ListTransfers(ctx, ledger.FanCoins(fan).ID, 0, 100)
			return err
		}))
		return ts
	}
	before := wallet()
	_, err = m.EraseAccount(ctx, fan, fanclub.ErasureRequest{Confirm: true})
	mustOK(t, "erase", err)
	m.clock.Set(weekEnd.Add(2 * time.Hour))
	runMoneyJobs(t, m)
	m.clock.Set(weekEnd.Add(5 * time.Hour))
	runMoneyJobs(t, m)
	rs, err := m.Receipts(ctx, fan)
	mustOK(t, "receipts", err)
	wantReceipt(t, rs, fanclub.DataTransactionRecords, fanclub.DataAnonymise)
	ps, err := m.ListPayments(ctx, fan)
	mustOK(t, "payments", err)
	if len(ps) != 0 || fanGiftCount(t, m, fan) != 0 {
		t.Fatalf("%d payments and %d gifts still under the fan's id", len(ps), fanGiftCount(t, m, fan))
	}
	after := wallet()
	if len(after) != 2 || len(after) != len(before) {
		t.Fatalf("wallet transfers %+v, want the purchase's and the gift's, as before (%+v)", after, before)
	}
	id := strconv.FormatInt(fan, 10)
	for i, tr := range after {
		if tr.Key != before[i].Key || tr.Ref != before[i].Ref || tr.Amount != before[i].Amount {
			t.Fatalf("transfer %d rewritten: %+v, was %+v", i, tr, before[i])
		}
		if !strings.HasPrefix(tr.Ref, "coins/"+id+"/") && !strings.HasPrefix(tr.Ref, "gift/"+id+"/") {
			t.Fatalf("transfer ref %q does not name the fan's number", tr.Ref)
		}
	}
	doc, err := os.ReadFile("docs/privacy.md")
	mustOK(t, "read docs/privacy.md", err)
	if strings.Contains(string(doc), "nothing maps it back") || !strings.Contains(string(doc), "`fan/<id>/coins`") {
		t.Fatal("docs/privacy.md does not say that the ledger still names the anonymised fan's number")
	}
}

package fanclub_test

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
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

package storetest

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
)

// testDevices checks device sightings: insert, last seen moving forward
// only, refresh and frozen states, listing and deletion.
func testDevices(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	t0 := c.Now().UTC()
	t1, t2, t3 := t0.Add(time.Hour), t0.Add(2*time.Hour), t0.Add(3*time.Hour)
	see := func(club int64, dev string, at time.Time) fanclub.DeviceSighting {
		return fanclub.DeviceSighting{FanID: 1, ClubID: club, DeviceID: dev, At: at}
	}
	dev := func(club int64, id string, first, last time.Time, st fanclub.DeviceState) fanclub.Device {
		return fanclub.Device{FanID: 1, ClubID: club, DeviceID: id, FirstSeen: first, LastSeen: last, State: st}
	}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "SeeDevices", tx.SeeDevices(ctx, []fanclub.DeviceSighting{see(10, "d1", t1), see(20, "d1", t1), see(30, "d1", t1), see(10, "d2", t0)}))
		must(t, "SeeDevices(older)", tx.SeeDevices(ctx, []fanclub.DeviceSighting{see(10, "d1", t0)}))
		must(t, "SetDeviceState(refresh)", tx.SetDeviceState(ctx, 1, 20, fanclub.DeviceRefreshed))
		must(t, "SetDeviceState(frozen)", tx.SetDeviceState(ctx, 1, 30, fanclub.DeviceFrozen))
		// A sighting without a club moves live and refreshed records only.
		must(t, "SeeDevices(no club)", tx.SeeDevices(ctx, []fanclub.DeviceSighting{see(0, "d1", t2)}))
		// Another fan's device of the same id is untouched.
		must(t, "SeeDevices(other fan)", tx.SeeDevices(ctx, []fanclub.DeviceSighting{{FanID: 2, ClubID: 10, DeviceID: "d1", At: t3}}))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		all, err := tx.ListDevices(ctx, 1, 0)
		must(t, "ListDevices", err)
		wantEqual(t, "devices", all, []fanclub.Device{
			dev(10, "d1", t1, t2, fanclub.DeviceLive), dev(10, "d2", t0, t0, fanclub.DeviceLive),
			dev(20, "d1", t1, t2, fanclub.DeviceRefreshed), dev(30, "d1", t1, t1, fanclub.DeviceFrozen)})
		club, err := tx.ListDevices(ctx, 1, 20)
		must(t, "ListDevices(club)", err)
		wantEqual(t, "club 20", club, []fanclub.Device{dev(20, "d1", t1, t2, fanclub.DeviceRefreshed)})
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		// Seeing a frozen record in its club makes it live again (a rejoin).
		must(t, "SeeDevices(rejoin)", tx.SeeDevices(ctx, []fanclub.DeviceSighting{see(30, "d1", t3)}))
		n, err := tx.DeleteDevices(ctx, 1, 10)
		must(t, "DeleteDevices", err)
		wantEqual(t, "deleted in club 10", n, int64(2))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		all, err := tx.ListDevices(ctx, 1, 0)
		must(t, "ListDevices", err)
		wantEqual(t, "after delete", all, []fanclub.Device{dev(20, "d1", t1, t3, fanclub.DeviceRefreshed), dev(30, "d1", t1, t3, fanclub.DeviceLive)})
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		n, err := tx.DeleteDevices(ctx, 1, 0)
		must(t, "DeleteDevices(all)", err)
		wantEqual(t, "deleted everywhere", n, int64(2))
	})
}

// testFollows checks follows: idempotent save, listing, removal.
func testFollows(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	t0 := c.Now().UTC()
	inWriteTx(t, s, func(tx fanclub.Tx) {
		for _, cr := range []int64{7, 3} {
			created, err := tx.SaveFollow(ctx, 1, cr, t0)
			must(t, "SaveFollow", err)
			wantEqual(t, "new follow", created, true)
		}
		created, err := tx.SaveFollow(ctx, 1, 7, t0.Add(time.Hour))
		must(t, "SaveFollow(again)", err)
		wantEqual(t, "second follow", created, false)
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		fs, err := tx.ListFollows(ctx, 1)
		must(t, "ListFollows", err)
		wantEqual(t, "follows", fs, []fanclub.Follow{{FanID: 1, CreatorID: 3, At: t0}, {FanID: 1, CreatorID: 7, At: t0}})
		gone, err := tx.DeleteFollow(ctx, 1, 3)
		must(t, "DeleteFollow", err)
		wantEqual(t, "removed", gone, true)
		gone, err = tx.DeleteFollow(ctx, 1, 3)
		must(t, "DeleteFollow(again)", err)
		wantEqual(t, "removed twice", gone, false)
		fs, err = tx.ListFollows(ctx, 2)
		must(t, "ListFollows(none)", err)
		wantEqual(t, "no follows", len(fs), 0)
	})
}

// testReceipts checks that receipts round-trip, oldest first, per fan.
func testReceipts(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	t0 := c.Now().UTC()
	until := t0.Add(1096 * 24 * time.Hour)
	rs := []*fanclub.DeletionReceipt{
		{FanID: 1, ClubID: 4, Category: fanclub.DataBehaviourLog, Action: fanclub.DataErase, Count: 12, At: t0, Rule: "data.behaviourLogRetention: 0", Basis: "policy fair 1"},
		{FanID: 2, Category: fanclub.DataAccount, Action: fanclub.DataErase, Count: 1, At: t0, Rule: "erasure request", Basis: "law"},
		{FanID: 1, Category: fanclub.DataTransactionRecords, Action: fanclub.DataHold, At: t0, Until: &until, Rule: "hold", Basis: "ECL 31"},
	}
	inWriteTx(t, s, func(tx fanclub.Tx) { must(t, "AddReceipts", tx.AddReceipts(ctx, rs)) })
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.ListReceipts(ctx, 1)
		must(t, "ListReceipts", err)
		wantEqual(t, "fan 1 receipts", got, []fanclub.DeletionReceipt{*rs[0], *rs[2]})
		if rs[0].ID == 0 || rs[0].ID == rs[2].ID {
			t.Fatalf("receipt ids %d, %d", rs[0].ID, rs[2].ID)
		}
	})
}

// testAnonymiseTransactions checks that a fan's payments and gifts get the
// pseudonym and keys that no longer name the fan, and others' stay.
func testAnonymiseTransactions(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now().UTC()
	pay := func(key string, fan int64) *fanclub.Payment {
		return &fanclub.Payment{Key: key, FanID: fan, Kind: fanclub.PaymentCharge, Purpose: fanclub.PurposeCoins,
			Amount: 1000, Currency: "CNY", Coins: 100, Status: fanclub.PaymentPending, CreatedAt: now}
	}
	gift := &fanclub.Gift{Key: "gift/1/x", FanID: 1, ClubID: 1, CreatorID: 9, Coins: 10, Value: 100, Share: 50,
		Currency: "CNY", Points: 100, EventID: "ev-x", At: now}
	mine, theirs := pay("coins/1/a", 1), pay("coins/2/a", 2)
	inWriteTx(t, s, func(tx fanclub.Tx) {
		for _, p := range []*fanclub.Payment{mine, theirs} {
			_, err := tx.CreatePayment(ctx, p)
			must(t, "CreatePayment", err)
		}
		_, err := tx.CreateGift(ctx, gift)
		must(t, "CreateGift", err)
		n, err := tx.AnonymiseTransactions(ctx, 1, -77)
		must(t, "AnonymiseTransactions", err)
		wantEqual(t, "anonymised", n, int64(2))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		ps, err := tx.ListPayments(ctx, 1)
		must(t, "ListPayments(fan)", err)
		wantEqual(t, "payments left under the fan", len(ps), 0)
		ps, err = tx.ListPayments(ctx, -77)
		must(t, "ListPayments(pseudonym)", err)
		if len(ps) != 1 || ps[0].Amount != 1000 || ps[0].Key == mine.Key {
			t.Fatalf("pseudonymous payments: %+v", ps)
		}
		gs, err := tx.ListGifts(ctx, -77, 0, time.Time{})
		must(t, "ListGifts(pseudonym)", err)
		if len(gs) != 1 || gs[0].Coins != 10 || gs[0].Key == gift.Key {
			t.Fatalf("pseudonymous gifts: %+v", gs)
		}
		other, err := tx.FindPaymentByKey(ctx, theirs.Key)
		must(t, "FindPaymentByKey(other fan)", err)
		wantEqual(t, "other fan's payment", other.FanID, int64(2))
	})
}

// testEraseFan checks that an erased fan cannot be found by handle, has
// no password, no live tokens, no notifications, no birth date and no
// imports, and that another fan's stay.
func testEraseFan(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	var fans []int64
	inWriteTx(t, s, func(tx fanclub.Tx) {
		fans = seedFans(t, tx, "erase", 2)
		for _, f := range fans {
			must(t, "CreateToken", tx.CreateToken(ctx, &fanclub.Token{Hash: "h" + string(rune('a'+f)), Role: fanclub.RoleFan, SubjectID: f,
				CreatedAt: c.Now(), ExpiresAt: c.Now().Add(time.Hour)}))
			n := &fanclub.Notification{ID: "n" + string(rune('a'+f)), Recipient: fanclub.FanRecipient(f), ClubID: 1,
				Kind: fanclub.NotifyExitReceipt, At: c.Now(), Data: []byte("{}")}
			must(t, "AddNotifications", tx.AddNotifications(ctx, []*fanclub.Notification{n}))
			must(t, "SaveFanAge", tx.SaveFanAge(ctx, &fanclub.FanAge{FanID: f, BirthDate: "2001-02-03", Method: fanclub.AgeIdentity, Ref: "vfy_1", SetAt: c.Now()}))
			for _, sum := range []string{"aa", "bb"} {
				_, err := tx.CreateImport(ctx, &fanclub.Import{FanID: f, SourceInstance: "https://a.example", KeyID: "k", SourceFanID: 9, SHA256: sum,
					ExportedAt: c.Now(), ImportedAt: c.Now(), Counts: map[string]int64{}, Memberships: []fanclub.ImportedMembership{}})
				must(t, "CreateImport", err)
			}
		}
		n, err := tx.EraseFan(ctx, fans[0])
		must(t, "EraseFan", err)
		if n.Account < 2 || n.Age != 1 || n.Imports != 2 {
			t.Fatalf("EraseFan erased %+v, want the fan and its token at least, 1 age and 2 imports", n)
		}
		_, err = tx.EraseFan(ctx, 999999)
		wantCode(t, "EraseFan(unknown)", err, fanclub.ENOTFOUND)
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		f, err := tx.FindFanByID(ctx, fans[0])
		must(t, "FindFanByID", err)
		if f.Handle != fanclub.ErasedHandle(fans[0]) || f.PasswordHash != "" {
			t.Fatalf("erased fan still has handle %q, password hash %q", f.Handle, f.PasswordHash)
		}
		_, err = tx.FindFanByHandle(ctx, "erase-0")
		wantCode(t, "FindFanByHandle(erased)", err, fanclub.ENOTFOUND)
		tok, err := tx.FindToken(ctx, "h"+string(rune('a'+fans[0])))
		must(t, "FindToken(erased fan)", err)
		if tok.RevokedAt == nil {
			t.Fatal("the erased fan's token is not revoked")
		}
		tok, err = tx.FindToken(ctx, "h"+string(rune('a'+fans[1])))
		must(t, "FindToken(other fan)", err)
		if tok.RevokedAt != nil {
			t.Fatal("the other fan's token was revoked")
		}
		ns, err := tx.ListNotifications(ctx, fanclub.FanRecipient(fans[0]), 0, 10)
		must(t, "ListNotifications", err)
		wantEqual(t, "erased fan's notifications", len(ns), 0)
		_, err = tx.FindFanAge(ctx, fans[0])
		wantCode(t, "FindFanAge(erased fan)", err, fanclub.ENOTFOUND)
		ims, err := tx.ListImports(ctx, fans[0])
		must(t, "ListImports(erased fan)", err)
		wantEqual(t, "erased fan's imports", len(ims), 0)
		other, err := tx.FindFanByID(ctx, fans[1])
		must(t, "FindFanByID(other)", err)
		wantEqual(t, "other fan's handle", other.Handle, "erase-1")
		_, err = tx.FindFanAge(ctx, fans[1])
		must(t, "FindFanAge(other)", err)
		ims, err = tx.ListImports(ctx, fans[1])
		must(t, "ListImports(other)", err)
		wantEqual(t, "other fan's imports", len(ims), 2)
	})
}

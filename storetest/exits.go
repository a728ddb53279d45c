package storetest

import (
	"context"
	"fanclub/clock"
	"fmt"
	"testing"
	"time"

	"fanclub"
)

func testEffects(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	day := 24 * time.Hour
	ends := now.Add(7 * day)
	timed := fanclub.Effect{FanID: 1, ClubID: 2, Kind: fanclub.EffectKind("restrict"), Scope: fanclub.Scope("club"),
		Start: now, Until: &ends, Factor: 0.5, Actions: []fanclub.Action{fanclub.ActionComment, fanclub.ActionShare}}
	open := fanclub.Effect{FanID: 1, ClubID: 3, Kind: fanclub.EffectKind("badge_hidden"), Scope: fanclub.Scope("account"),
		Start: now, EndsOnRejoin: true}
	later := fanclub.Effect{FanID: 1, ClubID: 2, Kind: fanclub.EffectKind("restrict"), Scope: fanclub.Scope("club"),
		Start: now.Add(2 * day)}
	otherFan := open
	otherFan.FanID = 9
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "InsertEffects", tx.InsertEffects(ctx, []fanclub.Effect{timed, open, later, otherFan}))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.ListEffects(ctx, 1, now)
		must(t, "ListEffects(now)", err)
		wantEqual(t, "ListEffects(now)", got, []fanclub.Effect{timed, open, later})
		got, err = tx.ListEffects(ctx, 1, ends.Add(-time.Nanosecond))
		must(t, "ListEffects(just before end)", err)
		if len(got) != 3 {
			t.Fatalf("ListEffects just before Until = %d effects, want 3", len(got))
		}
		got, err = tx.ListEffects(ctx, 1, ends)
		must(t, "ListEffects(at end)", err)
		wantEqual(t, "ListEffects(at Until: ended)", got, []fanclub.Effect{open, later})
		got, err = tx.ListEffects(ctx, 2, now)
		must(t, "ListEffects(no effects)", err)
		if len(got) != 0 {
			t.Fatalf("ListEffects(fan without effects) = %v", got)
		}
		// The optional bulk form agrees with ListEffects fan by fan.
		if bt, ok := tx.(fanclub.BulkEffectsTx); ok {
			bulk, err := bt.ListEffectsOfFans(ctx, []int64{1, 2, 9, 1}, ends)
			must(t, "ListEffectsOfFans", err)
			wantEqual(t, "ListEffectsOfFans", bulk, map[int64][]fanclub.Effect{1: {open, later}, 9: {otherFan}})
		}
	})
}

func testEndRejoinEffects(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	past := now.Add(-time.Hour)
	farEnd := now.Add(30 * 24 * time.Hour)
	rejoinOpen := fanclub.Effect{FanID: 1, ClubID: 2, Kind: "a", Scope: "club", Start: past, EndsOnRejoin: true}
	rejoinTimed := fanclub.Effect{FanID: 1, ClubID: 2, Kind: "b", Scope: "club", Start: past, Until: &farEnd, EndsOnRejoin: true}
	stays := fanclub.Effect{FanID: 1, ClubID: 2, Kind: "c", Scope: "club", Start: past}
	otherClub := fanclub.Effect{FanID: 1, ClubID: 3, Kind: "d", Scope: "club", Start: past, EndsOnRejoin: true}
	otherFan := fanclub.Effect{FanID: 5, ClubID: 2, Kind: "e", Scope: "club", Start: past, EndsOnRejoin: true}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "InsertEffects", tx.InsertEffects(ctx, []fanclub.Effect{rejoinOpen, rejoinTimed, stays, otherClub, otherFan}))
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "EndRejoinEffects", tx.EndRejoinEffects(ctx, 1, 2, now))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		before, err := tx.ListEffects(ctx, 1, now.Add(-time.Nanosecond))
		must(t, "ListEffects(before rejoin)", err)
		if len(before) != 4 {
			t.Fatalf("ListEffects before the rejoin = %d effects, want 4", len(before))
		}
		for _, e := range before {
			if e.EndsOnRejoin && e.ClubID == 2 && (e.Until == nil || !e.Until.Equal(now)) {
				t.Fatalf("effect %s Until = %v, want the rejoin time %v", e.Kind, e.Until, now)
			}
		}
		got, err := tx.ListEffects(ctx, 1, now)
		must(t, "ListEffects(at rejoin)", err)
		wantEqual(t, "ListEffects after rejoin", got, []fanclub.Effect{stays, otherClub})
		got, err = tx.ListEffects(ctx, 5, now)
		must(t, "ListEffects(other fan)", err)
		wantEqual(t, "other fan's effects untouched", got, []fanclub.Effect{otherFan})
	})
}

// exitRequestAt builds a pending exit request with secrets and an impact.
func exitRequestAt(id string, at time.Time) *fanclub.ExitRequest {
	until := at.Add(30 * 24 * time.Hour)
	return &fanclub.ExitRequest{
		ID: id, FanID: 1, ClubID: 2, Status: fanclub.ExitPending,
		CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute),
		Challenges:  []fanclub.Challenge{fanclub.Challenge("password"), fanclub.Challenge("captcha")},
		Choices:     map[string]string{"progress": "keep"},
		MaxAttempts: 3, CaptchaCode: "4821", SliderTarget: 173, SliderWidth: 300, SliderTolerance: 4,
		MembershipVersion: 7,
		Impact: fanclub.ExitImpact{At: at, Option: "keep", LevelBefore: 5, LevelPointsBefore: 900,
			PointsRetained: 900, RetainedUntil: &until, RejoinFrom: at.Add(24 * time.Hour),
			Effects: []fanclub.Effect{{ClubID: 2, Kind: "badge_hidden", Scope: "club", Start: at, EndsOnRejoin: true}}},
	}
}

func testExitRequests(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	r := exitRequestAt("req-1", c.Now())
	inWriteTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.FindExitRequest(ctx, "req-1")
		wantCode(t, "FindExitRequest(unknown)", err, fanclub.ENOTFOUND)
		must(t, "CreateExitRequest", tx.CreateExitRequest(ctx, r))
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		err := tx.CreateExitRequest(ctx, exitRequestAt("req-1", c.Now()))
		wantCode(t, "CreateExitRequest(duplicate id)", err, fanclub.ECONFLICT)
		got, err := tx.FindExitRequest(ctx, "req-1")
		must(t, "FindExitRequest", err)
		wantEqual(t, "FindExitRequest (secrets included)", got, r)
		got.Attempts, got.Status = 1, fanclub.ExitConfirmed
		got.Choices["progress"] = "convert"
		must(t, "UpdateExitRequest", tx.UpdateExitRequest(ctx, got))
		r = got
		err = tx.UpdateExitRequest(ctx, exitRequestAt("req-unknown", c.Now()))
		wantCode(t, "UpdateExitRequest(unknown)", err, fanclub.ENOTFOUND)
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindExitRequest(ctx, "req-1")
		must(t, "FindExitRequest", err)
		wantEqual(t, "FindExitRequest after update", got, r)
	})
}

func testBatches(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	res := &fanclub.BatchResult{Accepted: 1, Duplicates: 1, Rejected: 1, Results: []fanclub.EventResult{
		{ID: "a", Status: "accepted", Points: 3},
		{ID: "b", Status: "duplicate"},
		{ID: "c", Status: "rejected", Code: fanclub.ENOTMEMBER},
	}}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.FindBatch(ctx, "p1", 1)
		wantCode(t, "FindBatch(unseen)", err, fanclub.ENOTFOUND)
		must(t, "SaveBatch", tx.SaveBatch(ctx, "p1", 1, res))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindBatch(ctx, "p1", 1)
		must(t, "FindBatch", err)
		wantEqual(t, "FindBatch", got, res)
		_, err = tx.FindBatch(ctx, "p1", 2)
		wantCode(t, "FindBatch(other seq)", err, fanclub.ENOTFOUND)
		_, err = tx.FindBatch(ctx, "p2", 1)
		wantCode(t, "FindBatch(other producer)", err, fanclub.ENOTFOUND)
	})
}

func testTokens(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now()
	tok := &fanclub.Token{Hash: "sha256:abc", Role: fanclub.RoleCreator, SubjectID: 42, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	admin := &fanclub.Token{Hash: "sha256:adm", Role: fanclub.RoleAdmin, CreatedAt: now, ExpiresAt: now.Add(2 * time.Hour)}
	inReadTx(t, s, func(tx fanclub.Tx) {
		live, err := tx.HasLiveToken(ctx, fanclub.RoleAdmin, now)
		must(t, "HasLiveToken(empty)", err)
		wantEqual(t, "HasLiveToken(empty)", live, false)
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "CreateToken", tx.CreateToken(ctx, tok))
		must(t, "CreateToken(admin)", tx.CreateToken(ctx, admin))
		wantCode(t, "CreateToken(duplicate hash)", tx.CreateToken(ctx, &fanclub.Token{Hash: "sha256:abc", Role: fanclub.RoleFan, SubjectID: 1, CreatedAt: now, ExpiresAt: now}), fanclub.ECONFLICT)
	})
	if tok.ID == 0 || admin.ID == 0 || tok.ID == admin.ID {
		t.Fatalf("CreateToken ids %d, %d: want distinct ids set", tok.ID, admin.ID)
	}
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindToken(ctx, "sha256:abc")
		must(t, "FindToken", err)
		wantEqual(t, "FindToken", got, tok)
		got, err = tx.FindTokenByID(ctx, admin.ID)
		must(t, "FindTokenByID", err)
		wantEqual(t, "FindTokenByID", got, admin)
		_, err = tx.FindToken(ctx, "sha256:nope")
		wantCode(t, "FindToken(unknown)", err, fanclub.ENOTFOUND)
		_, err = tx.FindTokenByID(ctx, admin.ID+tok.ID)
		wantCode(t, "FindTokenByID(unknown)", err, fanclub.ENOTFOUND)
		for _, at := range []struct {
			at   time.Time
			want bool
		}{{now, true}, {now.Add(2*time.Hour - time.Nanosecond), true}, {now.Add(2 * time.Hour), false}} {
			live, err := tx.HasLiveToken(ctx, fanclub.RoleAdmin, at.at)
			must(t, "HasLiveToken", err)
			wantEqual(t, fmt.Sprintf("HasLiveToken(admin, %s)", at.at), live, at.want)
		}
	})
	revokedAt := now.Add(time.Minute)
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "RevokeToken", tx.RevokeToken(ctx, admin.ID, revokedAt))
		must(t, "RevokeToken(again)", tx.RevokeToken(ctx, admin.ID, revokedAt.Add(time.Hour)))
		wantCode(t, "RevokeToken(unknown)", tx.RevokeToken(ctx, admin.ID+tok.ID, now), fanclub.ENOTFOUND)
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindToken(ctx, "sha256:adm")
		must(t, "FindToken(revoked)", err)
		if got.RevokedAt == nil || !got.RevokedAt.Equal(revokedAt) {
			t.Fatalf("RevokedAt %v, want the first revocation %v", got.RevokedAt, revokedAt)
		}
		live, err := tx.HasLiveToken(ctx, fanclub.RoleAdmin, now)
		must(t, "HasLiveToken(revoked)", err)
		wantEqual(t, "HasLiveToken(revoked)", live, false)
	})
}

func testPendingExitRequests(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	at := c.Now()
	mk := func(id string, fan, club int64, status fanclub.ExitRequestStatus, d time.Duration) *fanclub.ExitRequest {
		r := exitRequestAt(id, at.Add(d))
		r.FanID, r.ClubID, r.Status = fan, club, status
		return r
	}
	old := mk("old", 1, 2, fanclub.ExitPending, 0)
	inWriteTx(t, s, func(tx fanclub.Tx) {
		for _, r := range []*fanclub.ExitRequest{old, mk("done", 1, 2, fanclub.ExitConfirmed, time.Second),
			mk("void", 1, 2, fanclub.ExitVoid, 2*time.Second), mk("other-club", 1, 3, fanclub.ExitPending, 0),
			mk("other-fan", 4, 2, fanclub.ExitPending, 0)} {
			must(t, "CreateExitRequest", tx.CreateExitRequest(ctx, r))
		}
		got, err := tx.PendingExitRequests(ctx, 1, 2)
		must(t, "PendingExitRequests", err)
		wantEqual(t, "PendingExitRequests", got, []*fanclub.ExitRequest{old})
		got, err = tx.PendingExitRequests(ctx, 9, 9)
		must(t, "PendingExitRequests(none)", err)
		wantEqual(t, "PendingExitRequests(none)", len(got), 0)
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		err := tx.CreateExitRequest(ctx, mk("second-pending", 1, 2, fanclub.ExitPending, time.Minute))
		wantCode(t, "CreateExitRequest(a second pending one)", err, fanclub.ECONFLICT)
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		old.Status = fanclub.ExitSuperseded
		must(t, "UpdateExitRequest(superseded)", tx.UpdateExitRequest(ctx, old))
		must(t, "CreateExitRequest(after superseding)", tx.CreateExitRequest(ctx, mk("new", 1, 2, fanclub.ExitPending, time.Minute)))
		got, err := tx.PendingExitRequests(ctx, 1, 2)
		must(t, "PendingExitRequests", err)
		if len(got) != 1 || got[0].ID != "new" {
			t.Fatalf("pending after superseding: %+v", got)
		}
	})
}

func testRollbackDiscards(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	k := fanclub.CounterKey{FanID: 1, ClubID: 1, Day: "2026-03-01", Action: fanclub.ActionLike}
	tx := beginTx(t, s, true)
	must(t, "CreateFan", tx.CreateFan(ctx, &fanclub.Fan{Handle: "ghost", PasswordHash: "h"}))
	_, err := tx.InsertEvents(ctx, []fanclub.Event{eventAt("ghost-event", 1, 1, c.Now())})
	must(t, "InsertEvents", err)
	must(t, "AddDailyPoints", tx.AddDailyPoints(ctx, map[fanclub.CounterKey]int64{k: 5}))
	must(t, "AddGeneralPoints", tx.AddGeneralPoints(ctx, 1, 10, "r", "k"))
	must(t, "Rollback", tx.Rollback())
	must(t, "second Rollback", tx.Rollback())
	inReadTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.FindFanByHandle(ctx, "ghost")
		wantCode(t, "FindFanByHandle after rollback", err, fanclub.ENOTFOUND)
		evs, err := tx.ListEvents(ctx, 1, 1)
		must(t, "ListEvents", err)
		if len(evs) != 0 {
			t.Fatalf("events survived rollback: %v", evs)
		}
		pts, err := tx.DailyPoints(ctx, []fanclub.CounterKey{k})
		must(t, "DailyPoints", err)
		if pts[k] != 0 {
			t.Fatalf("counter survived rollback: %d", pts[k])
		}
		bal, err := tx.GeneralPoints(ctx, 1)
		must(t, "GeneralPoints", err)
		if bal != 0 {
			t.Fatalf("general points survived rollback: %d", bal)
		}
	})
	// The rolled-back event id is free again.
	inWriteTx(t, s, func(tx fanclub.Tx) {
		fresh, err := tx.InsertEvents(ctx, []fanclub.Event{eventAt("ghost-event", 1, 1, c.Now())})
		must(t, "InsertEvents", err)
		wantEqual(t, "fresh after rollback", fresh, []bool{true})
	})
	// Rollback after Commit is a no-op.
	tx = beginTx(t, s, true)
	must(t, "CreateFan", tx.CreateFan(ctx, &fanclub.Fan{Handle: "kept", PasswordHash: "h"}))
	must(t, "Commit", tx.Commit())
	must(t, "Rollback after Commit", tx.Rollback())
	inReadTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.FindFanByHandle(ctx, "kept")
		must(t, "FindFanByHandle after Commit+Rollback", err)
	})
}

func testCommittedVisible(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	for i := range 3 {
		h := fmt.Sprint("visible-", i)
		inWriteTx(t, s, func(tx fanclub.Tx) {
			must(t, "CreateFan", tx.CreateFan(ctx, &fanclub.Fan{Handle: h, PasswordHash: "h"}))
		})
		inReadTx(t, s, func(tx fanclub.Tx) {
			_, err := tx.FindFanByHandle(ctx, h)
			must(t, "FindFanByHandle right after commit", err)
		})
	}
}

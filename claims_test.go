package fanclub_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

func TestFanCannotReportGift(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testFanCannotReportGift)
}

func testFanCannotReportGift(t *testing.T, open teststores.Open) {
	t.Parallel()
	e, _, _ := engineOn(t, open)
	ctx := context.Background()
	fan, club := memberOf(t, e, "fair")
	_, _, err := e.Interact(ctx, fan, club, fanclub.ActionGift, 1_000_000)
	fields := fanclub.ErrorFields(err)
	if fanclub.ErrorCode(err) != fanclub.EINVALID || len(fields) == 0 || fields[len(fields)-1].Path != "action" ||
		!strings.Contains(fields[len(fields)-1].Allowed, "watch_minutes") {
		t.Fatalf("a fan's gift: %v, want invalid at action with the allowed actions", err)
	}
	if v, _ := e.Membership(ctx, fan, club); v.LevelPoints != 0 || v.Version != 1 {
		t.Fatalf("a refused gift changed the membership: %+v", v)
	}
	// The platform's service reports paid gifts through the batch ingest.
	if r := reportGift(t, e, fan, club, 16); r.Points != 160 {
		t.Fatalf("reported gift: %+v", r)
	}
}

func TestAmountsAreBounded(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testAmountsAreBounded)
}

func testAmountsAreBounded(t *testing.T, open teststores.Open) {
	t.Parallel()
	e, _, _ := engineOn(t, open)
	ctx := context.Background()
	fan, club := memberOf(t, e, "fair")
	for _, tc := range []struct {
		action fanclub.Action
		amount int64
	}{
		{fanclub.ActionWatchMinutes, 100_000_000_000},
		{fanclub.ActionWatchMinutes, fanclub.MaxWatchMinutes + 1},
		{fanclub.ActionLike, fanclub.MaxCount + 1},
		{fanclub.ActionGift, fanclub.MaxGiftCoins + 1},
		{fanclub.ActionGift, math.MaxInt64},
	} {
		_, err := e.Ingest(ctx, fanclub.Batch{Events: []fanclub.EventInput{
			{ID: "ok", FanID: fan, ClubID: club, Action: fanclub.ActionLike},
			{ID: "big", FanID: fan, ClubID: club, Action: tc.action, Amount: tc.amount},
		}})
		fields := fanclub.ErrorFields(err)
		if fanclub.ErrorCode(err) != fanclub.EINVALID || len(fields) != 1 || fields[0].Path != "events[1].amount" {
			t.Errorf("batch with %s × %d: %v, want invalid at events[1].amount", tc.action, tc.amount, err)
		}
		if tc.action == fanclub.ActionGift {
			continue
		}
		_, _, err = e.Interact(ctx, fan, club, tc.action, tc.amount)
		if fields := fanclub.ErrorFields(err); fanclub.ErrorCode(err) != fanclub.EINVALID || len(fields) != 1 || fields[0].Path != "amount" {
			t.Errorf("interact %s × %d: %v, want invalid at amount", tc.action, tc.amount, err)
		}
	}
	if v, _ := e.Membership(ctx, fan, club); v.LevelPoints != 0 || v.Version != 1 {
		t.Fatalf("invalid amounts changed the membership: %+v", v)
	}
	if _, r, err := e.Interact(ctx, fan, club, fanclub.ActionWatchMinutes, fanclub.MaxWatchMinutes); err != nil || r.Points != 60 {
		t.Fatalf("a day of watching: %v %+v, want the cap of 60", err, r)
	}
}

func TestEventWindow(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testEventWindow)
}

func testEventWindow(t *testing.T, open teststores.Open) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		limits fanclub.Limits
		window time.Duration
	}{
		{"default", fanclub.Limits{}, 24 * time.Hour},
		{"one hour", fanclub.Limits{EventWindow: time.Hour, EventSkew: time.Minute}, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, clock, db := engineOn(t, open)
			e = fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: presetSource{}, Passwords: plainHasher{}, Limits: tc.limits})
			ctx := context.Background()
			w := worldWithClubs(t, e, 1)
			fan, club := w.fans[0], w.clubs["fair"]
			clock.Advance(-3 * 24 * time.Hour)
			if _, err := e.Join(ctx, fan, club); err != nil {
				t.Fatal(err)
			}
			clock.Advance(3 * 24 * time.Hour)
			skew := e.Limits().EventSkew
			now := clock.Now()
			at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
			res, err := e.Ingest(ctx, fanclub.Batch{Events: []fanclub.EventInput{
				{ID: "edge-old", FanID: fan, ClubID: club, Action: fanclub.ActionLike, At: at(-tc.window)},
				{ID: "too-old", FanID: fan, ClubID: club, Action: fanclub.ActionLike, At: at(-tc.window - time.Second)},
				{ID: "last-week", FanID: fan, ClubID: club, Action: fanclub.ActionComment, At: at(-7 * 24 * time.Hour)},
				{ID: "edge-new", FanID: fan, ClubID: club, Action: fanclub.ActionLike, At: at(skew)},
				{ID: "too-new", FanID: fan, ClubID: club, Action: fanclub.ActionLike, At: at(skew + time.Second)},
			}})
			if err != nil {
				t.Fatalf("ingest: %v", err)
			}
			want := []string{"accepted/", "rejected/too_old", "rejected/too_old", "accepted/", "rejected/in_future"}
			for i, r := range res.Results {
				if got := r.Status + "/" + r.Code; got != want[i] {
					t.Errorf("event %s: %s, want %s", r.ID, got, want[i])
				}
			}
			if res.Accepted != 2 || res.Rejected != 3 {
				t.Errorf("counts %+v", res)
			}
			if v, _ := e.Membership(ctx, fan, club); v.LevelPoints != 2 {
				t.Errorf("level points %d, want 2 (the rejected events earn nothing)", v.LevelPoints)
			}
		})
	}
}

func TestPointsNeverOverflow(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testPointsNeverOverflow)
}

func testPointsNeverOverflow(t *testing.T, open teststores.Open) {
	t.Parallel()
	e, _, db := engineOn(t, open)
	ctx := context.Background()
	w := worldWithClubs(t, e, 1)
	fan, club := w.fans[0], w.clubs["kuaishou"]
	// A balance at the int64 limit, as the unbounded gift left it, then a
	// kuaishou exit (all level points become general points), twice.
	for range 2 {
		if _, err := e.Join(ctx, fan, club); err != nil {
			t.Fatal(err)
		}
		tx, err := db.BeginTx(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		m, err := tx.FindMembership(ctx, fan, club)
		if err != nil {
			t.Fatal(err)
		}
		m.LevelPoints, m.Level = math.MaxInt64, 20
		if err := tx.SaveMemberships(ctx, []*fanclub.Membership{m}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		req, err := e.RequestExit(ctx, fan, club, nil)
		if err != nil {
			t.Fatal(err)
		}
		out, err := e.ConfirmExit(ctx, fan, req.ID, rightAnswers(t, db, req.ID))
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
		if out.Impact.PointsConverted != fanclub.MaxPoints {
			t.Fatalf("converted %d, want the bound %d", out.Impact.PointsConverted, fanclub.MaxPoints)
		}
	}
	fv, err := e.FanView(ctx, fan)
	if err != nil || fv.GeneralPoints != fanclub.MaxPoints {
		t.Fatalf("fan view after two exits: %v %+v, want general points at the bound", err, fv)
	}
	// The service reporting the largest gifts never passes the bound either.
	if _, err := e.Join(ctx, fan, club); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		reportGift(t, e, fan, club, fanclub.MaxGiftCoins)
	}
	if v, err := e.Membership(ctx, fan, club); err != nil || v.LevelPoints > fanclub.MaxPoints || v.Level != 20 {
		t.Fatalf("after large gifts: %v %+v", err, v)
	}
}

func TestKeyedInteractionCountsOnce(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testKeyedInteractionCountsOnce)
}

func testKeyedInteractionCountsOnce(t *testing.T, open teststores.Open) {
	t.Parallel()
	e, _, _ := engineOn(t, open)
	ctx := context.Background()
	w := worldWithClubs(t, e, 2)
	club := w.clubs["fair"]
	for _, f := range w.fans {
		if _, err := e.Join(ctx, f, club); err != nil {
			t.Fatal(err)
		}
	}
	_, r1, err := e.InteractKeyed(ctx, w.fans[0], club, fanclub.ActionComment, 1, "retry-1")
	if err != nil || r1.Status != fanclub.EventAccepted || r1.Points != 5 {
		t.Fatalf("first: %v %+v", err, r1)
	}
	v, r2, err := e.InteractKeyed(ctx, w.fans[0], club, fanclub.ActionComment, 1, "retry-1")
	if err != nil || r2.Status != fanclub.EventDuplicate || r2.ID != r1.ID || v.LevelPoints != 5 {
		t.Fatalf("retry: %v %+v %+v, want a duplicate of %s", err, r2, v, r1.ID)
	}
	// Keys are the fan's own: another fan's same key is another event.
	_, r3, err := e.InteractKeyed(ctx, w.fans[1], club, fanclub.ActionComment, 1, "retry-1")
	if err != nil || r3.Status != fanclub.EventAccepted || r3.ID == r1.ID {
		t.Fatalf("other fan, same key: %v %+v", err, r3)
	}
}

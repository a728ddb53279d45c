package fanclub_test

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

func TestExitDataRules(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testExitDataRules)
}

// testExitDataRules runs, per preset, a fan who logs in from a device,
// reports a like from another and a share, follows the creator and exits;
// it checks the devices, the follow and the receipts at exit and after
// the retention (the behaviour log's with what it deleted and kept: the
// like, an interaction record, stays under kuaishou), and that a later
// login refreshes only refreshed devices.
func testExitDataRules(t *testing.T, open teststores.Open) {
	tests := []struct {
		preset    string
		choices   map[string]string
		devices   int  // device records right after the exit's jobs
		following bool // after the exit
		refreshed bool // a later login moves last seen
		receipts  []fanclub.DataCategory
		events    [2]int // stored events after the exit's jobs, and 181 days later
		// log is the behaviour log's receipt 181 days later: deleted and
		// kept (nil: none).
		log *[2]int64
	}{
		{"wechat-channels", nil, 0, false, false, []fanclub.DataCategory{fanclub.DataDeviceIDs, fanclub.DataFollow}, [2]int{2, 0}, &[2]int64{2, 0}},
		{"douyin", nil, 2, true, false, nil, [2]int{2, 2}, nil},
		{"kuaishou", nil, 2, true, true, nil, [2]int{2, 1}, &[2]int64{1, 1}},
		{"fair", nil, 0, true, false, []fanclub.DataCategory{fanclub.DataDeviceIDs, fanclub.DataBehaviourLog}, [2]int{0, 0}, &[2]int64{2, 0}},
		{"fair", map[string]string{fanclub.ChoiceFollow: fanclub.ChoiceUnfollow}, 0, false, false,
			[]fanclub.DataCategory{fanclub.DataDeviceIDs, fanclub.DataFollow, fanclub.DataBehaviourLog}, [2]int{0, 0}, &[2]int64{2, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.preset, func(t *testing.T) {
			ctx := context.Background()
			e, clk, db := engineOn(t, open)
			fan, club := memberOf(t, e, tc.preset)
			c, err := e.FindClub(ctx, club)
			mustOK(t, "find club", err)
			_, _, err = e.LoginFanDevice(ctx, "fan_a", "password1", "", "phone-1")
			mustOK(t, "login", err)
			res, err := e.Ingest(ctx, fanclub.Batch{Events: []fanclub.EventInput{
				{ID: "ev-1", FanID: fan, ClubID: club, Action: fanclub.ActionLike, DeviceID: "tablet-2"},
				{ID: "ev-2", FanID: fan, ClubID: club, Action: fanclub.ActionShare}}})
			mustOK(t, "ingest", err)
			if res.Accepted != 2 {
				t.Fatalf("ingest: %+v", res)
			}
			_, err = e.Follow(ctx, fan, c.CreatorID)
			mustOK(t, "follow", err)
			if d := personalData(t, e, fan, club); len(d.Devices) != 2 || !d.Following || d.Events != 2 {
				t.Fatalf("before exit: %+v", d)
			}
			clk.Advance(time.Minute)
			req, err := e.RequestExit(ctx, fan, club, tc.choices)
			mustOK(t, "request exit", err)
			if req.Impact.Data == nil || len(req.Impact.Data.Steps) != 3 {
				t.Fatalf("exit preview data: %+v", req.Impact.Data)
			}
			_, err = e.ConfirmExit(ctx, fan, req.ID, rightAnswers(t, db, req.ID))
			mustOK(t, "confirm exit", err)
			runJobs(t, e)
			d := personalData(t, e, fan, club)
			if len(d.Devices) != tc.devices || d.Following != tc.following || d.Events != tc.events[0] {
				t.Fatalf("after exit: %d devices, following %v, %d events; want %d, %v, %d", len(d.Devices), d.Following, d.Events, tc.devices, tc.following, tc.events[0])
			}
			var cats []fanclub.DataCategory
			for _, r := range d.Receipts {
				cats = append(cats, r.Category)
				if r.Count != 0 && r.Category == fanclub.DataDeviceIDs && r.Count != 2 {
					t.Errorf("device receipt count %d, want 2", r.Count)
				}
			}
			wantCategories(t, cats, tc.receipts)
			clk.Advance(24 * time.Hour)
			_, _, err = e.LoginFanDevice(ctx, "fan_a", "password1", "", "phone-1")
			mustOK(t, "login after exit", err)
			d = personalData(t, e, fan, club)
			moved := false
			for _, dv := range d.Devices {
				moved = moved || dv.LastSeen.Equal(clk.Now())
			}
			if moved != tc.refreshed {
				t.Fatalf("a later login moved last seen: %v, want %v (%+v)", moved, tc.refreshed, d.Devices)
			}
			clk.Advance(181 * 24 * time.Hour)
			runJobs(t, e)
			if d = personalData(t, e, fan, club); d.Events != tc.events[1] {
				t.Fatalf("181 days later: %d events, want %d", d.Events, tc.events[1])
			}
			var log *[2]int64
			for _, r := range d.Receipts {
				if r.Category == fanclub.DataBehaviourLog {
					log = &[2]int64{r.Count, r.Kept}
				}
			}
			if (log == nil) != (tc.log == nil) || (log != nil && *log != *tc.log) {
				t.Fatalf("181 days later: behaviour log receipt (deleted, kept) %v, want %v", log, tc.log)
			}
		})
	}
}

func TestExitFollowChoiceValidated(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		ctx := context.Background()
		e, _, _ := engineOn(t, open)
		w := worldWithClubs(t, e, 1)
		for _, tc := range []struct{ preset, choice string }{{"wechat-channels", fanclub.ChoiceUnfollow}, {"fair", "block"}} {
			_, err := e.Join(ctx, w.fans[0], w.clubs[tc.preset])
			mustOK(t, "join", err)
			_, err = e.RequestExit(ctx, w.fans[0], w.clubs[tc.preset], map[string]string{fanclub.ChoiceFollow: tc.choice})
			wantFieldError(t, err, "choices.follow")
		}
	})
}

func TestEraseAccount(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testEraseAccount)
}

// testEraseAccount previews and confirms an account erasure of a member of
// fair (legal hold) and douyin: the preview changes nothing; the erasure
// exits both memberships, erases the account, holds the transaction
// records for fair's 1096 days and anonymises them when the hold ends.
func testEraseAccount(t *testing.T, open teststores.Open) {
	ctx := context.Background()
	e, clk, _ := engineOn(t, open)
	w := worldWithClubs(t, e, 1)
	fan := w.fans[0]
	for _, p := range []string{"fair", "douyin"} {
		_, err := e.Join(ctx, fan, w.clubs[p])
		mustOK(t, "join", err)
	}
	c, err := e.FindClub(ctx, w.clubs["fair"])
	mustOK(t, "find club", err)
	_, err = e.Follow(ctx, fan, c.CreatorID)
	mustOK(t, "follow", err)
	preview, err := e.EraseAccount(ctx, fan, fanclub.ErasureRequest{})
	mustOK(t, "preview", err)
	if preview.Confirmed || len(preview.Exits) != 2 {
		t.Fatalf("preview: %+v", preview)
	}
	holdEnd := clk.Now().Add(1096 * 24 * time.Hour)
	if !preview.Transactions.At.Equal(holdEnd) || preview.Transactions.Basis != "E-Commerce Law Art. 31" {
		t.Fatalf("transactions: %+v", preview.Transactions)
	}
	if _, _, err := e.LoginFan(ctx, "fan_a", "password1", ""); err != nil {
		t.Fatalf("a preview erased the account: %v", err)
	}
	er, err := e.EraseAccount(ctx, fan, fanclub.ErasureRequest{Confirm: true})
	mustOK(t, "erase", err)
	if !er.Confirmed {
		t.Fatal("erasure not confirmed")
	}
	for _, p := range []string{"fair", "douyin"} {
		m, err := e.Membership(ctx, fan, w.clubs[p])
		mustOK(t, "membership", err)
		if m.Status != fanclub.StatusLeft || m.RetainedPoints != 0 {
			t.Fatalf("%s membership after erasure: %+v", p, m)
		}
	}
	if _, _, err := e.LoginFan(ctx, "fan_a", "password1", ""); fanclub.ErrorCode(err) != fanclub.EUNAUTHORIZED {
		t.Fatalf("login after erasure: %v", err)
	}
	d := personalData(t, e, fan, w.clubs["fair"])
	if d.Following {
		t.Fatal("the follow survived: fair's exit chose unfollow (one creator runs both clubs)")
	}
	wantReceipt(t, d.Receipts, fanclub.DataTransactionRecords, fanclub.DataHold)
	clk.Set(holdEnd.Add(time.Second))
	runJobs(t, e)
	rs, err := e.Receipts(ctx, fan)
	mustOK(t, "receipts", err)
	wantReceipt(t, rs, fanclub.DataTransactionRecords, fanclub.DataAnonymise)
	wantReceipt(t, rs, fanclub.DataAccount, fanclub.DataErase)
}

// personalData reads a fan's personal data in a club.
func personalData(t *testing.T, e *fanclub.Engine, fan, club int64) *fanclub.PersonalData {
	t.Helper()
	d, err := e.PersonalDataIn(context.Background(), fan, club)
	mustOK(t, "personal data", err)
	return d
}

// runJobs runs every job due at the engine clock's time.
func runJobs(t *testing.T, e *fanclub.Engine) {
	t.Helper()
	if _, err := e.RunDueJobs(context.Background()); err != nil {
		t.Fatalf("run jobs: %v", err)
	}
}

// mustOK fails the test on err.
func mustOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantFieldError checks err is EINVALID naming path.
func wantFieldError(t *testing.T, err error, path string) {
	t.Helper()
	for _, f := range fanclub.ErrorFields(err) {
		if f.Path == path {
			return
		}
	}
	t.Fatalf("want an invalid %s, got %v", path, err)
}

// wantCategories compares receipt categories in order.
func wantCategories(t *testing.T, got, want []fanclub.DataCategory) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("receipts %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("receipts %v, want %v", got, want)
		}
	}
}

// wantReceipt checks a receipt of category and action is among rs.
func wantReceipt(t *testing.T, rs []fanclub.DeletionReceipt, c fanclub.DataCategory, action string) {
	t.Helper()
	for _, r := range rs {
		if r.Category == c && r.Action == action {
			return
		}
	}
	t.Fatalf("no %s %s receipt among %+v", action, c, rs)
}

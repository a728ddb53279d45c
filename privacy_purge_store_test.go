package fanclub_test

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

func TestLogPurgeDeletesEventsDatedAhead(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testLogPurgeDeletesEventsDatedAhead)
}

// testLogPurgeDeletesEventsDatedAhead has a fan report an event dated four
// minutes ahead (within the accepted skew) and exit a minute later: the
// behaviour-log purge deletes it with the rest of the tenure's events.
func testLogPurgeDeletesEventsDatedAhead(t *testing.T, open teststores.Open) {
	for _, preset := range []string{"fair", "wechat-channels"} {
		t.Run(preset, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e, clk, db := engineOn(t, open)
			fan, club := memberOf(t, e, preset)
			ahead := clk.Now().Add(4 * time.Minute)
			res, err := e.Ingest(ctx, fanclub.Batch{Events: []fanclub.EventInput{
				{ID: "now-1", FanID: fan, ClubID: club, Action: fanclub.ActionLike},
				{ID: "ahead-1", FanID: fan, ClubID: club, Action: fanclub.ActionComment, At: &ahead}}})
			mustOK(t, "ingest", err)
			if res.Accepted != 2 {
				t.Fatalf("ingest: %+v", res.Results)
			}
			clk.Advance(time.Minute)
			exitClub(t, e, db, fan, club, nil)
			clk.Advance(200 * 24 * time.Hour)
			runJobs(t, e)
			d := personalData(t, e, fan, club)
			if d.Events != 0 {
				t.Fatalf("%d events outlived the purge, want 0", d.Events)
			}
			if r := logReceipt(d.Receipts); r == nil || r.Count != 2 {
				t.Fatalf("behaviour-log receipt %+v, want 2 events deleted", r)
			}
		})
	}
}

// exitClub requests and confirms an exit with the right answers.
func exitClub(t testingT, e *fanclub.Engine, db fanclub.Store, fan, club int64, choices map[string]string) {
	t.Helper()
	ctx := context.Background()
	req, err := e.RequestExit(ctx, fan, club, choices)
	if err != nil {
		t.Fatalf("request exit: %v", err)
	}
	if _, err := e.ConfirmExit(ctx, fan, req.ID, rightAnswers(t, db, req.ID)); err != nil {
		t.Fatalf("confirm exit: %v", err)
	}
}

// logReceipt returns the last behaviour-log receipt among rs, nil if none.
func logReceipt(rs []fanclub.DeletionReceipt) *fanclub.DeletionReceipt {
	var out *fanclub.DeletionReceipt
	for i := range rs {
		if rs[i].Category == fanclub.DataBehaviourLog {
			out = &rs[i]
		}
	}
	return out
}

func TestRejoinWithoutRestoreStillPurgesLog(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testRejoinWithoutRestoreStillPurgesLog)
}

// testRejoinWithoutRestoreStillPurgesLog has a fan exit a club whose
// rejoin restores nothing and come back: fair's erase (logs erased at
// exit; the fan rejoins before the purge job runs) and wechat-channels
// (progress zeroed, logs kept 180 days; the fan rejoins after the 72 h
// cooldown). The purge still deletes the ended tenure's events, and only
// those: the event of the new tenure, dated within the skew of the exit
// under fair, stays.
func testRejoinWithoutRestoreStillPurgesLog(t *testing.T, open teststores.Open) {
	tests := []struct {
		preset string
		rejoin time.Duration // after the exit
		purge  time.Duration // after the exit: the log purge has run
	}{
		{"fair", time.Minute, 0},
		{"wechat-channels", 73 * time.Hour, 181 * 24 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.preset, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e, clk, db := engineOn(t, open)
			fan, club := memberOf(t, e, tc.preset)
			ingestLikeAndShare(t, e, fan, club, "old-")
			clk.Advance(time.Minute)
			exitClub(t, e, db, fan, club, nil)
			exitAt := clk.Now()
			clk.Advance(tc.rejoin)
			_, err := e.Join(ctx, fan, club)
			mustOK(t, "rejoin", err)
			res, err := e.Ingest(ctx, fanclub.Batch{Events: []fanclub.EventInput{{ID: "new-1", FanID: fan, ClubID: club, Action: fanclub.ActionShare}}})
			mustOK(t, "ingest after rejoin", err)
			if res.Accepted != 1 {
				t.Fatalf("ingest after rejoin: %+v", res.Results)
			}
			clk.Set(exitAt.Add(tc.purge))
			runJobs(t, e)
			d := personalData(t, e, fan, club)
			if d.Events != 1 {
				t.Fatalf("%d events stored after the purge, want the new tenure's 1", d.Events)
			}
			if r := logReceipt(d.Receipts); r == nil || r.Count != 2 {
				t.Fatalf("behaviour-log receipt %+v, want the ended tenure's 2 events deleted", r)
			}
		})
	}
}

func TestRestoringRejoinKeepsLog(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testRestoringRejoinKeepsLog)
}

// testRestoringRejoinKeepsLog has a fan exit with progress kept (fair's
// keep, 30 days; kuaishou's level kept for ever) and rejoin 10 days later,
// which restores it: the tenure goes on, and its log and devices with it,
// past the time the exit's purges were due.
func testRestoringRejoinKeepsLog(t *testing.T, open teststores.Open) {
	tests := []struct {
		preset  string
		choices map[string]string
		devices int // device records kept through the exit
	}{
		{"fair", map[string]string{"progress": "keep"}, 1},
		{"kuaishou", nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.preset, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e, clk, db := engineOn(t, open)
			fan, club := memberOf(t, e, tc.preset)
			ingestLikeAndShare(t, e, fan, club, "")
			clk.Advance(time.Minute)
			exitClub(t, e, db, fan, club, tc.choices)
			runJobs(t, e)
			clk.Advance(10 * 24 * time.Hour)
			_, err := e.Join(ctx, fan, club)
			mustOK(t, "rejoin", err)
			clk.Advance(200 * 24 * time.Hour)
			runJobs(t, e)
			d := personalData(t, e, fan, club)
			if d.Events != 2 || len(d.Devices) != tc.devices {
				t.Fatalf("after a restoring rejoin: %d events, %d devices; want 2, %d", d.Events, len(d.Devices), tc.devices)
			}
			if r := logReceipt(d.Receipts); r != nil {
				t.Fatalf("the log was purged after a restoring rejoin: %+v", r)
			}
		})
	}
}

func TestLateRejoinErasesWaitingDevicesFirst(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testLateRejoinErasesWaitingDevicesFirst)
}

// testLateRejoinErasesWaitingDevicesFirst has a fan exit fair keeping
// progress (devices and log erased with it, 30 days later) and rejoin
// after the 30 days, before the purge jobs ran: the rejoin restores
// nothing, erases the old tenure's device at once, and the device the new
// tenure records stays; the log purge deletes only the old tenure's events.
func testLateRejoinErasesWaitingDevicesFirst(t *testing.T, open teststores.Open) {
	ctx := context.Background()
	e, clk, db := engineOn(t, open)
	fan, club := memberOf(t, e, "fair")
	ingestLikeAndShare(t, e, fan, club, "")
	clk.Advance(time.Minute)
	exitClub(t, e, db, fan, club, map[string]string{"progress": "keep"})
	clk.Advance(31 * 24 * time.Hour)
	_, err := e.Join(ctx, fan, club)
	mustOK(t, "rejoin", err)
	d := personalData(t, e, fan, club)
	if len(d.Devices) != 0 {
		t.Fatalf("devices after a rejoin past the kept progress: %+v", d.Devices)
	}
	wantReceipt(t, d.Receipts, fanclub.DataDeviceIDs, fanclub.DataErase)
	_, _, err = e.LoginFanDevice(ctx, "fan_a", "password1", "", "phone-9")
	mustOK(t, "login", err)
	runJobs(t, e)
	d = personalData(t, e, fan, club)
	if len(d.Devices) != 1 || d.Devices[0].DeviceID != "phone-9" || d.Events != 0 {
		t.Fatalf("after the jobs: devices %+v, %d events; want the new tenure's phone-9 and no old event", d.Devices, d.Events)
	}
}

// ingestLikeAndShare reports a like from device tablet-2 and a share of
// fan in club, with ids prefixed by p.
func ingestLikeAndShare(t testingT, e *fanclub.Engine, fan, club int64, p string) {
	t.Helper()
	res, err := e.Ingest(context.Background(), fanclub.Batch{Events: []fanclub.EventInput{
		{ID: p + "ev-1", FanID: fan, ClubID: club, Action: fanclub.ActionLike, DeviceID: "tablet-2"},
		{ID: p + "ev-2", FanID: fan, ClubID: club, Action: fanclub.ActionShare}}})
	if err != nil || res.Accepted != 2 {
		t.Fatalf("ingest: %+v, %v", res, err)
	}
}

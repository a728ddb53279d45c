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

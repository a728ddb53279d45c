package fanclub_test

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

// FuzzIngest feeds arbitrary events to Ingest: a batch is either rejected
// whole as invalid or every event gets exactly one result, and nothing is
// ever an internal error.
func FuzzIngest(f *testing.F) {
	// A fuzz target has no subtests, and fuzzing wants speed: SQLite.
	e, clock, _ := engineOn(f, teststores.SQLite.Open)
	w := worldWithClubs(f, e, 1)
	ctx := context.Background()
	if _, err := e.Join(ctx, w.fans[0], w.clubs["fair"]); err != nil {
		f.Fatal(err)
	}
	f.Add("e1", int64(1), int64(4), "like", int64(3), int64(0), "e1")
	f.Add("", int64(0), int64(-1), "dance", int64(-2), int64(3600), "x")
	f.Add("e2", int64(1), int64(2), "gift", int64(1<<40), int64(-86400), "e3")
	f.Fuzz(func(t *testing.T, id string, fan, club int64, action string, amount, offset int64, id2 string) {
		at := clock.Now().Add(time.Duration(offset) * time.Second)
		b := fanclub.Batch{Events: []fanclub.EventInput{
			{ID: id, FanID: fan, ClubID: club, Action: fanclub.Action(action), Amount: amount, At: &at},
			{ID: id2, FanID: fan, ClubID: club, Action: fanclub.Action(action), Amount: amount},
		}}
		res, err := e.Ingest(ctx, b)
		if err != nil {
			if code := fanclub.ErrorCode(err); code != fanclub.EINVALID || len(fanclub.ErrorFields(err)) == 0 {
				t.Fatalf("ingest error %v", err)
			}
			return
		}
		if len(res.Results) != 2 || res.Accepted+res.Duplicates+res.Rejected != 2 {
			t.Fatalf("result %+v", res)
		}
		for _, r := range res.Results {
			if r.Points < 0 || (r.Status != fanclub.EventAccepted && r.Points != 0) {
				t.Fatalf("event result %+v", r)
			}
		}
	})
}

package fanclub_test

import (
	"context"
	"fmt"
	"sync/atomic"

	"fanclub"
)

// giftSeq numbers the gift events tests report.
var giftSeq atomic.Int64

// reportGift has the platform's service report a paid gift of coins
// through the batch ingest (the one way a gift earns level points) and
// returns the event's result.
func reportGift(t testingT, e *fanclub.Engine, fan, club, coins int64) fanclub.EventResult {
	t.Helper()
	id := fmt.Sprintf("gift-%d", giftSeq.Add(1))
	res, err := e.Ingest(context.Background(), fanclub.Batch{Events: []fanclub.EventInput{
		{ID: id, FanID: fan, ClubID: club, Action: fanclub.ActionGift, Amount: coins},
	}})
	if err != nil {
		t.Fatalf("report gift: %v", err)
	}
	if r := res.Results[0]; r.Status != fanclub.EventAccepted {
		t.Fatalf("reported gift %s: %+v", id, r)
	}
	return res.Results[0]
}

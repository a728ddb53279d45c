package simulate

import (
	"context"
	"testing"
	"time"

	"fanclub"
)

func TestCheckOutcomeFailsWhenTheExitDiffersFromThePreview(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	preview := fanclub.ExitImpact{At: at, Option: "erase", LevelBefore: 2, LevelPointsBefore: 160, PointsLost: 160, RejoinFrom: at}
	done := preview
	done.PointsLost = 100
	r := &runner{out: clock{loc: time.UTC}, names: map[int64]string{}}
	err := r.checkOutcome(context.Background(), &fanclub.ExitRequest{Impact: preview}, &fanclub.ExitOutcome{Impact: done}, 0)
	if fanclub.ErrorCode(err) != fanclub.EINTERNAL {
		t.Fatalf("checkOutcome = %v, want an internal error", err)
	}
}

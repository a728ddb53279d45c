package fanclub

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestWaitBackoffEndedContextWins checks that a context which has ended
// stops the retries even when the wait is so short that its timer fires
// at the same time: select alone would pick either case.
func TestWaitBackoffEndedContextWins(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 10000 {
		if err := waitBackoff(ctx, time.Nanosecond); !errors.Is(err, context.Canceled) {
			t.Fatalf("waitBackoff(canceled, 1ns) = %v, want context.Canceled", err)
		}
	}
	if err := waitBackoff(context.Background(), time.Nanosecond); err != nil {
		t.Fatalf("waitBackoff(live, 1ns) = %v, want nil", err)
	}
}

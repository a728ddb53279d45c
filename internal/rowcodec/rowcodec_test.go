package rowcodec

import (
	"testing"
	"time"
)

func TestNanosRoundTrip(t *testing.T) {
	t.Parallel()
	for _, in := range []time.Time{{}, time.Date(2026, 12, 3, 1, 2, 3, 456789, time.UTC), time.Unix(0, 1)} {
		if got := FromNanos(Nanos(in)); !got.Equal(in) || got.IsZero() != in.IsZero() {
			t.Errorf("FromNanos(Nanos(%v)) = %v", in, got)
		}
	}
}

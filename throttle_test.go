package fanclub

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// TestThrottleKeysAreBounded checks that what a client sends cannot make
// a throttle key long: 100 000 keys of a megabyte each would be 100 GB.
func TestThrottleKeysAreBounded(t *testing.T) {
	t.Parallel()
	th := newPasswordThrottle(ThrottleConfig{}, time.Now)
	huge := strings.Repeat("x", 1<<20)
	for _, tc := range []struct{ handle, client string }{
		{huge, ""},
		{"fan_a", huge},
		{"Fan_A" + huge, "2001:db8::1%" + huge},
		{"", "[::1]:80"},
	} {
		for _, k := range th.loginKeys(tc.handle, tc.client) {
			if len(k.name) > 80 {
				t.Errorf("login %.10q from %.20q: a key of %d bytes", tc.handle, tc.client, len(k.name))
			}
		}
	}
	if ks := th.loginKeys("no such handle!", ""); len(ks) != 0 {
		t.Errorf("a handle no fan can have is counted under %v; want only the address", ks)
	}
}

// TestThrottleDelayNeverOverflows doubles a lock near the largest
// duration: it must stay at Max, not wrap around to no lock at all.
func TestThrottleDelayNeverOverflows(t *testing.T) {
	t.Parallel()
	th := newPasswordThrottle(ThrottleConfig{Free: 1, Base: 1 << 61, Max: math.MaxInt64}, time.Now)
	for failures := 1; failures <= 70; failures++ {
		if d := th.delay(failures, 1); d < th.cfg.Base || d > th.cfg.Max {
			t.Fatalf("delay after %d failures = %v, want from Base to Max", failures, d)
		}
	}
}

// TestThrottleTableFullOfLocksStaysBounded locks more keys than the table
// holds: it never grows past MaxKeys.
func TestThrottleTableFullOfLocksStaysBounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	th := newPasswordThrottle(ThrottleConfig{Free: 1, MaxKeys: 64, Base: time.Hour}, func() time.Time { return now })
	for i := range 1000 {
		k := th.handleKey(fmt.Sprintf("fan_%d", i))
		for range 2 { // the second failure locks the key
			_ = th.begin(k)
		}
		if n := len(th.keys); n > 64 {
			t.Fatalf("after %d locked handles the table holds %d keys, more than MaxKeys 64", i+1, n)
		}
	}
	locked := 0
	for _, e := range th.keys {
		if e.until.After(now) {
			locked++
		}
	}
	if locked == 0 {
		t.Fatal("no lock left: the table forgot every key instead of making room")
	}
}

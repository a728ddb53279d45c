package httpbench

import (
	"context"
	"testing"
	"time"
)

// TestRunServesBothTargets runs a tiny load and checks that both targets
// answered 200s and the ratio is computed from them (no speed is asserted).
func TestRunServesBothTargets(t *testing.T) {
	t.Parallel()
	c := DefaultConfig()
	c.Conns, c.Duration, c.Fans, c.Dir = 4, 300*time.Millisecond, 3, t.TempDir()
	res, err := Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]Stats{"hello": res.Hello, "membership": res.Membership} {
		if s.Requests == 0 || s.Errors != 0 || s.P50 <= 0 || s.P99 < s.P50 {
			t.Errorf("%s: %+v", name, s)
		}
	}
	if want := res.Membership.RPS / res.Hello.RPS; res.Ratio != want {
		t.Errorf("ratio %v, want %v", res.Ratio, want)
	}
}

package main

import (
	"io"
	"testing"
)

func TestServePaymentsFlag(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
		ok   bool
	}{
		{nil, "sandbox", true},
		{[]string{"--payments", "sandbox"}, "sandbox", true},
		{[]string{"--payments", "stripe"}, "", false},
		{[]string{"--payments", ""}, "", false},
	} {
		c, err := parseServe(tc.args, io.Discard, io.Discard)
		if (err == nil) != tc.ok || (tc.ok && c.payments != tc.want) {
			t.Errorf("parseServe(%q) = %q, %v; want %q (ok %v)", tc.args, c.payments, err, tc.want, tc.ok)
		}
	}
}

// TestServeRunsTheSandbox checks that serve's default provider is the
// sandbox: its admin routes answer.
func TestServeRunsTheSandbox(t *testing.T) {
	t.Parallel()
	for _, tc := range storeDSNs {
		t.Run(tc.store, func(t *testing.T) {
			t.Parallel()
			d := startServeDemo(t, tc.dsn(t))
			defer d.stop()
			var rules struct{ Fans, Amounts []int64 }
			if got := d.get(t, "/v1/admin/sandbox/declines", d.admin, &rules); got != 200 || rules.Fans == nil || rules.Amounts == nil {
				t.Fatalf("GET /v1/admin/sandbox/declines = %d %+v, want 200 and empty lists", got, rules)
			}
		})
	}
}

func TestServeGiftWritersFlag(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want int
		ok   bool
	}{
		{nil, 0, true},
		{[]string{"--gift-writers", "3"}, 3, true},
		{[]string{"--gift-writers", "-1"}, 0, false},
		{[]string{"--gift-writers", "65"}, 0, false},
		{[]string{"--gift-writers", "two"}, 0, false},
	} {
		c, err := parseServe(tc.args, io.Discard, io.Discard)
		if (err == nil) != tc.ok || (tc.ok && c.giftWriters != tc.want) {
			t.Errorf("parseServe(%q) = %d, %v; want %d (ok %v)", tc.args, c.giftWriters, err, tc.want, tc.ok)
		}
	}
}

package sandbox_test

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/internal/teststores"
	"fanclub/verify"
	"fanclub/verify/sandbox"
)

// TestVerifier checks the sandbox verifier on each store: every check
// passes until a fan's checks are set to fail; a failure rule is per fan
// and per kind; a check retried under its key returns its first answer
// whatever the rules say since; bad requests are invalid.
func TestVerifier(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		ctx := context.Background()
		v := sandbox.New(open(t, clock.NewManual(time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)).Now))
		face := func(key string, fan int64) *verify.Result {
			t.Helper()
			r, err := v.VerifyFace(ctx, verify.FaceRequest{Key: key, FanID: fan, Purpose: "coins"})
			if err != nil {
				t.Fatalf("face %s: %v", key, err)
			}
			return r
		}
		age := func(key string, fan int64) *verify.Result {
			t.Helper()
			r, err := v.VerifyAge(ctx, verify.AgeRequest{Key: key, FanID: fan, Method: verify.MethodIdentity, BirthDate: "2011-01-01"})
			if err != nil {
				t.Fatalf("age %s: %v", key, err)
			}
			return r
		}
		first := face("f1", 7)
		if !first.Passed || first.Ref == "" || first.Reason != "" {
			t.Fatalf("default: %+v", first)
		}
		if err := v.FailFace(ctx, 7, true); err != nil {
			t.Fatal(err)
		}
		if r := face("f2", 7); r.Passed || r.Reason == "" || r.Ref == first.Ref {
			t.Fatalf("failing: %+v", r)
		}
		if r := face("f1", 7); *r != *first {
			t.Fatalf("a retried check returns its first answer: %+v, first %+v", r, first)
		}
		if r := face("f3", 8); !r.Passed {
			t.Fatalf("another fan's checks pass: %+v", r)
		}
		if r := age("a1", 7); !r.Passed {
			t.Fatalf("a face rule does not fail age checks: %+v", r)
		}
		if err := v.FailAge(ctx, 7, true); err != nil {
			t.Fatal(err)
		}
		if r := age("a2", 7); r.Passed {
			t.Fatalf("failing age: %+v", r)
		}
		if err := v.FailFace(ctx, 7, false); err != nil {
			t.Fatal(err)
		}
		if r := face("f4", 7); !r.Passed {
			t.Fatalf("rule off: %+v", r)
		}
		if _, err := v.VerifyFace(ctx, verify.FaceRequest{FanID: 7}); fanclub.ErrorCode(err) != fanclub.EINVALID {
			t.Fatalf("no key: %v", err)
		}
		if err := v.FailAge(ctx, 0, true); fanclub.ErrorCode(err) != fanclub.EINVALID {
			t.Fatalf("no fan: %v", err)
		}
	})
}

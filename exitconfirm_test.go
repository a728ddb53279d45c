package fanclub

import (
	"strings"
	"testing"
	"time"
)

func TestAttemptsLeftSpelling(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{3: "3 attempts left", 2: "2 attempts left", 1: "1 attempt left", 0: "no attempts left"} {
		if got := attemptsLeft(n); !strings.HasPrefix(got, want) {
			t.Errorf("attemptsLeft(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestClosedRequestSaysWhy(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		req  ExitRequest
		code string
		says string
	}{
		{"confirmed", ExitRequest{ID: "r", Status: ExitConfirmed, ExpiresAt: now.Add(time.Hour)}, ECONFLICT, "already confirmed"},
		{"exhausted", ExitRequest{ID: "r", Status: ExitVoid, Attempts: 3, MaxAttempts: 3, ExpiresAt: now.Add(time.Hour)}, ECONFLICT, "all 3 of its attempts"},
		{"exhausted and expired", ExitRequest{ID: "r", Status: ExitVoid, Attempts: 3, MaxAttempts: 3, ExpiresAt: now.Add(-time.Hour)}, ECONFLICT, "attempts"},
		{"expired", ExitRequest{ID: "r", Status: ExitVoid, Attempts: 1, MaxAttempts: 3, ExpiresAt: now.Add(-time.Hour)}, EEXPIRED, "expired at"},
		{"stale preview", ExitRequest{ID: "r", Status: ExitVoid, MaxAttempts: 3, ExpiresAt: now.Add(time.Hour)}, ECONFLICT, "membership changed"},
	} {
		err := closedRequestError(&tc.req, now)
		if ErrorCode(err) != tc.code || !strings.Contains(ErrorMessage(err), tc.says) {
			t.Errorf("%s: %v, want %s saying %q", tc.name, err, tc.code, tc.says)
		}
		if exhausted(err) != strings.HasPrefix(tc.name, "exhausted") {
			t.Errorf("%s: exhausted(err) = %v", tc.name, exhausted(err))
		}
	}
}

func TestEmptyAnswersAreRefused(t *testing.T) {
	t.Parallel()
	if ErrorCode(emptyAnswers(ExitAnswers{})) != EINVALID {
		t.Fatal("empty answers accepted")
	}
	zero := 0
	for _, a := range []ExitAnswers{{Confirm: true}, {Password: "x"}, {Captcha: "1"}, {Slider: &zero}} {
		if err := emptyAnswers(a); err != nil {
			t.Errorf("%+v refused: %v", a, err)
		}
	}
}

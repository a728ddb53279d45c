// Package rowcodec holds the column encodings both stores share: times as
// Unix nanoseconds, and an exit request's row with its JSON columns. The
// stores keep their own SQL; what a column holds is decided here once.
package rowcodec

import (
	"encoding/json"
	"time"

	"fanclub"
)

// Nanos encodes a time as Unix nanoseconds; the zero time is 0.
func Nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FromNanos decodes Nanos, in UTC.
func FromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// ExitJSON is an exit request's JSON columns.
type ExitJSON struct{ Challenges, Choices, Impact string }

// EncodeExitJSON encodes an exit request's challenges, choices and impact.
func EncodeExitJSON(r *fanclub.ExitRequest) (ExitJSON, error) {
	var row ExitJSON
	for _, f := range []struct {
		dst *string
		v   any
	}{{&row.Challenges, r.Challenges}, {&row.Choices, r.Choices}, {&row.Impact, r.Impact}} {
		b, err := json.Marshal(f.v)
		if err != nil {
			return row, err
		}
		*f.dst = string(b)
	}
	return row, nil
}

// Scanner is a row: database/sql's and pgx's both are.
type Scanner interface{ Scan(dest ...any) error }

// ScanExitRequest reads an exit request row whose columns are, in order:
// id, fan_id, club_id, status, created_at, expires_at, challenges,
// choices, attempts, max_attempts, captcha_code, slider_target,
// slider_width, slider_tolerance, membership_version, impact.
func ScanExitRequest(s Scanner) (*fanclub.ExitRequest, error) {
	var r fanclub.ExitRequest
	var status, challenges, choices, impact string
	var created, expires int64
	err := s.Scan(&r.ID, &r.FanID, &r.ClubID, &status, &created, &expires,
		&challenges, &choices, &r.Attempts, &r.MaxAttempts, &r.CaptchaCode, &r.SliderTarget, &r.SliderWidth,
		&r.SliderTolerance, &r.MembershipVersion, &impact)
	if err != nil {
		return nil, err
	}
	r.Status, r.CreatedAt, r.ExpiresAt = fanclub.ExitRequestStatus(status), FromNanos(created), FromNanos(expires)
	for _, f := range []struct {
		src string
		dst any
	}{{challenges, &r.Challenges}, {choices, &r.Choices}, {impact, &r.Impact}} {
		if err := json.Unmarshal([]byte(f.src), f.dst); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

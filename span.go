package fanclub

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Span is a length of time in a policy. It is one of:
//   - an exact duration: "0", "90s", "30m", "72h", "7d" (d is 24 hours);
//   - a count of calendar days in the policy's time zone: "3 calendar days",
//     which ends at 00:00 of the fourth day after the day it starts on;
//   - "forever", which never ends.
//
// The zero Span is an exact duration of zero.
type Span struct {
	// Exact is the duration when the span is exact.
	Exact time.Duration
	// CalendarDays is the number of whole calendar days after the start day.
	CalendarDays int
	// Forever is true for a span that never ends.
	Forever bool
}

// Hours returns an exact span of n hours.
func Hours(n int) Span { return Span{Exact: time.Duration(n) * time.Hour} }

// Days returns an exact span of n 24-hour days.
func Days(n int) Span { return Span{Exact: time.Duration(n) * 24 * time.Hour} }

// CalendarDays returns a span of n calendar days.
func CalendarDays(n int) Span { return Span{CalendarDays: n} }

// Forever returns the span that never ends.
func Forever() Span { return Span{Forever: true} }

// IsZero reports whether the span has no length.
func (s Span) IsZero() bool { return !s.Forever && s.CalendarDays == 0 && s.Exact == 0 }

// IsCalendar reports whether the span counts calendar days.
func (s Span) IsCalendar() bool { return s.CalendarDays > 0 }

// End returns when a span starting at start ends, with calendar days counted
// in loc. For a Forever span it returns the zero time and false.
func (s Span) End(start time.Time, loc *time.Location) (time.Time, bool) {
	switch {
	case s.Forever:
		return time.Time{}, false
	case s.CalendarDays > 0:
		if loc == nil {
			loc = time.UTC
		}
		l := start.In(loc)
		return time.Date(l.Year(), l.Month(), l.Day()+s.CalendarDays+1, 0, 0, 0, 0, loc), true
	default:
		return start.Add(s.Exact), true
	}
}

// WholeDays returns the exact length in whole 24-hour days, and whether the
// span is an exact multiple of a day.
func (s Span) WholeDays() (int, bool) {
	if s.Forever || s.CalendarDays > 0 || s.Exact%(24*time.Hour) != 0 {
		return 0, false
	}
	return int(s.Exact / (24 * time.Hour)), true
}

// String renders the span in the form ParseSpan reads.
func (s Span) String() string {
	switch {
	case s.Forever:
		return "forever"
	case s.CalendarDays == 1:
		return "1 calendar day"
	case s.CalendarDays > 0:
		return fmt.Sprintf("%d calendar days", s.CalendarDays)
	case s.Exact == 0:
		return "0"
	}
	if d, ok := s.WholeDays(); ok {
		return fmt.Sprintf("%dd", d)
	}
	if s.Exact%time.Hour == 0 {
		return fmt.Sprintf("%dh", s.Exact/time.Hour)
	}
	if s.Exact%time.Minute == 0 {
		return fmt.Sprintf("%dm", s.Exact/time.Minute)
	}
	return s.Exact.String()
}

// SpanSyntax describes the accepted forms of a Span, for error messages.
const SpanSyntax = `"0", a duration such as "90s", "30m", "72h" or "7d", "N calendar days", or "forever"`

// ParseSpan parses the text forms described on Span. Negative spans are
// rejected.
func ParseSpan(text string) (Span, error) {
	t := strings.TrimSpace(text)
	switch {
	case t == "":
		return Span{}, fmt.Errorf("empty span; allowed: %s", SpanSyntax)
	case t == "forever":
		return Forever(), nil
	case t == "0":
		return Span{}, nil
	case strings.HasSuffix(t, " calendar days") || strings.HasSuffix(t, " calendar day"):
		num := strings.TrimSuffix(strings.TrimSuffix(t, " calendar days"), " calendar day")
		n, err := strconv.Atoi(strings.TrimSpace(num))
		if err != nil || n <= 0 {
			return Span{}, fmt.Errorf("bad calendar day count %q; allowed: a positive whole number", num)
		}
		return CalendarDays(n), nil
	}
	d, err := ParseDuration(t)
	if err != nil {
		return Span{}, fmt.Errorf("bad span %q; allowed: %s", t, SpanSyntax)
	}
	if d < 0 {
		return Span{}, fmt.Errorf("negative span %q; allowed: zero or more", t)
	}
	return Span{Exact: d}, nil
}

// ParseDuration parses a Go duration that may also use "d" for 24-hour days,
// as in "1d2h" or "7d". It accepts a leading sign.
func ParseDuration(text string) (time.Duration, error) {
	t := strings.TrimSpace(text)
	sign := time.Duration(1)
	if strings.HasPrefix(t, "-") {
		sign, t = -1, t[1:]
	} else {
		t = strings.TrimPrefix(t, "+")
	}
	var days time.Duration
	if i := strings.IndexByte(t, 'd'); i >= 0 {
		n, err := strconv.Atoi(t[:i])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad day count in %q", text)
		}
		days = time.Duration(n) * 24 * time.Hour
		t = t[i+1:]
		if t == "" {
			return sign * days, nil
		}
	}
	d, err := time.ParseDuration(t)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q: %w", text, err)
	}
	if d < 0 {
		return 0, fmt.Errorf("bad duration %q: sign must come first", text)
	}
	return sign * (days + d), nil
}

// MarshalText implements encoding.TextMarshaler.
func (s Span) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Span) UnmarshalText(b []byte) error {
	v, err := ParseSpan(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

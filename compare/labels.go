package compare

import (
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fanclub"
)

// labelFiles holds the label catalogue, one JSON object per language
// mapping a label key to a template with {name} placeholders.
//
//go:embed labels/*.json
var labelFiles embed.FS

// Languages lists the languages Build accepts.
var Languages = []string{"zh", "en"}

// catalogue renders labels in one language. Missing keys are collected
// rather than panicking, so Build can report them as an internal error.
type catalogue struct {
	lang    string
	labels  map[string]string
	missing []string
	// policy names the policy being rendered, for invalid-value errors.
	policy  string
	invalid []fanclub.FieldError
}

// loadCatalogue reads the embedded catalogue of a language.
func loadCatalogue(lang string) (*catalogue, error) {
	data, err := labelFiles.ReadFile("labels/" + lang + ".json")
	if err != nil {
		return nil, fmt.Errorf("read %s labels: %w", lang, err)
	}
	var labels map[string]string
	if err := json.Unmarshal(data, &labels); err != nil {
		return nil, fmt.Errorf("decode %s labels: %w", lang, err)
	}
	return &catalogue{lang: lang, labels: labels}, nil
}

// t renders the label key with its placeholders filled from kv, a list of
// name/value pairs.
func (c *catalogue) t(key string, kv ...string) string {
	tmpl, ok := c.labels[key]
	if !ok {
		c.missing = append(c.missing, key)
		return key
	}
	if len(kv) == 0 {
		return tmpl
	}
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+kv[i]+"}", kv[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(tmpl)
}

// value renders an enumerated policy value through the label prefix+v,
// recording a field error when the catalogue has no label for it.
func (c *catalogue) value(field, prefix, v string) string {
	key := prefix + v
	if _, ok := c.labels[key]; !ok {
		c.invalid = append(c.invalid, fanclub.FieldError{Path: c.policy + ": " + field, Found: v,
			Message: "unknown value"})
		return v
	}
	return c.t(key)
}

// join joins clauses with the language's separator named by sepKey.
func (c *catalogue) join(sepKey string, parts []string) string {
	return strings.Join(parts, c.t(sepKey))
}

// cell finishes a cell: English cells start with a capital letter.
func (c *catalogue) cell(s string) string {
	if c.lang != "en" || s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// span renders a policy span. Exact spans of up to 72 hours, or not a
// whole number of days, are given in hours (or minutes, or seconds when
// not whole hours), as in 24小时 and 72小时; longer ones in days.
func (c *catalogue) span(s fanclub.Span) string {
	switch {
	case s.Forever:
		return c.t("span.forever")
	case s.CalendarDays > 0:
		return c.count("span.calendar_days", int64(s.CalendarDays))
	}
	if d, ok := s.WholeDays(); ok && d > 3 {
		return c.count("span.days", int64(d))
	}
	switch {
	case s.Exact%time.Hour == 0:
		return c.count("span.hours", int64(s.Exact/time.Hour))
	case s.Exact%time.Minute == 0:
		return c.count("span.minutes", int64(s.Exact/time.Minute))
	}
	return c.count("span.seconds", int64(s.Exact.Round(time.Second)/time.Second))
}

// count renders a counted unit, using the ".one" form for 1.
func (c *catalogue) count(key string, n int64) string {
	if n == 1 {
		key += ".one"
	}
	return c.t(key, "n", strconv.FormatInt(n, 10))
}

// pct renders a ratio (0..1) as a whole or decimal percentage without a sign.
func pct(ratio float64) string {
	return strconv.FormatFloat(math.Round(ratio*10000)/100, 'f', -1, 64)
}

package fanclub

import (
	"strings"
	"testing"
	"time"
)

// FuzzCheckAgeInput feeds the age route's input check: an accepted birth
// date parses, from 1900; an accepted method is one of AgeMethods; a
// refusal is EINVALID naming the fields.
func FuzzCheckAgeInput(f *testing.F) {
	f.Add("2011-01-01", "identity")
	f.Add("1899-12-31", "bank_card")
	f.Add("2011-02-30", "passport")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, birth, method string) {
		err := checkAgeInput(birth, AgeMethod(method))
		if err != nil {
			if ErrorCode(err) != EINVALID || len(ErrorFields(err)) == 0 {
				t.Fatalf("refusal without fields: %v", err)
			}
			return
		}
		a := FanAge{BirthDate: birth, Method: AgeMethod(method)}
		b, perr := a.Born()
		if perr != nil || b.Year() < 1900 {
			t.Fatalf("accepted %q: %v", birth, perr)
		}
		_ = a.AgeAt(time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), time.UTC)
	})
}

// FuzzCheckRefundInput feeds a guardian refund request's check: an
// accepted document's digest is 64 lowercase hex digits and its names fit;
// an accepted period is not empty.
func FuzzCheckRefundInput(f *testing.F) {
	f.Add("declaration.pdf", "Notary", strings.Repeat("ab", 32), int64(0), int64(3600), "key-1")
	f.Add("", "", "XYZ", int64(10), int64(5), "")
	f.Fuzz(func(t *testing.T, name, notary, digest string, since, until int64, key string) {
		s, u := time.Unix(since, 0), time.Unix(until, 0)
		in := GuardianRefundInput{Since: &s, Until: &u, Document: &RefundDocument{Name: name, Notary: notary, SHA256: digest}}
		err := checkRefundInput(in, key)
		if err != nil {
			if ErrorCode(err) != EINVALID || len(ErrorFields(err)) == 0 {
				t.Fatalf("refusal without fields: %v", err)
			}
			return
		}
		if !s.Before(u) || len(name) > 200 || len(notary) > 200 || (digest != "" && !sha256Hex.MatchString(digest)) || key == "" {
			t.Fatalf("accepted %+v %q", in, key)
		}
	})
}

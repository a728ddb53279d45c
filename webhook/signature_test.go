package webhook

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	t.Parallel()
	secret, body := []byte("s3cret"), []byte(`{"id":"charge_notice/sub/12/3"}`)
	at := time.Unix(1_790_000_000, 0)
	good := Sign(secret, at, body)
	if !strings.HasPrefix(good, "t=1790000000,v1=") || len(good) != len("t=1790000000,v1=")+64 {
		t.Fatalf("Sign = %q", good)
	}
	other := Sign([]byte("old"), at, body)
	tests := []struct {
		name   string
		secret []byte
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"valid", secret, good, body, at, nil},
		{"valid within tolerance", secret, good, body, at.Add(DefaultTolerance), nil},
		{"spaces and unknown keys", secret, " " + strings.ReplaceAll(good, ",", " , ") + ",v0=abc", body, at, nil},
		{"rotated secrets: one of two", secret, other + "," + strings.Split(good, ",")[1], body, at, nil},
		{"wrong secret", []byte("nope"), good, body, at, ErrSignature},
		{"tampered body", secret, good, []byte(`{"id":"x"}`), at, ErrSignature},
		{"too old", secret, good, body, at.Add(DefaultTolerance + time.Second), ErrTimestamp},
		{"from the future", secret, good, body, at.Add(-DefaultTolerance - time.Second), ErrTimestamp},
		{"empty", secret, "", body, at, ErrMalformed},
		{"no timestamp", secret, strings.Split(good, ",")[1], body, at, ErrMalformed},
		{"no signature", secret, "t=1790000000", body, at, ErrMalformed},
		{"two timestamps", secret, "t=1790000000," + good, body, at, ErrMalformed},
		{"bad hex", secret, "t=1790000000,v1=zz", body, at, ErrMalformed},
		{"short signature", secret, "t=1790000000,v1=abcd", body, at, ErrMalformed},
		{"negative time", secret, "t=-1,v1=" + strings.Repeat("00", 32), body, at, ErrMalformed},
		{"no equals", secret, "t1790000000", body, at, ErrMalformed},
		{"huge", secret, good + strings.Repeat(",x=y", 2000), body, at, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := Verify(tc.secret, tc.header, tc.body, tc.now, DefaultTolerance); !errors.Is(err, tc.want) {
				t.Errorf("Verify(%q) = %v, want %v", tc.header, err, tc.want)
			}
		})
	}
}

// FuzzVerify feeds the header parser arbitrary headers: it never panics,
// accepts only a header carrying the body's signature, and a header Sign
// made always verifies.
func FuzzVerify(f *testing.F) {
	secret := []byte("fuzz-secret")
	at := time.Unix(1_790_000_000, 0)
	f.Add(Sign(secret, at, []byte("{}")), []byte("{}"))
	f.Add("t=1790000000,v1=00", []byte("x"))
	f.Add("t=,v1=,=,,", []byte(""))
	f.Add("v1=ff,t=99999999999999999999", []byte("{}"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		if err := Verify(secret, header, body, at, DefaultTolerance); err == nil {
			want := strings.Split(Sign(secret, at, body), "v1=")[1]
			if !strings.Contains(strings.ToLower(header), want) {
				t.Fatalf("Verify accepted %q without the body's signature", header)
			}
		}
		if err := Verify(secret, Sign(secret, at, body), body, at, DefaultTolerance); err != nil {
			t.Fatalf("a signed body does not verify: %v", err)
		}
	})
}

package argon2id

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func newTestHasher() *Hasher { return New(TestParams) }

func TestHashVerifiesOnlyItsPassword(t *testing.T) {
	t.Parallel()
	h := newTestHasher()
	enc, err := h.Hash("correct horse")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("encoded = %q, want PHC argon2id prefix", enc)
	}
	for _, tc := range []struct {
		password string
		want     bool
	}{
		{"correct horse", true},
		{"correct horsE", false},
		{"", false},
		{"correct horse ", false},
	} {
		got, err := h.Verify(enc, tc.password)
		if err != nil {
			t.Fatalf("Verify(%q): %v", tc.password, err)
		}
		if got != tc.want {
			t.Errorf("Verify(%q) = %v, want %v", tc.password, got, tc.want)
		}
	}
}

func TestHashSaltsEachHash(t *testing.T) {
	t.Parallel()
	h := newTestHasher()
	a, _ := h.Hash("same password")
	b, _ := h.Hash("same password")
	if a == b {
		t.Fatalf("two hashes of one password are equal: %q", a)
	}
}

func TestVerifyUsesParamsFromTheHash(t *testing.T) {
	t.Parallel()
	old := New(Params{Memory: 128, Time: 2, Threads: 2, SaltLen: 8, KeyLen: 16})
	enc, err := old.Hash("pw-from-before")
	if err != nil {
		t.Fatal(err)
	}
	ok, err := newTestHasher().Verify(enc, "pw-from-before")
	if err != nil || !ok {
		t.Fatalf("Verify with other defaults = %v, %v; want true, nil", ok, err)
	}
	p, salt, key, err := Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	if p.Memory != 128 || p.Time != 2 || p.Threads != 2 || len(salt) != 8 || len(key) != 16 {
		t.Fatalf("Decode = %+v salt %d key %d", p, len(salt), len(key))
	}
}

func TestHashIsDeterministicForAGivenSalt(t *testing.T) {
	t.Parallel()
	salt := bytes.Repeat([]byte{7}, 16)
	a, _ := NewWithRandom(TestParams, bytes.NewReader(salt)).Hash("pw")
	b, _ := NewWithRandom(TestParams, bytes.NewReader(salt)).Hash("pw")
	if a != b {
		t.Fatalf("same salt, different hashes: %q %q", a, b)
	}
}

func TestVerifyRejectsMalformedHashes(t *testing.T) {
	t.Parallel()
	h := newTestHasher()
	good, _ := h.Hash("pw")
	parts := strings.Split(good, "$")
	for name, enc := range map[string]string{
		"empty":         "",
		"bcrypt":        "$2a$10$abcdefghijklmnopqrstuv",
		"argon2i":       strings.Replace(good, "argon2id", "argon2i", 1),
		"version":       strings.Replace(good, "v=19", "v=16", 1),
		"memory zero":   strings.Replace(good, "m=64", "m=0", 1),
		"memory huge":   strings.Replace(good, "m=64", "m=4294967295", 1),
		"time huge":     strings.Replace(good, "t=1", "t=1000", 1),
		"unknown param": strings.Replace(good, "p=1", "p=1,x=2", 1),
		"bad salt":      strings.Join(append(parts[:4:4], "!!", parts[5]), "$"),
		"bad key":       strings.Join(append(parts[:5:5], "a"), "$"),
		"extra field":   good + "$x",
	} {
		ok, err := h.Verify(enc, "pw")
		if ok || !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Verify = %v, %v; want false, ErrMalformed", name, ok, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	good, _ := newTestHasher().Hash("pw")
	f.Add(good)
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAA$AAAAAA")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := Decode(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if p.Memory == 0 || p.Memory > maxMemory || p.Time == 0 || p.Time > maxTime || len(salt) == 0 || len(key) < 4 {
			t.Fatalf("Decode accepted out-of-range %+v", p)
		}
	})
}

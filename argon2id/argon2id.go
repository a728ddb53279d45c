// Package argon2id hashes passwords with Argon2id (RFC 9106) and encodes
// them in the PHC string format used by the reference implementation:
//
//	$argon2id$v=19$m=65536,t=1,p=2$<salt>$<hash>
//
// where salt and hash are unpadded standard base64. Verification parses the
// parameters from the encoded hash, so hashes made with older parameters
// still verify after the defaults change. It implements
// fanclub.PasswordHasher.
package argon2id

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the Argon2id cost parameters.
type Params struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
	// SaltLen and KeyLen are the salt and derived key lengths in bytes.
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams follow the RFC 9106 second recommended option scaled for a
// small server: 64 MiB, one pass, two lanes, 16-byte salt, 32-byte key.
var DefaultParams = Params{Memory: 64 * 1024, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}

// TestParams are cheap parameters for tests; never use them in production.
var TestParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// ErrMalformed is returned by Verify for a string that is not an Argon2id
// PHC hash this package can read.
var ErrMalformed = errors.New("argon2id: malformed encoded hash")

// Hasher hashes and verifies passwords.
type Hasher struct {
	params Params
	random io.Reader
}

// New returns a hasher using p for new hashes and crypto/rand for salts.
func New(p Params) *Hasher {
	return &Hasher{params: p, random: rand.Reader}
}

// NewWithRandom returns a hasher that reads salts from random (for
// reproducible tests).
func NewWithRandom(p Params, random io.Reader) *Hasher {
	return &Hasher{params: p, random: random}
}

// Hash returns the PHC-encoded Argon2id hash of password with a fresh salt.
func (h *Hasher) Hash(password string) (string, error) {
	p := h.params
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.SaltLen == 0 || p.KeyLen == 0 {
		return "", fmt.Errorf("argon2id: invalid parameters %+v", p)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(h.random, salt); err != nil {
		return "", fmt.Errorf("argon2id: read salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches encodedHash, comparing in
// constant time. A malformed hash gives an error wrapping ErrMalformed.
func (h *Hasher) Verify(encodedHash, password string) (bool, error) {
	p, salt, key, err := Decode(encodedHash)
	if err != nil {
		return false, err
	}
	other := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(key, other) == 1, nil
}

// Limits on decoded parameters, so a stored hash cannot make Verify
// allocate or compute without bound.
const (
	maxMemory  = 4 * 1024 * 1024 // 4 GiB in KiB
	maxTime    = 64
	maxKeyLen  = 1024
	maxSaltLen = 1024
)

// Decode parses a PHC-encoded Argon2id hash into its parameters, salt and
// key.
func Decode(encoded string) (Params, []byte, []byte, error) {
	bad := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformed, why)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("want 5 '$'-separated fields")
	}
	if parts[1] != "argon2id" {
		return bad("algorithm is not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("unsupported version")
	}
	var p Params
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return bad("parameter without '='")
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return bad("parameter " + k + " is not a number")
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return bad("parallelism out of range")
			}
			p.Threads = uint8(n)
		default:
			return bad("unknown parameter " + k)
		}
	}
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.Memory > maxMemory || p.Time > maxTime || p.Memory < 8*uint32(p.Threads) {
		return bad("parameters out of range")
	}
	salt, err := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil || len(salt) == 0 || len(salt) > maxSaltLen {
		return bad("salt")
	}
	key, err := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil || len(key) < 4 || len(key) > maxKeyLen {
		return bad("key")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

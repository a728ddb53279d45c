// Package webhook sends notifications from the outbox to a webhook URL,
// signed with HMAC-SHA256, and verifies such signatures for receivers.
//
// A request carries the notification as JSON and the headers
// Fanclub-Signature ("t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<unix seconds>.<body>">"), Fanclub-Notification-Id (the notification's
// id, the same on every retry: receivers deduplicate by it) and
// Content-Type: application/json.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Header names of a webhook request.
const (
	HeaderSignature = "Fanclub-Signature"
	HeaderID        = "Fanclub-Notification-Id"
)

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock.
const DefaultTolerance = 5 * time.Minute

// Errors of Verify.
var (
	// ErrMalformed is a signature header that does not parse.
	ErrMalformed = errors.New("webhook: malformed signature header")
	// ErrTimestamp is a timestamp outside the tolerance.
	ErrTimestamp = errors.New("webhook: signature timestamp outside the tolerance")
	// ErrSignature is a header with no v1 signature that matches.
	ErrSignature = errors.New("webhook: signature does not match")
)

// mac is the hex HMAC-SHA256 of "<unix>.<body>" under secret.
func mac(secret []byte, unix int64, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(strconv.FormatInt(unix, 10)))
	h.Write([]byte("."))
	h.Write(body)
	return h.Sum(nil)
}

// Sign returns the Fanclub-Signature header value of body sent at ts.
func Sign(secret []byte, ts time.Time, body []byte) string {
	unix := ts.Unix()
	return "t=" + strconv.FormatInt(unix, 10) + ",v1=" + hex.EncodeToString(mac(secret, unix, body))
}

// maxHeader bounds the header Verify parses.
const maxHeader = 4096

// Verify checks a Fanclub-Signature header against body: its timestamp
// must be within tolerance of now, and one of its v1 signatures (a sender
// rotating secrets may send several) must be body's under secret,
// compared in constant time. Unknown keys are ignored.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if len(header) > maxHeader {
		return ErrMalformed
	}
	var unix int64
	var haveT bool
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrMalformed
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || haveT || n < 0 {
				return ErrMalformed
			}
			unix, haveT = n, true
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return ErrMalformed
			}
			sigs = append(sigs, b)
		}
	}
	if !haveT || len(sigs) == 0 {
		return ErrMalformed
	}
	if d := now.Unix() - unix; d > int64(tolerance/time.Second) || -d > int64(tolerance/time.Second) {
		return ErrTimestamp
	}
	want := mac(secret, unix, body)
	ok := false
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			ok = true
		}
	}
	if !ok {
		return ErrSignature
	}
	return nil
}

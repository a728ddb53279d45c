package fanclub

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"
)

// MaxIdempotencyKeyLen is the longest Idempotency-Key, in bytes.
const MaxIdempotencyKeyLen = 255

// idempotencyKeyChars describes the characters a key may hold.
const idempotencyKeyChars = "1 to 255 of A-Z, a-z, 0-9 and - _ . : + / = ~ (a UUID, say)"

// CheckIdempotencyKey validates a client's Idempotency-Key: 1 to
// MaxIdempotencyKeyLen bytes of letters, digits and - _ . : + / = ~.
func CheckIdempotencyKey(key string) error {
	ok := len(key) >= 1 && len(key) <= MaxIdempotencyKeyLen
	for i := 0; ok && i < len(key); i++ {
		c := key[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '/' || c == '=' || c == '~'
	}
	if ok {
		return nil
	}
	found := fmt.Sprintf("%d bytes", len(key))
	if len(key) <= 64 {
		found = strconv.Quote(key)
	}
	return InvalidFields("Invalid Idempotency-Key header.", []FieldError{{Path: "Idempotency-Key", Found: found,
		Allowed: idempotencyKeyChars, Message: "invalid idempotency key"}})
}

// KeyedEventID is the event id of a fan's interaction sent under an
// idempotency key: the same (fan, key) always gives the same id, so the
// event log's id dedupe counts a retried interaction once even after its
// stored response has expired.
func KeyedEventID(fanID int64, key string) string {
	h := sha256.Sum256([]byte(strconv.FormatInt(fanID, 10) + "\x00" + key))
	return "ik_" + base64.RawURLEncoding.EncodeToString(h[:24])
}

// IdempotentResponse returns the response stored under (scope, key) for a
// retry: ENOTFOUND when there is none (or it expired), EKEYREUSED when the
// key was first used for a request with another fingerprint.
func (e *Engine) IdempotentResponse(ctx context.Context, scope, key, fingerprint string) (*IdempotentResponse, error) {
	var stored *IdempotentResponse
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		stored, err = tx.FindIdempotentResponse(ctx, scope, key)
		return err
	})
	if err != nil {
		return nil, err
	}
	if stored.Fingerprint != fingerprint {
		return nil, keyReused(stored)
	}
	return stored, nil
}

// SaveIdempotentResponse stores the first response to a keyed request for
// the engine's retention, and returns the response retries get: r, or the
// response a concurrent request under the same key stored first
// (EKEYREUSED when that request had another fingerprint).
func (e *Engine) SaveIdempotentResponse(ctx context.Context, r *IdempotentResponse) (*IdempotentResponse, error) {
	var stored *IdempotentResponse
	err := e.inTx(ctx, true, func(tx Tx) error {
		now := tx.Now()
		cp := *r
		cp.CreatedAt, cp.ExpiresAt = now, now.Add(e.limits.IdempotencyRetention)
		var err error
		stored, err = tx.SaveIdempotentResponse(ctx, &cp)
		if err != nil {
			return fmt.Errorf("save idempotent response: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if stored.Fingerprint != r.Fingerprint {
		return nil, keyReused(stored)
	}
	return stored, nil
}

// keyReused is the error for a key sent again with another request.
func keyReused(first *IdempotentResponse) *Error {
	return Errorf(EKEYREUSED, "Idempotency-Key %q was first used at %s for %s with another body; a retry must resend the same request, and a new request needs a new key (keys are kept until %s).",
		first.Key, first.CreatedAt.UTC().Format(time.RFC3339), first.Route, first.ExpiresAt.UTC().Format(time.RFC3339))
}

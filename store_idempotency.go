package fanclub

import (
	"context"
	"time"
)

// IdempotentResponse is the first response to a request sent with an
// Idempotency-Key: what a retry under the same key gets back.
type IdempotentResponse struct {
	// Scope is the principal the key belongs to, e.g. "fan:12".
	Scope string
	// Key is the client's idempotency key.
	Key string
	// Fingerprint identifies the request (method, path and body).
	Fingerprint string
	// Route names the request for messages, e.g. "POST /v1/clubs/3/interactions".
	Route string
	// Status, ContentType, Location and Body are the response.
	Status      int
	ContentType string
	Location    string
	Body        []byte
	// CreatedAt is when it was stored; it answers retries until ExpiresAt.
	CreatedAt time.Time
	ExpiresAt time.Time
}

// IdempotencyTx stores idempotent responses, per scope and key.
type IdempotencyTx interface {
	// FindIdempotentResponse returns the response stored under (scope,
	// key) that has not expired at the transaction's time, ENOTFOUND
	// otherwise.
	FindIdempotentResponse(ctx context.Context, scope, key string) (*IdempotentResponse, error)
	// SaveIdempotentResponse stores r unless (scope, key) holds a response
	// that has not expired, and returns the stored response: r when it was
	// saved, the earlier one otherwise. It may drop some expired responses.
	SaveIdempotentResponse(ctx context.Context, r *IdempotentResponse) (*IdempotentResponse, error)
}

package storetest

import (
	"context"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
)

// testIdempotentResponses checks the idempotent response store: a round
// trip, scopes kept apart, the first response kept over a second save,
// expiry (an expired response is not found and is replaced on save).
func testIdempotentResponses(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	now := c.Now().UTC()
	first := &fanclub.IdempotentResponse{Scope: "fan:1", Key: "k-1", Fingerprint: "fp-a", Route: "POST /v1/clubs/1/interactions",
		Status: 200, ContentType: "application/json", Location: "/x", Body: []byte(`{"a":1}`),
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	inReadTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.FindIdempotentResponse(ctx, "fan:1", "k-1")
		wantCode(t, "FindIdempotentResponse(unknown)", err, fanclub.ENOTFOUND)
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.SaveIdempotentResponse(ctx, first)
		must(t, "SaveIdempotentResponse", err)
		wantEqual(t, "saved", got, first)
		second := *first
		second.Fingerprint, second.Status, second.Body = "fp-b", 409, []byte(`{}`)
		got, err = tx.SaveIdempotentResponse(ctx, &second)
		must(t, "SaveIdempotentResponse(again)", err)
		wantEqual(t, "a second save returns the first response", got, first)
		other := second
		other.Scope = "fan:2"
		got, err = tx.SaveIdempotentResponse(ctx, &other)
		must(t, "SaveIdempotentResponse(other scope)", err)
		wantEqual(t, "another scope's key is its own", got, &other)
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindIdempotentResponse(ctx, "fan:1", "k-1")
		must(t, "FindIdempotentResponse", err)
		wantEqual(t, "found", got, first)
	})
	c.Advance(time.Hour)
	inReadTx(t, s, func(tx fanclub.Tx) {
		_, err := tx.FindIdempotentResponse(ctx, "fan:1", "k-1")
		wantCode(t, "FindIdempotentResponse(expired)", err, fanclub.ENOTFOUND)
	})
	inWriteTx(t, s, func(tx fanclub.Tx) {
		later := *first
		later.Fingerprint, later.Body = "fp-c", []byte{}
		later.CreatedAt, later.ExpiresAt = c.Now().UTC(), c.Now().UTC().Add(time.Hour)
		got, err := tx.SaveIdempotentResponse(ctx, &later)
		must(t, "SaveIdempotentResponse(after expiry)", err)
		wantEqual(t, "an expired key is reused", got, &later)
	})
}

package http

import (
	"crypto/sha256"
	"testing"
	"time"

	"fanclub"
)

// TestTokenCacheDropsAPutThatRacedARevocation is a request that
// authenticated a token just before this server revoked it and stores it
// in the cache just after: the revoked token must not stay cached for the
// cache's ttl.
func TestTokenCacheDropsAPutThatRacedARevocation(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC)
	c := newTokenCache(time.Hour, 10, func() time.Time { return now })
	key := sha256.Sum256([]byte("fc_token"))
	p := fanclub.Principal{Role: fanclub.RoleFan, ID: 3, TokenID: 7}

	gen := c.generation()         // the request starts authenticating
	c.forgetID(7)                 // another request revokes the token meanwhile
	c.put(key, p, gen, time.Hour) // the first request caches what it read
	if _, ok := c.get(key); ok {
		t.Fatal("a token revoked while it was being authenticated is cached")
	}

	c.put(key, p, c.generation(), time.Hour)
	if got, ok := c.get(key); !ok || got != p {
		t.Fatalf("a put with no revocation since: %v %+v", ok, got)
	}
}

// TestTokenCacheKeepsNoTokenPastItsExpiry caches a token that expires
// before the cache's ttl ends: it must be asked about again once expired.
func TestTokenCacheKeepsNoTokenPastItsExpiry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC)
	c := newTokenCache(time.Minute, 10, func() time.Time { return now })
	key := sha256.Sum256([]byte("fc_short"))
	c.put(key, fanclub.Principal{Role: fanclub.RoleCreator, ID: 2, TokenID: 9}, c.generation(), 10*time.Second)
	now = now.Add(9 * time.Second)
	if _, ok := c.get(key); !ok {
		t.Fatal("a live token is not cached")
	}
	now = now.Add(time.Second)
	if _, ok := c.get(key); ok {
		t.Fatal("the cache answers for a token past its expiry")
	}
}

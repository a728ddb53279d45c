package http

import (
	"sync"
	"time"

	"fanclub"
)

// tokenCache remembers, for a short time, the principals of tokens that
// authenticated, so that a busy client does not cost a store transaction
// per request. Entries are keyed by the token's SHA-256 (no plaintext is
// kept) and live at most ttl, and never past the token's expiry: a token
// revoked in the store (through another server) is refused by this
// server at most ttl later. The cache holds at most max
// entries; when full, it drops the expired ones, or all of them.
type tokenCache struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu sync.RWMutex
	m  map[[32]byte]tokenEntry
	// gen counts revocations: a put that started before one is dropped.
	gen uint64
}

// tokenEntry is a cached principal and when it must be checked again.
type tokenEntry struct {
	p     fanclub.Principal
	until time.Time
}

// newTokenCache returns a cache of up to max tokens for ttl each; a zero
// ttl returns nil, which caches nothing.
func newTokenCache(ttl time.Duration, max int, now func() time.Time) *tokenCache {
	if ttl <= 0 {
		return nil
	}
	if max <= 0 {
		max = 10000
	}
	if now == nil {
		now = time.Now
	}
	return &tokenCache{ttl: ttl, max: max, now: now, m: make(map[[32]byte]tokenEntry)}
}

// get returns the cached principal of a token, if fresh.
func (c *tokenCache) get(key [32]byte) (fanclub.Principal, bool) {
	if c == nil {
		return fanclub.Principal{}, false
	}
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || !c.now().Before(e.until) {
		return fanclub.Principal{}, false
	}
	return e.p, true
}

// generation returns the count of revocations so far; a request takes
// it before asking the store about a token, and hands it to put.
func (c *tokenCache) generation() uint64 {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// put caches a token's principal for ttl, or for left if the token
// expires sooner, unless a token was revoked through this server since
// gen (the principal may be that token's, read before the revocation).
func (c *tokenCache) put(key [32]byte, p fanclub.Principal, gen uint64, left time.Duration) {
	if c == nil || left <= 0 {
		return
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.m) >= c.max {
		for k, e := range c.m {
			if !now.Before(e.until) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= c.max {
			clear(c.m)
		}
	}
	c.m[key] = tokenEntry{p: p, until: now.Add(min(c.ttl, left))}
}

// forgetID drops the token with the given id from the cache (it was
// revoked through this server; other processes' caches still hold it for
// at most their ttl). The cache is bounded, so the scan is too.
func (c *tokenCache) forgetID(id int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.m {
		if e.p.TokenID == id {
			delete(c.m, k)
		}
	}
}

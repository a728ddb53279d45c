package fanclub

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// ThrottleConfig sets how wrong passwords slow down further tries. Each
// key (a handle, at login and in exit challenges, or a client address) has
// Free failures; every failure from the Free-th on locks the key for
// Base × 2^(failures − Free), at most Max. While a key is locked every
// try is refused, the right password included. A key's failures are
// forgotten Forget after its last one, or when its password is right.
type ThrottleConfig struct {
	// Free is the failures a handle gets before delays start (default 5).
	Free int
	// AddrFree is the failures a client address gets (default 50).
	AddrFree int
	// Base is the first delay (default 1 s); Max caps it (default 15 min).
	Base, Max time.Duration
	// Forget is how long failures are remembered (default 1 h, at least Max).
	Forget time.Duration
	// MaxKeys bounds the keys remembered (default 100 000): past it, keys
	// that are not locked are forgotten first, then (a table full of
	// locks) an eighth of the keys, chosen at random.
	MaxKeys int
	// Disabled turns throttling off (benchmarks of the unthrottled cost).
	Disabled bool
}

// withDefaults fills the zero fields of c.
func (c ThrottleConfig) withDefaults() ThrottleConfig {
	if c.Free <= 0 {
		c.Free = 5
	}
	if c.AddrFree <= 0 {
		c.AddrFree = 50
	}
	if c.Base <= 0 {
		c.Base = time.Second
	}
	if c.Max <= 0 {
		c.Max = 15 * time.Minute
	}
	if c.Max < c.Base {
		c.Max = c.Base
	}
	if c.Forget < c.Max {
		c.Forget = max(c.Max, time.Hour)
	}
	if c.MaxKeys <= 0 {
		c.MaxKeys = 100_000
	}
	return c
}

// passwordThrottle counts password failures per key and refuses tries while a key
// is locked. It lives in memory: each process has its own, and a restart
// forgets it. It is safe for concurrent use.
type passwordThrottle struct {
	cfg  ThrottleConfig
	now  func() time.Time
	mu   sync.Mutex
	keys map[string]*throttleEntry
}

// throttleEntry is one key's failures.
type throttleEntry struct {
	failures int
	free     int
	last     time.Time
	until    time.Time
}

// throttleKey is a key with its free failures.
type throttleKey struct {
	name string
	free int
}

// newPasswordThrottle returns a throttle reading the time from now.
func newPasswordThrottle(cfg ThrottleConfig, now func() time.Time) *passwordThrottle {
	return &passwordThrottle{cfg: cfg.withDefaults(), now: now, keys: map[string]*throttleEntry{}}
}

// handleKey and addrKey name the throttle's keys. A handle's key counts
// wrong passwords for its fan, at login and in exit challenges alike.
func (t *passwordThrottle) handleKey(handle string) throttleKey {
	return throttleKey{"handle:" + handle, t.cfg.Free}
}
func (t *passwordThrottle) addrKey(addr string) throttleKey {
	return throttleKey{"addr:" + addrGroup(addr), t.cfg.AddrFree}
}

// loginKeys are the keys a login try counts under: the handle's, when a
// fan can have it (a made-up handle has no account to protect, and its
// length is the client's choice), then the client address's, when known.
func (t *passwordThrottle) loginKeys(handle, client string) []throttleKey {
	keys := make([]throttleKey, 0, 2)
	if ValidHandle(handle) {
		keys = append(keys, t.handleKey(handle))
	}
	if client != "" {
		keys = append(keys, t.addrKey(client))
	}
	return keys
}

// addrGroup is what a client address is counted as: an IPv4 address
// (also when written as IPv6), the /64 network of an IPv6 address (one
// subscriber's share, which holds more addresses than a client could
// ever exhaust), with or without a port, or, for anything else, a
// digest of bounded length.
func addrGroup(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		if ap, perr := netip.ParseAddrPort(addr); perr == nil {
			a, err = ap.Addr(), nil
		}
	}
	if err == nil {
		a = a.WithZone("").Unmap()
		if a.Is4() {
			return a.String()
		}
		p, err := a.Prefix(64)
		if err == nil {
			return p.String()
		}
	}
	sum := sha256.Sum256([]byte(addr))
	return "sha256:" + hex.EncodeToString(sum[:16])
}

// delay is the lock after failures failures with free free ones.
func (t *passwordThrottle) delay(failures, free int) time.Duration {
	n := failures - free
	if n < 0 {
		return 0
	}
	d := t.cfg.Base
	for ; n > 0 && d < t.cfg.Max; n-- {
		if d > t.cfg.Max/2 {
			return t.cfg.Max // doubling would pass Max (or overflow)
		}
		d *= 2
	}
	return min(d, t.cfg.Max)
}

// begin starts a password try under keys: when a key is locked it returns
// an ETOOMANY error and counts nothing; otherwise it counts the try as a
// failure on every key (so concurrent tries are all counted), to be taken
// back by succeed or cancel.
func (t *passwordThrottle) begin(keys ...throttleKey) error {
	if t == nil || t.cfg.Disabled {
		return nil
	}
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		if e := t.keys[k.name]; e != nil && e.until.After(now) {
			wait = max(wait, e.until.Sub(now))
		}
	}
	if wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		return &Error{Code: ETOOMANY, RetryAfter: secs,
			Message: fmt.Sprintf("Too many wrong passwords; try again in %d seconds.", secs)}
	}
	if len(t.keys)+len(keys) > t.cfg.MaxKeys {
		t.sweepLocked(now, len(keys))
	}
	for _, k := range keys {
		e := t.keys[k.name]
		if e == nil || now.Sub(e.last) >= t.cfg.Forget {
			e = &throttleEntry{free: k.free}
			t.keys[k.name] = e
		}
		e.failures++
		e.last = now
		if d := t.delay(e.failures, e.free); d > 0 {
			e.until = now.Add(d)
		}
	}
	return nil
}

// succeed ends a try whose password was right: the failures of reset are
// forgotten and the try is taken back from undo.
func (t *passwordThrottle) succeed(reset *throttleKey, undo ...throttleKey) {
	if t == nil || t.cfg.Disabled {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if reset != nil {
		delete(t.keys, reset.name)
	}
	t.undoLocked(undo)
}

// cancel takes back a try that ended without a verdict (an error).
func (t *passwordThrottle) cancel(keys ...throttleKey) {
	if t == nil || t.cfg.Disabled {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.undoLocked(keys)
}

// undoLocked takes one failure back from each key.
func (t *passwordThrottle) undoLocked(keys []throttleKey) {
	for _, k := range keys {
		e := t.keys[k.name]
		if e == nil {
			continue
		}
		if e.failures--; e.failures <= 0 {
			delete(t.keys, k.name)
			continue
		}
		e.until = time.Time{}
		if d := t.delay(e.failures, e.free); d > 0 {
			e.until = e.last.Add(d)
		}
	}
}

// sweepLocked makes room for need new keys: it forgets old keys, then, if
// still too many remain, every key that is not locked, and then, when
// locks alone fill the table, random keys down to seven eighths of it (so
// the next tries do not scan the table again). Reaching that last step
// takes MaxKeys locked keys, each a few argon2id checks, through the
// bounded password slots: hours of an attacker's work, after which a lock
// may end early; memory stays bounded either way.
func (t *passwordThrottle) sweepLocked(now time.Time, need int) {
	for k, e := range t.keys {
		if now.Sub(e.last) >= t.cfg.Forget && !e.until.After(now) {
			delete(t.keys, k)
		}
	}
	if len(t.keys)+need <= t.cfg.MaxKeys {
		return
	}
	for k, e := range t.keys {
		if !e.until.After(now) {
			delete(t.keys, k)
		}
	}
	keep := min(t.cfg.MaxKeys-need, t.cfg.MaxKeys*7/8)
	for k := range t.keys { // map order is random
		if len(t.keys) <= keep {
			break
		}
		delete(t.keys, k)
	}
}

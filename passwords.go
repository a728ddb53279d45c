package fanclub

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

// DefaultPasswordConcurrency is how many password hashes or checks run at
// once by default: half the CPUs the process may use, at least one.
// argon2id takes 64 MiB and two lanes each at the default parameters, so
// one check keeps two cores busy for tens of milliseconds; half the CPUs
// leaves the other half to ingest and reads during a password storm.
func DefaultPasswordConcurrency() int {
	return max(1, runtime.GOMAXPROCS(0)/2)
}

// AuthConfig sets token lifetimes, password-check concurrency and login
// throttling. Zero fields take the defaults.
type AuthConfig struct {
	// Now is the throttle's clock (nil: the wall clock). Token times come
	// from the store's transactions.
	Now func() time.Time
	// FanSessionTTL is the lifetime of a fan's login token (default 30 days).
	FanSessionTTL time.Duration
	// TokenTTL is the lifetime of an issued token when the issuer names
	// none (default 30 days); MaxTokenTTL bounds it (default 365 days).
	TokenTTL, MaxTokenTTL time.Duration
	// PasswordConcurrency bounds the password hashes and checks running at
	// once (default DefaultPasswordConcurrency()); the others wait their turn.
	PasswordConcurrency int
	// Throttle limits wrong passwords (see ThrottleConfig).
	Throttle ThrottleConfig
}

// auth is the engine's password and token state.
type auth struct {
	cfg      AuthConfig
	throttle *passwordThrottle
	// slots bound concurrent password work; a send takes a slot.
	slots chan struct{}
	// dummyHash is verified when a handle is unknown, so that a login
	// costs the same whether or not the handle exists.
	dummyHash string
	dummyErr  error
}

// newAuth fills cfg's defaults and makes the dummy hash with hasher.
func newAuth(cfg AuthConfig, hasher PasswordHasher) *auth {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.FanSessionTTL <= 0 {
		cfg.FanSessionTTL = DefaultFanSessionTTL
	}
	if cfg.MaxTokenTTL <= 0 {
		cfg.MaxTokenTTL = DefaultMaxTokenTTL
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = min(DefaultTokenTTL, cfg.MaxTokenTTL)
	}
	if cfg.PasswordConcurrency <= 0 {
		cfg.PasswordConcurrency = DefaultPasswordConcurrency()
	}
	a := &auth{cfg: cfg, throttle: newPasswordThrottle(cfg.Throttle, cfg.Now), slots: make(chan struct{}, cfg.PasswordConcurrency)}
	if hasher != nil {
		a.dummyHash, a.dummyErr = hasher.Hash("fanclub dummy password, never a fan's")
	}
	return a
}

// acquire takes a password slot, waiting while all are busy (ctx ends the wait).
func (a *auth) acquire(ctx context.Context) error {
	select {
	case a.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for a password slot: %w", ctx.Err())
	}
}

// release returns a password slot.
func (a *auth) release() { <-a.slots }

// hashPassword hashes a password in a password slot.
func (e *Engine) hashPassword(ctx context.Context, password string) (string, error) {
	if e.passwords == nil {
		return "", Errorf(EINTERNAL, "no password hasher configured")
	}
	if err := e.auth.acquire(ctx); err != nil {
		return "", err
	}
	defer e.auth.release()
	hash, err := e.passwords.Hash(password)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return hash, nil
}

// verifyPassword checks a password against an encoded hash in a password
// slot. An empty hash (unknown handle) is checked against the dummy hash
// and never matches, at the same cost as a real check.
func (e *Engine) verifyPassword(ctx context.Context, encoded, password string) (bool, error) {
	if e.passwords == nil {
		return false, Errorf(EINTERNAL, "no password hasher configured")
	}
	known := encoded != ""
	if !known {
		if e.auth.dummyErr != nil {
			return false, fmt.Errorf("dummy password hash: %w", e.auth.dummyErr)
		}
		encoded = e.auth.dummyHash
	}
	if err := e.auth.acquire(ctx); err != nil {
		return false, err
	}
	defer e.auth.release()
	ok, err := e.passwords.Verify(encoded, password)
	if err != nil {
		return false, fmt.Errorf("verify password: %w", err)
	}
	return ok && known, nil
}

package fanclub

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TokenPrefix starts every bearer token the engine issues.
const TokenPrefix = "fc_"

// Account input limits.
const (
	MinPasswordLen  = 8
	MaxPasswordLen  = 256
	MinHandleLen    = 3
	MaxHandleLen    = 32
	MaxClubNameLen  = 80
	handleAllowed   = "3 to 32 of a-z, 0-9 and _"
	passwordAllowed = "8 to 256 characters"
)

// ValidHandle reports whether a handle is 3 to 32 of [a-z0-9_].
func ValidHandle(h string) bool {
	if len(h) < MinHandleLen || len(h) > MaxHandleLen {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// ErasedHandle is the handle an erased account gets: "erased:<id>". The
// colon makes it one ValidHandle refuses, so no account is ever created
// with it and an erasure never collides with another account's handle.
func ErasedHandle(fanID int64) string { return "erased:" + strconv.FormatInt(fanID, 10) }

// handleField returns the field error for a bad handle, if any.
func handleField(handle string) []FieldError {
	if ValidHandle(handle) {
		return nil
	}
	return []FieldError{{Path: "handle", Found: fmt.Sprintf("%q", handle), Allowed: handleAllowed, Message: "invalid handle"}}
}

// CreateFan registers a fan with a password.
func (e *Engine) CreateFan(ctx context.Context, handle, password string) (*Fan, error) {
	fields := handleField(handle)
	if n := utf8.RuneCountInString(password); n < MinPasswordLen || len(password) > MaxPasswordLen {
		fields = append(fields, FieldError{Path: "password", Found: fmt.Sprintf("%d characters", n), Allowed: passwordAllowed, Message: "invalid password"})
	}
	if len(fields) > 0 {
		return nil, InvalidFields("Invalid fan.", fields)
	}
	// The hash runs in a password slot, before and outside the write
	// transaction: argon2id takes tens of milliseconds.
	hash, err := e.hashPassword(ctx, password)
	if err != nil {
		return nil, err
	}
	var f *Fan
	err = e.inTx(ctx, true, func(tx Tx) error {
		if _, err := tx.FindFanByHandle(ctx, handle); err == nil {
			return Errorf(ECONFLICT, "Handle %q is taken.", handle)
		} else if !isNotFound(err) {
			return fmt.Errorf("find fan: %w", err)
		}
		f = &Fan{Handle: handle, PasswordHash: hash, CreatedAt: tx.Now()}
		if err := tx.CreateFan(ctx, f); err != nil {
			return fmt.Errorf("create fan: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// CreateCreator registers a creator. A taken handle is a conflict, reported
// by the store.
func (e *Engine) CreateCreator(ctx context.Context, handle string) (*Creator, error) {
	if fields := handleField(handle); len(fields) > 0 {
		return nil, InvalidFields("Invalid creator.", fields)
	}
	var c *Creator
	err := e.inTx(ctx, true, func(tx Tx) error {
		c = &Creator{Handle: handle, CreatedAt: tx.Now()}
		if err := tx.CreateCreator(ctx, c); err != nil {
			return fmt.Errorf("create creator: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// CreateClub creates a club for a creator, running the named policy (the
// default policy when policy is empty) in its current version.
func (e *Engine) CreateClub(ctx context.Context, creatorID int64, name, policy string) (*Club, error) {
	name = strings.TrimSpace(name)
	var fields []FieldError
	if n := utf8.RuneCountInString(name); n < 1 || n > MaxClubNameLen {
		fields = append(fields, FieldError{Path: "name", Found: fmt.Sprintf("%d characters", n), Allowed: "1 to 80 characters", Message: "invalid club name"})
	}
	if strings.TrimSpace(policy) == "" {
		policy = DefaultPolicy
	}
	pol, _, err := e.resolvePolicy(policy)
	if err != nil {
		if !isNotFound(err) {
			return nil, err
		}
		fields = append(fields, FieldError{Path: "policy", Found: fmt.Sprintf("%q", policy), Allowed: "a known policy name", Message: "unknown policy"})
	}
	if len(fields) > 0 {
		return nil, InvalidFields("Invalid club.", fields)
	}
	var c *Club
	err = e.inTx(ctx, true, func(tx Tx) error {
		if _, err := tx.FindCreatorByID(ctx, creatorID); err != nil {
			return fmt.Errorf("find creator %d: %w", creatorID, err)
		}
		c = &Club{CreatorID: creatorID, Name: name, Policy: policy, PolicyVersion: pol.Metadata.Version, CreatedAt: tx.Now()}
		if err := tx.CreateClub(ctx, c); err != nil {
			return fmt.Errorf("create club: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// FindClub returns a club.
func (e *Engine) FindClub(ctx context.Context, clubID int64) (*Club, error) {
	var c *Club
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		c, err = tx.FindClubByID(ctx, clubID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ListClubs lists clubs (creatorID 0: all).
func (e *Engine) ListClubs(ctx context.Context, creatorID int64) ([]*Club, error) {
	var cs []*Club
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		cs, err = tx.ListClubs(ctx, creatorID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if cs == nil {
		cs = []*Club{}
	}
	return cs, nil
}

// randomBytes reads n bytes from the engine's random source.
func (e *Engine) randomBytes(n int) ([]byte, error) {
	if e.random == nil {
		return nil, Errorf(EINTERNAL, "no random source configured")
	}
	b := make([]byte, n)
	e.randMu.Lock()
	_, err := io.ReadFull(e.random, b)
	e.randMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("read random: %w", err)
	}
	return b, nil
}

// randomID returns prefix followed by 128 random bits, base64url.
func (e *Engine) randomID(prefix string) (string, error) {
	b, err := e.randomBytes(16)
	if err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// randomIntn returns a uniform integer in [0, n) for 0 < n ≤ 65536.
func (e *Engine) randomIntn(n int) (int, error) {
	limit := 65536 - 65536%n
	for {
		b, err := e.randomBytes(2)
		if err != nil {
			return 0, err
		}
		v := int(b[0])<<8 | int(b[1])
		if v < limit {
			return v % n, nil
		}
	}
}

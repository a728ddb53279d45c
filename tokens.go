package fanclub

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Token lifetimes, used when the configuration leaves them zero.
const (
	DefaultFanSessionTTL = 30 * 24 * time.Hour
	DefaultTokenTTL      = 30 * 24 * time.Hour
	DefaultMaxTokenTTL   = 365 * 24 * time.Hour
)

// IssuedToken is a token just issued: its plaintext, shown once and stored
// only hashed, with the id that revokes it and its expiry.
type IssuedToken struct {
	Token     string    `json:"token"`
	TokenID   int64     `json:"token_id"`
	Role      Role      `json:"role"`
	SubjectID int64     `json:"subject_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// HashToken returns the stored form of a bearer token: hex SHA-256.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// IssueToken issues a token with the default lifetime and returns its
// plaintext; see IssueTokenTTL.
func (e *Engine) IssueToken(ctx context.Context, role Role, subjectID int64) (string, error) {
	t, err := e.IssueTokenTTL(ctx, role, subjectID, 0)
	if err != nil {
		return "", err
	}
	return t.Token, nil
}

// IssueTokenTTL issues a bearer token for a role and subject, valid for ttl
// (0: the configured default; at most the configured maximum). The subject
// of a fan token is a fan id and that of a creator token a creator id, each
// of which must exist (ENOTFOUND); an admin token stands for the platform
// operator, who has no account, and its subject is 0 (EINVALID otherwise).
func (e *Engine) IssueTokenTTL(ctx context.Context, role Role, subjectID int64, ttl time.Duration) (*IssuedToken, error) {
	if fields := e.tokenFields(role, subjectID, ttl); len(fields) > 0 {
		return nil, InvalidFields("Invalid token request.", fields)
	}
	if ttl == 0 {
		ttl = e.auth.cfg.TokenTTL
	}
	var out *IssuedToken
	err := e.inTx(ctx, true, func(tx Tx) error {
		var err error
		switch role {
		case RoleFan:
			_, err = tx.FindFanByID(ctx, subjectID)
		case RoleCreator:
			_, err = tx.FindCreatorByID(ctx, subjectID)
		}
		if isNotFound(err) {
			return Errorf(ENOTFOUND, "No %s with id %d: a %s token's subject_id is a %s id.", role, subjectID, role, role)
		} else if err != nil {
			return fmt.Errorf("find token subject: %w", err)
		}
		out, err = e.issueToken(ctx, tx, role, subjectID, ttl)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// tokenFields checks a token request's role, subject and lifetime.
func (e *Engine) tokenFields(role Role, subjectID int64, ttl time.Duration) []FieldError {
	var fields []FieldError
	switch role {
	case RoleFan, RoleCreator:
		if subjectID <= 0 {
			fields = append(fields, FieldError{Path: "subject_id", Found: fmt.Sprint(subjectID), Allowed: "the id of an existing " + string(role), Message: "invalid subject"})
		}
	case RoleAdmin:
		if subjectID != 0 {
			fields = append(fields, FieldError{Path: "subject_id", Found: fmt.Sprint(subjectID), Allowed: "0 (an admin token names no account)", Message: "role and subject do not match"})
		}
	default:
		fields = append(fields, FieldError{Path: "role", Found: fmt.Sprintf("%q", role), Allowed: "fan, creator, admin", Message: "unknown role"})
	}
	if limit := e.auth.cfg.MaxTokenTTL; ttl < 0 || ttl > limit {
		fields = append(fields, FieldError{Path: "ttl", Found: ttl.String(), Allowed: "a positive duration up to " + limit.String(), Message: "invalid lifetime"})
	}
	return fields
}

// issueToken creates a token valid for ttl from the transaction's time.
func (e *Engine) issueToken(ctx context.Context, tx Tx, role Role, subjectID int64, ttl time.Duration) (*IssuedToken, error) {
	b, err := e.randomBytes(32)
	if err != nil {
		return nil, err
	}
	tok := TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	now := tx.Now()
	t := &Token{Hash: HashToken(tok), Role: role, SubjectID: subjectID, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := tx.CreateToken(ctx, t); err != nil {
		return nil, fmt.Errorf("create token: %w", err)
	}
	return &IssuedToken{Token: tok, TokenID: t.ID, Role: role, SubjectID: subjectID, ExpiresAt: t.ExpiresAt}, nil
}

// LoginFan checks a fan's password and issues a fan session token, valid
// for the configured session lifetime. An unknown handle and a wrong
// password give the same EUNAUTHORIZED error at the same cost (an unknown
// handle is checked against a dummy hash). Wrong passwords are throttled
// per handle and per client address (client, "" when unknown): a locked
// key gives ETOOMANY, even with the right password.
func (e *Engine) LoginFan(ctx context.Context, handle, password, client string) (*IssuedToken, *Fan, error) {
	return e.LoginFanDevice(ctx, handle, password, client, "")
}

// LoginFanDevice is LoginFan from a device: a non-empty deviceID is
// recorded as a sighting of the fan's device in the login's transaction
// (see PrivacyTx.SeeDevices).
func (e *Engine) LoginFanDevice(ctx context.Context, handle, password, client, deviceID string) (*IssuedToken, *Fan, error) {
	if fe := CheckDeviceID(deviceID, "device_id"); fe != nil {
		return nil, nil, InvalidFields("Invalid device id.", []FieldError{*fe})
	}
	th := e.auth.throttle
	keys := th.loginKeys(handle, client)
	if err := th.begin(keys...); err != nil {
		return nil, nil, err
	}
	f, ok, err := e.checkLogin(ctx, handle, password)
	if err != nil {
		th.cancel(keys...)
		return nil, nil, err
	}
	if !ok {
		return nil, nil, Errorf(EUNAUTHORIZED, "Wrong handle or password.")
	}
	if ValidHandle(handle) {
		th.succeed(&keys[0], keys[1:]...)
	} else {
		th.succeed(nil, keys...)
	}
	var out *IssuedToken
	err = e.inTx(ctx, true, func(tx Tx) error {
		if out, err = e.issueToken(ctx, tx, RoleFan, f.ID, e.auth.cfg.FanSessionTTL); err != nil || deviceID == "" {
			return err
		}
		return seeLoginDevice(ctx, tx, f.ID, deviceID, tx.Now())
	})
	if err != nil {
		return nil, nil, err
	}
	return out, f, nil
}

// checkLogin reads a fan by handle in a read transaction and checks the
// password after it, outside any transaction.
func (e *Engine) checkLogin(ctx context.Context, handle, password string) (*Fan, bool, error) {
	var f *Fan
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		f, err = tx.FindFanByHandle(ctx, handle)
		if isNotFound(err) {
			f = nil
			return nil
		}
		return err
	})
	if err != nil {
		return nil, false, err
	}
	hash := ""
	if f != nil {
		hash = f.PasswordHash
	}
	ok, err := e.verifyPassword(ctx, hash, password)
	if err != nil {
		return nil, false, err
	}
	return f, ok, nil
}

// Authenticate resolves a bearer token. Unknown, expired and revoked tokens
// are EUNAUTHORIZED, with a message that says which.
func (e *Engine) Authenticate(ctx context.Context, token string) (Principal, error) {
	p, _, err := e.AuthenticateLeft(ctx, token)
	return p, err
}

// AuthenticateLeft is Authenticate that also returns how long the token
// stays valid from now, which bounds how long its answer may be cached.
func (e *Engine) AuthenticateLeft(ctx context.Context, token string) (Principal, time.Duration, error) {
	bad := Errorf(EUNAUTHORIZED, "Unknown or missing token.")
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 256 {
		return Principal{}, 0, bad
	}
	hash := HashToken(token)
	var (
		t   *Token
		now time.Time
	)
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		now = tx.Now()
		t, err = tx.FindToken(ctx, hash)
		if isNotFound(err) {
			return bad
		}
		return err
	})
	if err != nil {
		return Principal{}, 0, err
	}
	if subtle.ConstantTimeCompare([]byte(t.Hash), []byte(hash)) != 1 {
		return Principal{}, 0, bad
	}
	if t.RevokedAt != nil {
		return Principal{}, 0, Errorf(EUNAUTHORIZED, "Token revoked at %s.", t.RevokedAt.UTC().Format(time.RFC3339))
	}
	if !now.Before(t.ExpiresAt) {
		return Principal{}, 0, Errorf(EUNAUTHORIZED, "Token expired at %s.", t.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return Principal{Role: t.Role, ID: t.SubjectID, TokenID: t.ID}, t.ExpiresAt.Sub(now), nil
}

// RevokeToken revokes a token by id (ENOTFOUND when unknown); revoking a
// revoked token changes nothing.
func (e *Engine) RevokeToken(ctx context.Context, id int64) error {
	return e.inTx(ctx, true, func(tx Tx) error {
		if _, err := tx.FindTokenByID(ctx, id); err != nil {
			return fmt.Errorf("find token %d: %w", id, err)
		}
		if err := tx.RevokeToken(ctx, id, tx.Now()); err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		}
		return nil
	})
}

// HasLiveToken reports whether a token of role is neither expired nor
// revoked now (serve prints a bootstrap admin token only when none is).
func (e *Engine) HasLiveToken(ctx context.Context, role Role) (bool, error) {
	var live bool
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		live, err = tx.HasLiveToken(ctx, role, tx.Now())
		return err
	})
	return live, err
}

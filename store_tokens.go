package fanclub

import (
	"context"
	"time"
)

// TokenTx is what token revocation and the admin bootstrap need of a
// transaction, beside CreateToken and FindToken.
type TokenTx interface {
	// FindTokenByID returns a token by its id (ENOTFOUND when unknown).
	FindTokenByID(ctx context.Context, id int64) (*Token, error)
	// RevokeToken marks a token revoked at at; revoking a revoked token
	// keeps the first time (ENOTFOUND when unknown).
	RevokeToken(ctx context.Context, id int64, at time.Time) error
	// HasLiveToken reports whether a token of role exists that is neither
	// revoked nor expired at at.
	HasLiveToken(ctx context.Context, role Role, at time.Time) (bool, error)
}

package ledger

import (
	"errors"
	"fmt"
)

// Error codes of Post.
const (
	// EInvalid: the transfer is malformed (amount not positive, the same
	// account on both sides, an asset that is not the accounts', unknown
	// or conflicting flags, a post or void without a pending key, an
	// unknown account ID, a post above the pending amount).
	EInvalid = "invalid_transfer"
	// EInsufficientFunds: the transfer would break an account's flag
	// (a non-negative account would go below zero).
	EInsufficientFunds = "insufficient_funds"
	// EKeyConflict: the key is already used by a transfer with other content.
	EKeyConflict = "key_conflict"
	// EPendingNotFound: a post or void names no pending transfer.
	EPendingNotFound = "pending_not_found"
	// EPendingResolved: a post or void names a pending transfer that was
	// already posted or voided.
	EPendingResolved = "pending_resolved"
	// EOverflow: a balance would leave the int64 range.
	EOverflow = "overflow"
)

// Error is a ledger error: a machine-readable code and a message saying
// what went wrong and in which transfer.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string { return "ledger: " + e.Code + ": " + e.Message }

// errorf builds an *Error.
func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the *Error inside err, "" when there is none.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

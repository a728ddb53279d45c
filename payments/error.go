package payments

import (
	"errors"
	"fmt"
)

// Error codes of a provider's errors.
const (
	// CodeInvalid: the request is malformed (a missing key, an amount of
	// zero, a currency that is not a code, an agreement of another fan).
	CodeInvalid = "invalid"
	// CodeNotFound: the request names a charge or agreement the provider
	// does not have.
	CodeNotFound = "not_found"
	// CodeIdempotencyConflict: the key was first used for a request with
	// other content.
	CodeIdempotencyConflict = "idempotency_conflict"
	// CodeRefundExceedsCharge: the refund is larger than what remains of
	// the charge (nothing remains of a declined charge).
	CodeRefundExceedsCharge = "refund_exceeds_charge"
	// CodeUnavailable: the provider could not be reached or could not
	// answer; the outcome is unknown, and a retry with the same key
	// learns it.
	CodeUnavailable = "unavailable"
)

// MaxKeyLen bounds an idempotency key, in bytes.
const MaxKeyLen = 255

// Error is a provider's error: a code, a message and, for CodeUnavailable,
// the cause.
type Error struct {
	Code    string
	Message string
	// Err is the underlying error, if any.
	Err error
}

// Error describes the error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("payments: %s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("payments: %s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Unavailable returns a CodeUnavailable error caused by err.
func Unavailable(err error) *Error {
	return &Error{Code: CodeUnavailable, Message: "The payment provider did not answer; retry with the same key.", Err: err}
}

// ErrorCode returns the code of the *Error inside err, CodeUnavailable for
// any other non-nil error (an outcome the caller cannot know), and "" for
// nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return CodeUnavailable
}

package fanclub

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes shared by every adapter. The HTTP adapter maps each one to a
// status in one place; the CLI and the simulator print them as they are.
const (
	ECONFLICT      = "conflict"       // the request contradicts current state
	EINTERNAL      = "internal"       // a bug or an unavailable dependency
	EINVALID       = "invalid"        // the input is malformed or out of range
	ENOTFOUND      = "not_found"      // the named thing does not exist
	EUNAUTHORIZED  = "unauthorized"   // no valid credentials
	EFORBIDDEN     = "forbidden"      // credentials valid, action not allowed
	ECOOLDOWN      = "cooldown"       // rejoin refused until a time
	ERESTRICTED    = "restricted"     // an exit effect forbids the action
	ENOTMEMBER     = "not_member"     // the fan has no active membership
	EALREADYMEMBER = "already_member" // the fan is already an active member
	ECHALLENGE     = "challenge_failed"
	EEXPIRED       = "expired"           // a challenge or token is past its end
	ETOOMANY       = "too_many_attempts" // too many wrong passwords: wait RetryAfter
)

// Error codes of what clients may claim: event times and idempotency keys.
const (
	ETOOOLD    = "too_old"                // an event's time is before the event window
	EINFUTURE  = "in_future"              // an event's time is beyond the allowed skew
	EKEYREUSED = "idempotency_key_reused" // the key was first used for another request
)

// Error is a domain error: a machine-readable code, a human message, and
// optional field-level details (for validation) and a time hint (for
// cooldowns and restrictions).
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	// Until is set for cooldown and restricted errors: when the refusal ends.
	Until string
	// RetryAfter is set for ETOOMANY: whole seconds until a retry is heard.
	RetryAfter int
}

// FieldError describes one problem with one field of an input.
type FieldError struct {
	// Path is the field path in the input, e.g. "progress.options[1].retention".
	Path string `json:"path"`
	// Found is what the input held there (may be empty).
	Found string `json:"found,omitempty"`
	// Allowed says what would be accepted.
	Allowed string `json:"allowed,omitempty"`
	// Message is a short human description.
	Message string `json:"message"`
	// Line and Column locate the field in a source file when known (1-based).
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// String renders the field error as "path: message (found X; allowed Y)".
func (f FieldError) String() string {
	var b strings.Builder
	b.WriteString(f.Path)
	b.WriteString(": ")
	b.WriteString(f.Message)
	switch {
	case f.Found != "" && f.Allowed != "":
		fmt.Fprintf(&b, " (found %s; allowed: %s)", f.Found, f.Allowed)
	case f.Found != "":
		fmt.Fprintf(&b, " (found %s)", f.Found)
	case f.Allowed != "":
		fmt.Fprintf(&b, " (allowed: %s)", f.Allowed)
	}
	return b.String()
}

// Error implements the error interface.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("fanclub error: code=%s message=%s", e.Code, e.Message)
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.String()
	}
	return fmt.Sprintf("fanclub error: code=%s message=%s: %s", e.Code, e.Message, strings.Join(parts, "; "))
}

// ErrorCode returns the code of the domain error inside err, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the domain error inside err, or a
// generic message for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the field errors of the domain error inside err.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Errorf returns a domain error with a code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidFields returns an EINVALID error carrying field errors.
func InvalidFields(message string, fields []FieldError) *Error {
	return &Error{Code: EINVALID, Message: message, Fields: fields}
}

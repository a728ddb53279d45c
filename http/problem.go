package http

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"fanclub"
)

// ProblemTypeBase prefixes the type URI of every problem: a problem with
// code "cooldown" has type ProblemTypeBase + "cooldown".
const ProblemTypeBase = "https://fanclub.dev/problems/"

// Problem is an RFC 9457 problem document with the domain error's code and
// field errors as extension members.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	// Code is the domain error code (fanclub.E*).
	Code string `json:"code"`
	// Errors are field-level errors of invalid input.
	Errors []fanclub.FieldError `json:"errors,omitempty"`
	// Until is when a cooldown or restriction ends (RFC 3339).
	Until string `json:"until,omitempty"`
	// RetryAfter is, for too_many_attempts and busy, the seconds to wait
	// (also sent as the Retry-After header).
	RetryAfter int `json:"retry_after,omitempty"`
	// RequestID is the request's X-Request-Id, as in the response header
	// and the logs.
	RequestID string `json:"request_id,omitempty"`
}

// Problem codes of the HTTP layer itself, beside the engine's.
const (
	// CodeMethodNotAllowed: a known path called with a method it does not
	// support.
	CodeMethodNotAllowed = "method_not_allowed"
	// CodeTooLarge: a request body over the route's limit.
	CodeTooLarge = "body_too_large"
	// CodeUnsupportedMediaType: a request body that is not JSON.
	CodeUnsupportedMediaType = "unsupported_media_type"
	// CodeNotReady: the service cannot serve yet (readiness check).
	CodeNotReady = "not_ready"
	// CodeBusy: the request's transaction kept losing conflicts with
	// concurrent ones until the engine's retries ran out
	// (fanclub.IsRetryable); nothing was changed and a retry may succeed.
	CodeBusy = "busy"
)

// BusyRetryAfter is the Retry-After, in seconds, of a busy answer.
const BusyRetryAfter = 1

// StatusOf maps a domain error code to its HTTP status. It is the only
// place codes become statuses.
func StatusOf(code string) int {
	switch code {
	case fanclub.EINVALID:
		return http.StatusBadRequest
	case fanclub.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case fanclub.EFORBIDDEN, fanclub.ERESTRICTED:
		return http.StatusForbidden
	case fanclub.ENOTFOUND:
		return http.StatusNotFound
	case fanclub.ECONFLICT, fanclub.EALREADYMEMBER, fanclub.ECOOLDOWN, fanclub.ENOTMEMBER:
		return http.StatusConflict
	case fanclub.EEXPIRED:
		return http.StatusGone
	case fanclub.ECHALLENGE:
		return http.StatusUnprocessableEntity
	case fanclub.ETOOOLD, fanclub.EINFUTURE:
		return http.StatusBadRequest
	case fanclub.EKEYREUSED:
		return http.StatusUnprocessableEntity
	case fanclub.ETOOMANY:
		return http.StatusTooManyRequests
	case fanclub.EINSUFFICIENT, fanclub.EDECLINED:
		return http.StatusPaymentRequired
	case fanclub.EMINOR, fanclub.ESPENDINGCAP, fanclub.EAGEUNVERIFIED, fanclub.EFACEFAILED, fanclub.EGUARDIAN:
		return http.StatusForbidden
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeUnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case CodeNotReady, CodeBusy:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// titles are the short, fixed summaries of each code.
var titles = map[string]string{
	fanclub.EINVALID:         "Invalid input",
	fanclub.EUNAUTHORIZED:    "Authentication required",
	fanclub.EFORBIDDEN:       "Not allowed",
	fanclub.ERESTRICTED:      "Restricted by an exit effect",
	fanclub.ENOTFOUND:        "Not found",
	fanclub.ECONFLICT:        "Conflict with current state",
	fanclub.EALREADYMEMBER:   "Already a member",
	fanclub.ECOOLDOWN:        "Rejoin cooldown",
	fanclub.ENOTMEMBER:       "Not a member",
	fanclub.EEXPIRED:         "Expired",
	fanclub.ECHALLENGE:       "Challenge failed",
	fanclub.ETOOMANY:         "Too many attempts",
	fanclub.EMINOR:           "Not allowed to a minor",
	fanclub.ESPENDINGCAP:     "Minor's spending cap reached",
	fanclub.EAGEUNVERIFIED:   "Age verification required",
	fanclub.EFACEFAILED:      "Face check failed",
	fanclub.EGUARDIAN:        "Guardian action not allowed",
	fanclub.EINTERNAL:        "Internal error",
	fanclub.ETOOOLD:          "Event too old",
	fanclub.EINFUTURE:        "Event in the future",
	fanclub.EKEYREUSED:       "Idempotency key reused",
	fanclub.EINSUFFICIENT:    "Insufficient funds",
	fanclub.EDECLINED:        "Payment declined",
	CodeMethodNotAllowed:     "Method not allowed",
	CodeTooLarge:             "Request body too large",
	CodeUnsupportedMediaType: "Unsupported media type",
	CodeNotReady:             "Not ready",
	CodeBusy:                 "Busy",
}

// problemOf builds the problem for an error. Internal errors keep their
// detail out of the response. A transaction conflict the engine gave up
// retrying is busy, not internal: the client may retry.
func problemOf(err error) Problem {
	if fanclub.IsRetryable(err) {
		return Problem{
			Type: ProblemTypeBase + CodeBusy, Title: titles[CodeBusy], Status: StatusOf(CodeBusy), Code: CodeBusy,
			Detail:     "Concurrent updates conflicted with this request; nothing was changed. Retry after the time given.",
			RetryAfter: BusyRetryAfter,
		}
	}
	code := fanclub.ErrorCode(err)
	if _, ok := titles[code]; !ok {
		code = fanclub.EINTERNAL
	}
	p := Problem{Type: ProblemTypeBase + code, Title: titles[code], Status: StatusOf(code), Code: code}
	if code == fanclub.EINTERNAL {
		p.Detail = "The server could not complete the request; it has been logged."
		return p
	}
	p.Detail = fanclub.ErrorMessage(err)
	p.Errors = fanclub.ErrorFields(err)
	if de, ok := asDomain(err); ok {
		p.Until = de.Until
		p.RetryAfter = de.RetryAfter
	}
	return p
}

// writeError writes err as a problem, logging internal errors.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := problemOf(err)
	p.RequestID = requestIDFrom(r.Context())
	switch {
	case p.Code == CodeBusy:
		s.log.WarnContext(r.Context(), "request busy: transaction conflicts outlasted the retries", "method", r.Method, "path", r.URL.Path, "err", err)
	case p.Status >= 500 && p.Code != CodeNotReady:
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="fanclub"`)
	}
	if p.Until != "" {
		if t, perr := time.Parse(time.RFC3339, p.Until); perr == nil && p.Code == fanclub.ECOOLDOWN {
			w.Header().Set("Retry-After", t.UTC().Format(http.TimeFormat))
		}
	}
	if (p.Code == fanclub.ETOOMANY || p.Code == CodeBusy) && p.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(p.RetryAfter))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// respond writes v as JSON with a status. It returns nil so handlers can
// end with it; a failed write (the client went away) is only logged.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		s.log.DebugContext(r.Context(), "write response", "path", r.URL.Path, "err", err)
	}
	return nil
}

// asDomain returns the domain error inside err, if any.
func asDomain(err error) (*fanclub.Error, bool) {
	var de *fanclub.Error
	ok := errors.As(err, &de)
	return de, ok
}

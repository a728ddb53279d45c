package fanclub

import "time"

// Defaults of Limits.
const (
	// DefaultEventWindow is how far in the past an event's time may be.
	DefaultEventWindow = 24 * time.Hour
	// DefaultIdempotencyRetention is how long a stored response answers
	// the retries of its idempotency key.
	DefaultIdempotencyRetention = 24 * time.Hour
)

// Limits are an instance's bounds on what clients may claim. A zero field
// takes its default.
type Limits struct {
	// EventWindow is how far before the transaction's time an event's time
	// may be (default DefaultEventWindow): an older event is rejected with
	// code too_old, so backdating cannot reach a day whose cap is spent.
	EventWindow time.Duration
	// EventSkew is how far after the transaction's time an event's time
	// may be (default MaxEventSkew): a later one is rejected with code
	// in_future.
	EventSkew time.Duration
	// IdempotencyRetention is how long a response stored under an
	// Idempotency-Key answers retries (default DefaultIdempotencyRetention).
	IdempotencyRetention time.Duration
}

// withDefaults returns l with its zero (or negative) fields defaulted.
func (l Limits) withDefaults() Limits {
	if l.EventWindow <= 0 {
		l.EventWindow = DefaultEventWindow
	}
	if l.EventSkew <= 0 {
		l.EventSkew = MaxEventSkew
	}
	if l.IdempotencyRetention <= 0 {
		l.IdempotencyRetention = DefaultIdempotencyRetention
	}
	return l
}

// Limits returns the engine's limits, defaults filled in.
func (e *Engine) Limits() Limits { return e.limits }

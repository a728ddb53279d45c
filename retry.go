package fanclub

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// A store whose transactions can conflict with concurrent ones (PostgreSQL
// at SERIALIZABLE) fails such a transaction with an error that has a
// Retryable method returning true, anywhere in its chain. Nothing the
// transaction did is kept; running the whole transaction function again,
// in a new transaction, is correct. The engine does so in one place
// (Engine.inTx), a bounded number of times with jittered backoff.

// retryable is the method a store's retryable errors implement.
type retryable interface{ Retryable() bool }

// IsRetryable reports whether err, or an error it wraps, says that its
// transaction lost a conflict with a concurrent one and may be run again.
func IsRetryable(err error) bool {
	var r retryable
	return errors.As(err, &r) && r.Retryable()
}

// RetryableError is the error a store returns for a transaction that lost
// a conflict with a concurrent one (a serialization failure or a
// deadlock). It wraps the cause and reads as EINTERNAL when retries run
// out.
type RetryableError struct {
	// Op names what failed, e.g. "commit".
	Op string
	// Err is the store's error.
	Err error
}

// Error describes the conflict.
func (e *RetryableError) Error() string {
	return e.Op + ": transaction conflicted with a concurrent one: " + e.Err.Error()
}

// Unwrap returns the cause and the domain error the conflict reads as.
func (e *RetryableError) Unwrap() []error {
	return []error{e.Err, &Error{Code: EINTERNAL, Message: "Storage busy: concurrent updates conflicted; retry."}}
}

// Retryable reports that the transaction may be run again.
func (e *RetryableError) Retryable() bool { return true }

// Transaction retry bounds: at most MaxTxAttempts runs of a transaction
// function, waiting a random time up to txBackoffBase·2ⁿ (at most
// txBackoffMax) after the nth conflict. Twenty runs wait about two
// seconds in all at worst on average: enough for a handful of writers on
// one hot row to all get through, while a request still fails in bounded
// time.
const (
	MaxTxAttempts = 20
	txBackoffBase = 2 * time.Millisecond
	txBackoffMax  = 250 * time.Millisecond
)

// TxBackoff is how long to wait after the attempt-th conflict (1-based): a
// uniformly random duration ("full jitter") below an exponential bound, so
// transactions that collided do not collide again in step.
func TxBackoff(attempt int) time.Duration {
	bound := txBackoffMax
	if attempt < 20 {
		bound = min(txBackoffBase<<attempt, txBackoffMax)
	}
	return time.Duration(rand.Int64N(int64(bound))) + 1
}

// waitBackoff sleeps for d unless ctx ends first, and returns ctx's error
// in that case.
func waitBackoff(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

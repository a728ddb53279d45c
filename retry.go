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
// when ctx has ended by the time the wait is over: a context that ends as
// the timer fires stops the retries too, whichever of the two select saw.
func waitBackoff(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	return ctx.Err()
}

// RetryWriteTx runs fn in a write transaction of store and commits it
// when fn returns nil, running it again after TxBackoff while it fails
// with a retryable conflict, at most attempts runs in all. It is the
// retry loop of adapters that keep their own records in the store (the
// payment and identity sandboxes); the engine retries in Engine.inTx.
// When ctx ends during a wait it returns the last conflict.
func RetryWriteTx(ctx context.Context, store Store, attempts int, fn func(tx Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := writeTxOnce(ctx, store, fn)
		if err == nil || !IsRetryable(err) || attempt >= attempts {
			return err
		}
		if werr := waitBackoff(ctx, TxBackoff(attempt)); werr != nil {
			return err
		}
	}
}

// writeTxOnce runs fn once in a write transaction, committing when it
// returns nil.
func writeTxOnce(ctx context.Context, store Store, fn func(tx Tx) error) error {
	tx, err := store.BeginTx(ctx, true)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

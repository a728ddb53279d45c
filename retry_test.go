package fanclub_test

import (
	"context"
	"crypto/rand"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

// conflictingStore is a real store whose first conflicts commits fail
// with a retryable error (after rolling the transaction back), as a store
// with concurrent writers fails a transaction that lost a conflict.
type conflictingStore struct {
	fanclub.Store
	conflicts atomic.Int64 // commits still to fail
	begun     atomic.Int64 // write transactions begun
	// onConflict, when set, runs at each failed commit.
	onConflict func()
}

// BeginTx begins a transaction of the real store.
func (s *conflictingStore) BeginTx(ctx context.Context, write bool) (fanclub.Tx, error) {
	tx, err := s.Store.BeginTx(ctx, write)
	if err != nil || !write {
		return tx, err
	}
	s.begun.Add(1)
	return &conflictingTx{Tx: tx, s: s}, nil
}

type conflictingTx struct {
	fanclub.Tx
	s *conflictingStore
}

// Commit fails while the store has conflicts left.
func (t *conflictingTx) Commit() error {
	if t.s.conflicts.Add(-1) >= 0 {
		_ = t.Tx.Rollback()
		if t.s.onConflict != nil {
			t.s.onConflict()
		}
		return &fanclub.RetryableError{Op: "commit", Err: errors.New("could not serialize access")}
	}
	return t.Tx.Commit()
}

func conflictingEngine(t *testing.T, open teststores.Open, conflicts int64) (*fanclub.Engine, *conflictingStore) {
	t.Helper()
	s := &conflictingStore{Store: open(t, time.Now)}
	s.conflicts.Store(conflicts)
	e := fanclub.NewEngine(fanclub.EngineConfig{Store: s, Policies: presetSource{}, Passwords: plainHasher{}, Random: rand.Reader})
	return e, s
}

// TestTxRetriedOnConflict checks the engine's one retry loop: a
// transaction that lost a conflict runs again (and its effects are kept
// once), up to fanclub.MaxTxAttempts runs; other errors are not retried.
func TestTxRetriedOnConflict(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testTxRetriedOnConflict)
}

func testTxRetriedOnConflict(t *testing.T, open teststores.Open) {
	t.Parallel()
	tests := []struct {
		name      string
		conflicts int64
		wantRuns  int64
		wantErr   bool
	}{
		{"no conflict", 0, 1, false},
		{"three conflicts", 3, 4, false},
		{"last allowed run succeeds", fanclub.MaxTxAttempts - 1, fanclub.MaxTxAttempts, false},
		{"conflicts outlast the bound", 1000, fanclub.MaxTxAttempts, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e, s := conflictingEngine(t, open, tc.conflicts)
			_, err := e.CreateCreator(ctx, "creator")
			if got := s.begun.Load(); got != tc.wantRuns {
				t.Fatalf("transaction ran %d times, want %d", got, tc.wantRuns)
			}
			if !tc.wantErr {
				if err != nil {
					t.Fatalf("CreateCreator: %v", err)
				}
				s.conflicts.Store(0)
				// The creator was stored once: a second one with the handle conflicts.
				if _, err := e.CreateCreator(ctx, "creator"); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
					t.Fatalf("second CreateCreator: %v, want a conflict", err)
				}
				return
			}
			if !fanclub.IsRetryable(err) || fanclub.ErrorCode(err) != fanclub.EINTERNAL {
				t.Fatalf("after the bound: %v (retryable %v, code %q), want the retryable internal error",
					err, fanclub.IsRetryable(err), fanclub.ErrorCode(err))
			}
		})
	}
}

// TestTxRetryNotForOtherErrors checks a domain error is returned at once.
func TestTxRetryNotForOtherErrors(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testTxRetryNotForOtherErrors)
}

func testTxRetryNotForOtherErrors(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	e, s := conflictingEngine(t, open, 0)
	if _, err := e.CreateCreator(ctx, "creator"); err != nil {
		t.Fatalf("CreateCreator: %v", err)
	}
	s.begun.Store(0)
	if _, err := e.CreateCreator(ctx, "creator"); fanclub.ErrorCode(err) != fanclub.ECONFLICT {
		t.Fatalf("CreateCreator(taken): %v, want a conflict", err)
	}
	if got := s.begun.Load(); got != 1 {
		t.Fatalf("a conflict error ran the transaction %d times, want 1", got)
	}
}

// TestTxRetryStopsWithContext checks that a context ending during the
// wait after a conflict ends the retries.
func TestTxRetryStopsWithContext(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testTxRetryStopsWithContext)
}

func testTxRetryStopsWithContext(t *testing.T, open teststores.Open) {
	t.Parallel()
	e, s := conflictingEngine(t, open, 1000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.onConflict = cancel
	_, err := e.CreateCreator(ctx, "creator")
	if !fanclub.IsRetryable(err) {
		t.Fatalf("CreateCreator: %v, want the conflict it stopped on", err)
	}
	if got := s.begun.Load(); got != 1 {
		t.Fatalf("ran %d times after the context ended, want 1", got)
	}
}

// TestTxBackoffBounded checks the jittered wait stays within its bounds.
func TestTxBackoffBounded(t *testing.T) {
	t.Parallel()
	for attempt := 1; attempt <= 40; attempt++ {
		for range 50 {
			d := fanclub.TxBackoff(attempt)
			if d <= 0 || d > 250*time.Millisecond+1 {
				t.Fatalf("TxBackoff(%d) = %v, want in (0, 250ms]", attempt, d)
			}
			if attempt == 1 && d > 4*time.Millisecond+1 {
				t.Fatalf("TxBackoff(1) = %v, want at most 4ms", d)
			}
		}
	}
}

package http

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

// conflictingStore is a real store whose write transactions, while
// conflicting is set, fail at Commit with a retryable error (after rolling
// back), as a store fails a transaction that lost a conflict with a
// concurrent one.
type conflictingStore struct {
	fanclub.Store
	conflicting *atomic.Bool
	commits     *atomic.Int64 // failed commits
}

// BeginTx begins a transaction of the real store.
func (s conflictingStore) BeginTx(ctx context.Context, write bool) (fanclub.Tx, error) {
	tx, err := s.Store.BeginTx(ctx, write)
	if err != nil || !write {
		return tx, err
	}
	return conflictingTx{Tx: tx, s: s}, nil
}

type conflictingTx struct {
	fanclub.Tx
	s conflictingStore
}

// Commit fails with a retryable error while the store is conflicting.
func (t conflictingTx) Commit() error {
	if t.s.conflicting.Load() {
		_ = t.Tx.Rollback()
		t.s.commits.Add(1)
		return &fanclub.RetryableError{Op: "commit", Err: errors.New("could not serialize access")}
	}
	return t.Tx.Commit()
}

func TestProblemOfARetryableErrorIsBusy(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("commit: %w", &fanclub.RetryableError{Op: "commit", Err: errors.New("deadlock detected")})
	p := problemOf(err)
	if p.Status != 503 || p.Code != CodeBusy || p.RetryAfter != BusyRetryAfter || p.Title == "" {
		t.Fatalf("problem of a retryable error = %+v, want 503 busy with retry_after %d", p, BusyRetryAfter)
	}
	if p := problemOf(errors.New("disk on fire")); p.Status != 500 || p.Code != fanclub.EINTERNAL {
		t.Fatalf("problem of another error = %+v, want 500 internal", p)
	}
}

func TestConflictsOutlastingTheRetriesAre503(t *testing.T) {
	t.Parallel()
	eachStore(t, testConflictsOutlastingTheRetriesAre503)
}

// testConflictsOutlastingTheRetriesAre503 joins a club while every commit
// conflicts: the engine runs the transaction fanclub.MaxTxAttempts times,
// then the API answers 503 busy with Retry-After, and nothing changed; a
// retry after the conflicts end succeeds.
func testConflictsOutlastingTheRetriesAre503(t *testing.T, open teststores.Open) {
	t.Parallel()
	var conflicting atomic.Bool
	var commits atomic.Int64
	a := newTestAPI(t, func(t teststores.T, now func() time.Time) fanclub.Store {
		return conflictingStore{Store: open(t, now), conflicting: &conflicting, commits: &commits}
	})
	_, fanToken := a.newFan("busy_fan")
	_, creatorToken := a.newCreator("busy_creator")
	club := a.newClub(creatorToken, "Busy club", "fair")
	path := fmt.Sprintf("/v1/clubs/%d/membership", club.ID)

	conflicting.Store(true)
	res := a.must(503, "PUT", path, fanToken, nil)
	conflicting.Store(false)
	if p := res.Problem(t); p.Code != CodeBusy || p.RetryAfter != BusyRetryAfter {
		t.Fatalf("problem %+v, want busy with retry_after %d", p, BusyRetryAfter)
	}
	if got := res.Header.Get("Retry-After"); got != strconv.Itoa(BusyRetryAfter) {
		t.Fatalf("Retry-After = %q, want %d", got, BusyRetryAfter)
	}
	if n := commits.Load(); n != fanclub.MaxTxAttempts {
		t.Fatalf("%d failed commits, want the engine's %d attempts", n, fanclub.MaxTxAttempts)
	}
	a.must(404, "GET", path, fanToken, nil)
	a.must(201, "PUT", path, fanToken, nil)
}

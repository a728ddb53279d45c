package postgres

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"fanclub"
)

// TestClassify checks how database errors map to the domain: conflicts
// with concurrent transactions are retryable, key violations are
// conflicts or invalid input, the rest internal.
func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code      string
		retryable bool
		want      string
	}{
		{"40001", true, fanclub.EINTERNAL},
		{"40P01", true, fanclub.EINTERNAL},
		{"23505", false, fanclub.ECONFLICT},
		{"23503", false, fanclub.EINVALID},
		{"42P01", false, fanclub.EINTERNAL},
	}
	for _, tc := range tests {
		err := classify("op", &pgconn.PgError{Code: tc.code, Message: "m"})
		if got := fanclub.IsRetryable(err); got != tc.retryable {
			t.Errorf("SQLSTATE %s: retryable %v, want %v", tc.code, got, tc.retryable)
		}
		if got := fanclub.ErrorCode(err); got != tc.want {
			t.Errorf("SQLSTATE %s: code %q, want %q", tc.code, got, tc.want)
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) && tc.retryable {
			t.Errorf("SQLSTATE %s: the driver error is not kept in the chain", tc.code)
		}
	}
	if fanclub.IsRetryable(classify("op", errors.New("connection refused"))) {
		t.Error("a connection error is retryable")
	}
}

package postgres_test

import (
	"testing"
	"time"

	"fanclub"
	"fanclub/postgres"
	"fanclub/postgres/pgtest"
	"fanclub/storetest"
)

// TestStore runs the store behaviour suite on PostgreSQL, each case in its
// own schema.
func TestStore(t *testing.T) {
	pgtest.URL(t)
	t.Run("postgres", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, now func() time.Time) fanclub.Store {
			return pgtest.Open(t, postgres.Options{Now: now})
		})
	})
}

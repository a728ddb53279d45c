package sqlite

import (
	"context"
	"fmt"

	"fanclub"
)

var _ fanclub.ReadinessChecker = (*DB)(nil)

// Ready returns an error unless the database answers and has applied every
// migration this build embeds.
func (db *DB) Ready(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	want := ms[len(ms)-1].version
	var have int
	if err := db.reader.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return internal("readiness", err)
	}
	if have < want {
		return fmt.Errorf("sqlite: schema at migration %d, this build needs %d: %w", have, want,
			fanclub.Errorf(fanclub.EINTERNAL, "Storage not migrated."))
	}
	return nil
}

package postgres

import (
	"context"
	"time"
)

// PurgeEvents deletes fan's events in club at or before upTo. The rows
// are gone from every query once the transaction commits; their bytes
// stay in the table's and the primary key's pages (and in the WAL) until
// vacuum reclaims the space and later writes reuse it: see migration 0011
// (autovacuum of events) and docs/privacy.md, "Purge mechanics per store".
func (t *Tx) PurgeEvents(ctx context.Context, fanID, clubID int64, upTo time.Time) (int64, error) {
	tag, err := t.exec(ctx, "purge events", qPurgeEvents, fanID, clubID, ts(upTo))
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

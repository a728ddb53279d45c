package postgres

import (
	"context"
	"time"

	"fanclub"
)

// PurgeEvents deletes fan's events in club at or before upTo, except
// those of the actions in keep. The rows are gone from every query once
// the transaction commits; their bytes stay in the table's and the
// primary key's pages (and in the WAL) until vacuum reclaims the space
// and later writes reuse it: see migration 0011 (autovacuum of events)
// and docs/privacy.md, "Purge mechanics per store".
func (t *Tx) PurgeEvents(ctx context.Context, fanID, clubID int64, upTo time.Time, keep []fanclub.Action) (fanclub.EventPurge, error) {
	actions := make([]string, len(keep))
	for i, a := range keep {
		actions[i] = string(a)
	}
	var res fanclub.EventPurge
	err := t.queryRow(ctx, "purge events", qPurgeEvents, []any{fanID, clubID, ts(upTo), actions}, &res.Deleted, &res.Kept)
	return res, err
}

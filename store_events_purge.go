package fanclub

import (
	"context"
	"time"
)

// EventPurgeTx deletes behaviour-log events for good.
//
// A purge forgets the purged ids as well: the store keeps no trace of
// them (not even for event-id deduplication), so an event re-sent with a
// purged id afterwards is judged as a new one — stored again if ingest
// accepts it (a fan who has left is refused as not a member). Each store
// documents how the purged bytes leave its files (docs/privacy.md,
// "Purge mechanics per store").
type EventPurgeTx interface {
	// PurgeEvents deletes fan's interaction events in club whose time is at
	// or before upTo, from every read path (ListEvents, exports, counts
	// that read the log), and returns how many it deleted. It is
	// idempotent: a second call deletes nothing and returns 0.
	PurgeEvents(ctx context.Context, fanID, clubID int64, upTo time.Time) (int64, error)
}

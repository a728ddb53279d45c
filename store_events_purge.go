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
	// or before upTo, except those whose action is in keep (nil: none
	// kept), from every read path (ListEvents, exports, counts that read
	// the log). It reports how many it deleted and how many events up to
	// upTo it kept for their action. It is idempotent: a second call
	// deletes nothing and reports the same kept count.
	PurgeEvents(ctx context.Context, fanID, clubID int64, upTo time.Time, keep []Action) (EventPurge, error)
}

// EventPurge is what one PurgeEvents call did.
type EventPurge struct {
	// Deleted is how many events the purge deleted.
	Deleted int64
	// Kept is how many events at or before the purge's time stay because
	// their action is in the purge's keep set.
	Kept int64
}

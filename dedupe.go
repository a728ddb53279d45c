package fanclub

import "time"

// DefaultDedupeWindow is the default retry window of event ids: a store
// recognises an event id it has stored as a duplicate for at least this
// long after the event's time, and may forget it afterwards, so that what
// it keeps for deduplication grows with the window, not with the whole
// behaviour log. Like an idempotency key's retention, it bounds how late
// a producer may retry; it must be at least the event window
// (Limits.EventWindow), beyond which ingest refuses an event as too old
// anyway, so a retry can never be stored twice.
const DefaultDedupeWindow = 7 * 24 * time.Hour

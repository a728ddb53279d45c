package sqlite

import (
	"context"
	"time"
)

// A producer batch's stored result answers its retries for the dedupe
// window, like the ids of its events: each SaveBatch deletes the oldest
// stored results (by row, which follows the order they were saved in) if
// they were saved more than the window before the transaction's time. A
// save looks at the two oldest rows and deletes at most those, one more
// than it adds, so the table drains to about a window of batches without
// a sweep. A retry after its result is gone runs the batch
// again: its events are duplicates within the window, and older ones are
// refused as too old (the window is at least the event window).

// qExpireBatches deletes those of the two oldest results saved before ?.
const qExpireBatches = `DELETE FROM batches WHERE id IN (SELECT id FROM batches ORDER BY id LIMIT 2) AND created_at < ?`

// expireBatches deletes the oldest batch results older than the window.
func (t *Tx) expireBatches(ctx context.Context) error {
	if _, err := t.execOne(ctx, qExpireBatches, ts(t.now.Add(-time.Duration(t.db.events.window)))); err != nil {
		return wrap("batch expiry", err)
	}
	return nil
}

package postgres

import "context"

// expireBatches deletes up to two batch results saved more than the
// dedupe window before the transaction's time: each SaveBatch drops one
// more than it adds, so the table drains to about a window of batches
// without a sweep. A retry after its result is gone runs the batch again:
// its events are duplicates (the events table keeps their ids), and
// events older than the event window are refused as too old.
func (t *Tx) expireBatches(ctx context.Context) error {
	_, err := t.exec(ctx, "batch expiry", qExpireBatches, ts(t.now.Add(-t.db.dedupe)))
	return err
}

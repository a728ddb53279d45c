-- Batch results are kept for the dedupe window: each save deletes up to
-- two results saved before the window, found through this index (oldest
-- first) instead of a scan of the table.
CREATE INDEX batches_created ON batches(created_at);

package postgres

// The behaviour log's lifecycle: purges and the expiry of batch results.
const (
	// qPurgeEvents deletes a member's events up to $3 whose action is not
	// in $4 and counts those it keeps for their action (the count reads
	// the statement's snapshot, which the kept rows are in either way).
	qPurgeEvents = `WITH gone AS (
 DELETE FROM events WHERE fan_id = $1 AND club_id = $2 AND at <= $3 AND action <> ALL($4::text[]) RETURNING 1)
SELECT (SELECT count(*) FROM gone),
 (SELECT count(*) FROM events WHERE fan_id = $1 AND club_id = $2 AND at <= $3 AND action = ANY($4::text[]))`
	// qExpireBatches deletes up to two of the oldest batch results saved
	// before $1 (through batches_created), skipping rows another
	// transaction is deleting, so concurrent saves do not queue on them.
	qExpireBatches = `DELETE FROM batches WHERE ctid = ANY(ARRAY(
 SELECT ctid FROM batches WHERE created_at < $1 ORDER BY created_at LIMIT 2 FOR UPDATE SKIP LOCKED))`
)

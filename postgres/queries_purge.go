package postgres

// Purging the behaviour log.
const (
	qPurgeEvents = `DELETE FROM events WHERE fan_id = $1 AND club_id = $2 AND at <= $3`
)

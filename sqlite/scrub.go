package sqlite

import "context"

// scrubWAL copies the write-ahead log into the database file and truncates
// it to zero bytes (PRAGMA wal_checkpoint(TRUNCATE)) after a purge: the
// WAL's frames are page images, and older frames may still hold the purged
// events' bytes until the log is reset. It waits (up to the busy timeout)
// for read transactions on older snapshots to end; when some are still
// open, the scrub stays pending (db.scrub) and the next commit or Close
// tries again. The caller holds db.wmu. A :memory: database has
// no files to scrub.
func (db *DB) scrubWAL(ctx context.Context) {
	if db.reader == db.writer {
		return
	}
	db.scrub.Store(true)
	var busy, frames, done int
	err := db.writer.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done)
	if err != nil || busy != 0 {
		db.log.Warn("sqlite WAL scrub pending", "err", err, "busy", busy)
		return
	}
	db.scrub.Store(false)
}

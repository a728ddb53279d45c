-- batches holds each producer batch's result, a blob of ~20 bytes per
-- event. In a WITHOUT ROWID table a row that size spills out of the key
-- B-tree on every insert; a rowid table keeps the blob in its own pages
-- and a small unique index on (producer, seq) for lookups.
CREATE TABLE batches_rowid (
	id         INTEGER PRIMARY KEY,
	producer   TEXT    NOT NULL,
	seq        INTEGER NOT NULL,
	result     BLOB    NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (producer, seq)
);
INSERT INTO batches_rowid(producer, seq, result, created_at)
SELECT producer, seq, result, created_at FROM batches ORDER BY created_at;
DROP TABLE batches;
ALTER TABLE batches_rowid RENAME TO batches;

-- Tokens get an id (to revoke one by), an expiry and a revocation time.
-- A token issued before this migration had no end: it now expires 30 days
-- after it was issued (the default token lifetime), so the admin tokens
-- earlier builds printed on every start stop working in time.
CREATE TABLE tokens_new (
	id         INTEGER PRIMARY KEY,
	hash       TEXT    NOT NULL UNIQUE,
	role       TEXT    NOT NULL,
	subject_id INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	revoked_at INTEGER
);
INSERT INTO tokens_new(hash, role, subject_id, created_at, expires_at)
	SELECT hash, role, subject_id, created_at, created_at + 2592000000000000 FROM tokens ORDER BY created_at, hash;
DROP TABLE tokens;
ALTER TABLE tokens_new RENAME TO tokens;
-- tokens_live serves the bootstrap's "is there a live admin token" check.
CREATE INDEX tokens_live ON tokens(role, expires_at) WHERE revoked_at IS NULL;

-- A fan has at most one pending exit request per club: of the pending
-- requests stored before, the newest stays pending and the others are
-- superseded; the partial unique index keeps it so.
UPDATE exit_requests SET status = 'superseded'
 WHERE status = 'pending' AND EXISTS (
	SELECT 1 FROM exit_requests AS n
	 WHERE n.fan_id = exit_requests.fan_id AND n.club_id = exit_requests.club_id AND n.status = 'pending'
	   AND (n.created_at > exit_requests.created_at
	        OR (n.created_at = exit_requests.created_at AND n.rowid > exit_requests.rowid)));
CREATE UNIQUE INDEX exit_requests_one_pending ON exit_requests(fan_id, club_id) WHERE status = 'pending';

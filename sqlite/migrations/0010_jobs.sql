-- jobs is the durable job queue (fanclub.Job): renewals, reminders,
-- retries, deliveries. key is unique over every job ever enqueued, so an
-- enqueue is idempotent. A runner claims pending jobs by due time through
-- jobs_due, leasing them (leased_by, lease_until) so that two processes
-- never run one job at once. done_at is NULL while the job is pending.
CREATE TABLE jobs (
	id          INTEGER PRIMARY KEY,
	kind        TEXT    NOT NULL,
	key         TEXT    NOT NULL UNIQUE,
	payload     BLOB    NOT NULL,
	due_at      INTEGER NOT NULL,
	state       TEXT    NOT NULL,
	attempts    INTEGER NOT NULL,
	leased_by   TEXT    NOT NULL,
	lease_until INTEGER NOT NULL,
	last_error  TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	done_at     INTEGER
);
CREATE INDEX jobs_due ON jobs(state, due_at, id);

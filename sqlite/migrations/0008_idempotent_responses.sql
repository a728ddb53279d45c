-- idempotent_responses holds the first response to each request sent with
-- an Idempotency-Key, per principal (scope) and key, until it expires.
-- Retries within the retention get the stored response back; expired rows
-- are replaced on the key's next use and dropped a few at a time on saves.
CREATE TABLE idempotent_responses (
	scope        TEXT    NOT NULL,
	key          TEXT    NOT NULL,
	fingerprint  TEXT    NOT NULL,
	route        TEXT    NOT NULL,
	status       INTEGER NOT NULL,
	content_type TEXT    NOT NULL,
	location     TEXT    NOT NULL,
	body         BLOB    NOT NULL,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	PRIMARY KEY (scope, key)
);
CREATE INDEX idempotent_responses_expiry ON idempotent_responses(expires_at);

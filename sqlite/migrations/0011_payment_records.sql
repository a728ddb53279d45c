-- payment_records holds the records payment providers keep in the store
-- (the built-in sandbox provider's charges, refunds, agreements and decline
-- rules). A record is unique per provider by its key (the idempotency key
-- of the request that made it) and, once set, by its id. seq numbers the
-- records in the order they were saved.
CREATE TABLE payment_records (
	seq        INTEGER PRIMARY KEY,
	provider   TEXT    NOT NULL,
	kind       TEXT    NOT NULL,
	id         TEXT    NOT NULL,
	key        TEXT    NOT NULL,
	fan_id     INTEGER NOT NULL,
	amount     INTEGER NOT NULL,
	currency   TEXT    NOT NULL,
	status     TEXT    NOT NULL,
	ref        TEXT    NOT NULL,
	body       BLOB    NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX payment_records_key ON payment_records(provider, key);
CREATE UNIQUE INDEX payment_records_id ON payment_records(provider, id) WHERE id <> '';
CREATE INDEX payment_records_fan ON payment_records(provider, kind, fan_id, seq);

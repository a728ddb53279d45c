-- payments: the engine's record of each charge and refund through the
-- payment provider, unique by idempotency key. A payment is recorded
-- pending before the provider is called and settled with its answer.
CREATE TABLE payments (
	id           INTEGER PRIMARY KEY,
	key          TEXT    NOT NULL UNIQUE,
	fan_id       INTEGER NOT NULL,
	club_id      INTEGER NOT NULL,
	kind         TEXT    NOT NULL,
	purpose      TEXT    NOT NULL,
	amount       INTEGER NOT NULL,
	currency     TEXT    NOT NULL,
	coins        INTEGER NOT NULL,
	status       TEXT    NOT NULL,
	provider_ref TEXT    NOT NULL,
	decline_code TEXT    NOT NULL,
	created_at   INTEGER NOT NULL,
	settled_at   INTEGER
);
CREATE INDEX payments_fan ON payments(fan_id, id);

-- gifts: every gift a fan sent, with its coins, money value and the
-- creator's pending share; unique by idempotency key.
CREATE TABLE gifts (
	id         INTEGER PRIMARY KEY,
	key        TEXT    NOT NULL UNIQUE,
	fan_id     INTEGER NOT NULL,
	club_id    INTEGER NOT NULL,
	creator_id INTEGER NOT NULL,
	coins      INTEGER NOT NULL,
	value      INTEGER NOT NULL,
	share      INTEGER NOT NULL,
	currency   TEXT    NOT NULL,
	points     INTEGER NOT NULL,
	event_id   TEXT    NOT NULL,
	at         INTEGER NOT NULL
);
CREATE INDEX gifts_fan ON gifts(fan_id, club_id, at);

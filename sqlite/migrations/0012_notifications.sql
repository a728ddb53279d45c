-- notifications is the outbox of messages to fans (and creators), in the
-- order they were stored (seq); id says what a notification is about and
-- deduplicates it. kind is free text: the kinds are the domain's catalogue.
-- title and body are the rendered texts, data the facts, as JSON.
CREATE TABLE notifications (
	seq            INTEGER PRIMARY KEY AUTOINCREMENT,
	id             TEXT    NOT NULL UNIQUE,
	recipient_kind TEXT    NOT NULL,
	recipient_id   INTEGER NOT NULL,
	club_id        INTEGER NOT NULL,
	kind           TEXT    NOT NULL,
	at             INTEGER NOT NULL,
	data           TEXT    NOT NULL,
	title_zh       TEXT    NOT NULL,
	title_en       TEXT    NOT NULL,
	body_zh        TEXT    NOT NULL,
	body_en        TEXT    NOT NULL
);
CREATE INDEX notifications_recipient ON notifications(recipient_kind, recipient_id, seq);

-- webhook_deliveries is the sending of notifications to the webhook: a
-- pending delivery is due at next_at and leased by lease_owner until
-- lease_until (0: not leased); attempts counts its claims.
CREATE TABLE webhook_deliveries (
	notification_id TEXT    PRIMARY KEY REFERENCES notifications(id),
	state           TEXT    NOT NULL,
	attempts        INTEGER NOT NULL,
	next_at         INTEGER NOT NULL,
	lease_owner     TEXT    NOT NULL,
	lease_until     INTEGER NOT NULL,
	last_error      TEXT    NOT NULL,
	updated_at      INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_at);

-- notifications is the outbox of messages to fans (and creators), in the
-- order they were stored (seq); id says what a notification is about and
-- deduplicates it. kind is free text: the kinds are the domain's catalogue.
-- title and body are the rendered texts, data the facts, as JSON text.
-- Writers of one recipient's notifications hold a transaction advisory
-- lock on the recipient, so a recipient's seqs commit in order.
CREATE TABLE notifications (
	seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id             TEXT COLLATE "C" NOT NULL UNIQUE,
	recipient_kind TEXT   NOT NULL,
	recipient_id   BIGINT NOT NULL,
	club_id        BIGINT NOT NULL,
	kind           TEXT   NOT NULL,
	at             BIGINT NOT NULL,
	data           TEXT   NOT NULL,
	title_zh       TEXT   NOT NULL,
	title_en       TEXT   NOT NULL,
	body_zh        TEXT   NOT NULL,
	body_en        TEXT   NOT NULL
);
CREATE INDEX notifications_recipient ON notifications(recipient_kind, recipient_id, seq);

-- webhook_deliveries is the sending of notifications to the webhook: a
-- pending delivery is due at next_at and leased by lease_owner until
-- lease_until (0: not leased); attempts counts its claims. Claimers lock
-- due rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE webhook_deliveries (
	notification_id TEXT COLLATE "C" PRIMARY KEY REFERENCES notifications(id),
	state           TEXT    NOT NULL,
	attempts        INTEGER NOT NULL,
	next_at         BIGINT  NOT NULL,
	lease_owner     TEXT    NOT NULL,
	lease_until     BIGINT  NOT NULL,
	last_error      TEXT    NOT NULL,
	updated_at      BIGINT  NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_at, notification_id) WHERE state = 'pending';

-- fan_ages: a fan's birth date and how it was established (dimension 7).
CREATE TABLE fan_ages (
	fan_id     INTEGER PRIMARY KEY,
	birth_date TEXT    NOT NULL,
	method     TEXT    NOT NULL,
	ref        TEXT    NOT NULL,
	set_at     INTEGER NOT NULL
);

-- guardian_links: a guardian's account linked to a minor's, once both
-- consented; removed links stay as history.
CREATE TABLE guardian_links (
	id          INTEGER PRIMARY KEY,
	guardian_id INTEGER NOT NULL,
	minor_id    INTEGER NOT NULL,
	status      TEXT    NOT NULL,
	unlink_by   TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX guardian_links_minor ON guardian_links(minor_id, id);
CREATE INDEX guardian_links_guardian ON guardian_links(guardian_id, id);

-- guardian_refunds: a guardian's requests to refund a minor's spending,
-- with the filed document's metadata and an operator's decision.
CREATE TABLE guardian_refunds (
	id          INTEGER PRIMARY KEY,
	key         TEXT    NOT NULL UNIQUE,
	guardian_id INTEGER NOT NULL,
	minor_id    INTEGER NOT NULL,
	since       INTEGER,
	until       INTEGER,
	status      TEXT    NOT NULL,
	document    TEXT    NOT NULL,
	amount      INTEGER NOT NULL,
	currency    TEXT    NOT NULL,
	coins       INTEGER NOT NULL,
	gifts       INTEGER NOT NULL,
	decided_by  TEXT    NOT NULL,
	note        TEXT    NOT NULL,
	decided_at  INTEGER,
	created_at  INTEGER NOT NULL
);
CREATE INDEX guardian_refunds_minor ON guardian_refunds(minor_id, id);

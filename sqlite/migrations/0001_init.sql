-- Initial schema. Times are INTEGER Unix nanoseconds (UTC); 0 or NULL is
-- the zero time. JSON columns hold values the domain owns as structures.

CREATE TABLE fans (
	id            INTEGER PRIMARY KEY,
	handle        TEXT    NOT NULL UNIQUE,
	password_hash TEXT    NOT NULL,
	created_at    INTEGER NOT NULL
);

CREATE TABLE creators (
	id         INTEGER PRIMARY KEY,
	handle     TEXT    NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);

CREATE TABLE clubs (
	id         INTEGER PRIMARY KEY,
	creator_id INTEGER NOT NULL REFERENCES creators(id),
	name       TEXT    NOT NULL,
	policy     TEXT    NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX clubs_creator ON clubs(creator_id, id);

CREATE TABLE memberships (
	fan_id              INTEGER NOT NULL REFERENCES fans(id),
	club_id             INTEGER NOT NULL REFERENCES clubs(id),
	status              TEXT    NOT NULL,
	level               INTEGER NOT NULL,
	level_points        INTEGER NOT NULL,
	joined_at           INTEGER NOT NULL,
	last_interaction_at INTEGER NOT NULL,
	left_at             INTEGER NOT NULL,
	exits               INTEGER NOT NULL,
	retained            TEXT,
	rejoin_after        INTEGER NOT NULL,
	version             INTEGER NOT NULL,
	PRIMARY KEY (fan_id, club_id)
) WITHOUT ROWID;
CREATE INDEX memberships_club ON memberships(club_id, fan_id);

-- daily_points: the points one action earned one fan in one club on one day.
CREATE TABLE daily_points (
	fan_id  INTEGER NOT NULL,
	club_id INTEGER NOT NULL,
	day     TEXT    NOT NULL,
	action  TEXT    NOT NULL,
	points  INTEGER NOT NULL,
	PRIMARY KEY (fan_id, club_id, day, action)
) WITHOUT ROWID;

-- events: the behaviour log; id is the producer's idempotency key.
CREATE TABLE events (
	id      TEXT    PRIMARY KEY,
	fan_id  INTEGER NOT NULL,
	club_id INTEGER NOT NULL,
	action  TEXT    NOT NULL,
	amount  INTEGER NOT NULL,
	at      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX events_member ON events(fan_id, club_id, at);

-- general_point_entries: the ledger; a fan's balance is SUM(delta).
CREATE TABLE general_point_entries (
	id         INTEGER PRIMARY KEY,
	fan_id     INTEGER NOT NULL,
	delta      INTEGER NOT NULL,
	reason     TEXT    NOT NULL,
	key        TEXT    UNIQUE,
	created_at INTEGER NOT NULL
);
CREATE INDEX general_point_entries_fan ON general_point_entries(fan_id);

CREATE TABLE effects (
	id             INTEGER PRIMARY KEY,
	fan_id         INTEGER NOT NULL,
	club_id        INTEGER NOT NULL,
	kind           TEXT    NOT NULL,
	scope          TEXT    NOT NULL,
	start          INTEGER NOT NULL,
	until          INTEGER,
	ends_on_rejoin INTEGER NOT NULL,
	factor         REAL    NOT NULL,
	actions        TEXT    NOT NULL
);
CREATE INDEX effects_fan ON effects(fan_id, club_id);

CREATE TABLE exit_requests (
	id                 TEXT    PRIMARY KEY,
	fan_id             INTEGER NOT NULL,
	club_id            INTEGER NOT NULL,
	status             TEXT    NOT NULL,
	created_at         INTEGER NOT NULL,
	expires_at         INTEGER NOT NULL,
	challenges         TEXT    NOT NULL,
	choices            TEXT    NOT NULL,
	attempts           INTEGER NOT NULL,
	max_attempts       INTEGER NOT NULL,
	captcha_code       TEXT    NOT NULL,
	slider_target      INTEGER NOT NULL,
	slider_width       INTEGER NOT NULL,
	slider_tolerance   INTEGER NOT NULL,
	membership_version INTEGER NOT NULL,
	impact             TEXT    NOT NULL
);
CREATE INDEX exit_requests_member ON exit_requests(fan_id, club_id);

-- batches: the stored result of each producer batch, for exactly-once retries.
CREATE TABLE batches (
	producer   TEXT    NOT NULL,
	seq        INTEGER NOT NULL,
	result     TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (producer, seq)
) WITHOUT ROWID;

CREATE TABLE tokens (
	hash       TEXT    PRIMARY KEY,
	role       TEXT    NOT NULL,
	subject_id INTEGER NOT NULL,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;

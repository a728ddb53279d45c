-- devices: the device identifiers recorded for a fan in a club (at a
-- login while a member, or from an event that carries one), with first
-- and last seen (Unix nanoseconds) and the state that says whether later
-- sightings still move last seen (live, refresh) or not (frozen).
CREATE TABLE devices (
	fan_id     INTEGER NOT NULL,
	club_id    INTEGER NOT NULL,
	device_id  TEXT    NOT NULL,
	first_seen INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	state      TEXT    NOT NULL,
	PRIMARY KEY (fan_id, club_id, device_id)
) WITHOUT ROWID;
CREATE INDEX devices_fan_device ON devices(fan_id, device_id);

-- follows: a fan follows a creator since at.
CREATE TABLE follows (
	fan_id     INTEGER NOT NULL,
	creator_id INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (fan_id, creator_id)
) WITHOUT ROWID;

-- deletion_receipts: one row per purge, erasure, hold or anonymisation of
-- a fan's personal data: whose, what, how many, when, the rule and its
-- basis; never the data. until is the end of a hold (0: none).
CREATE TABLE deletion_receipts (
	id       INTEGER PRIMARY KEY,
	fan_id   INTEGER NOT NULL,
	club_id  INTEGER NOT NULL,
	category TEXT    NOT NULL,
	action   TEXT    NOT NULL,
	count    INTEGER NOT NULL,
	at       INTEGER NOT NULL,
	until    INTEGER NOT NULL,
	rule     TEXT    NOT NULL,
	basis    TEXT    NOT NULL
);
CREATE INDEX deletion_receipts_fan ON deletion_receipts(fan_id, id);

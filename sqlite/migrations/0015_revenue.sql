-- Creator revenue: weekly settlements and their lines, the revenue side
-- of exits, holds (douyin's frozen shares) and reviews (kuaishou's flag).

-- gifts_club_at lets a settlement read one club-week of gifts through an
-- index, never the gifts of other weeks.
CREATE INDEX gifts_club_at ON gifts(club_id, at);

-- settlements: one per club and week (week = its Monday 00:00 in the
-- policy's time zone, as a UTC instant).
CREATE TABLE settlements (
	id            INTEGER PRIMARY KEY,
	club_id       INTEGER NOT NULL,
	creator_id    INTEGER NOT NULL,
	week          INTEGER NOT NULL,
	state         TEXT    NOT NULL,
	currency      TEXT    NOT NULL,
	settled       INTEGER NOT NULL,
	reversed      INTEGER NOT NULL,
	frozen        INTEGER NOT NULL,
	released      INTEGER NOT NULL,
	task_goal     INTEGER NOT NULL,
	task_progress INTEGER NOT NULL,
	task_met      INTEGER NOT NULL,
	created_at    INTEGER NOT NULL,
	settled_at    INTEGER,
	UNIQUE (club_id, week)
);
CREATE INDEX settlements_creator ON settlements(creator_id, week);

-- settlement_lines: a settlement's sums per fan and outcome.
CREATE TABLE settlement_lines (
	settlement_id INTEGER NOT NULL,
	fan_id        INTEGER NOT NULL,
	outcome       TEXT    NOT NULL,
	gifts         INTEGER NOT NULL,
	coins         INTEGER NOT NULL,
	value         INTEGER NOT NULL,
	share         INTEGER NOT NULL,
	PRIMARY KEY (settlement_id, fan_id, outcome)
);

-- revenue_exits: what each confirmed exit did to revenue and tasks.
CREATE TABLE revenue_exits (
	id              INTEGER PRIMARY KEY,
	key             TEXT    NOT NULL UNIQUE,
	fan_id          INTEGER NOT NULL,
	club_id         INTEGER NOT NULL,
	creator_id      INTEGER NOT NULL,
	at              INTEGER NOT NULL,
	week            INTEGER NOT NULL,
	handling        TEXT    NOT NULL,
	unsettled_coins INTEGER NOT NULL,
	unsettled_share INTEGER NOT NULL,
	returned_coins  INTEGER NOT NULL,
	damages_paid    INTEGER NOT NULL,
	damages_owed    INTEGER NOT NULL,
	week_points     INTEGER NOT NULL,
	forfeit_week    INTEGER NOT NULL,
	bar_until       INTEGER,
	bar_forever     INTEGER NOT NULL
);
CREATE INDEX revenue_exits_fan ON revenue_exits(fan_id, at);
CREATE INDEX revenue_exits_club ON revenue_exits(club_id, at);

-- revenue_holds: a creator's pending share frozen by an exit until an
-- operator releases or voids it.
CREATE TABLE revenue_holds (
	id          INTEGER PRIMARY KEY,
	key         TEXT    NOT NULL UNIQUE,
	creator_id  INTEGER NOT NULL,
	club_id     INTEGER NOT NULL,
	fan_id      INTEGER NOT NULL,
	currency    TEXT    NOT NULL,
	amount      INTEGER NOT NULL,
	state       TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	resolved_at INTEGER,
	resolved_by TEXT    NOT NULL,
	reason      TEXT    NOT NULL,
	settled     INTEGER NOT NULL
);
CREATE INDEX revenue_holds_state ON revenue_holds(state, creator_id);
CREATE INDEX revenue_holds_club ON revenue_holds(club_id, state);

-- revenue_reviews: a creator flagged for review; at most one open each.
CREATE TABLE revenue_reviews (
	id         INTEGER PRIMARY KEY,
	key        TEXT    NOT NULL UNIQUE,
	creator_id INTEGER NOT NULL,
	club_id    INTEGER NOT NULL,
	fan_id     INTEGER NOT NULL,
	state      TEXT    NOT NULL,
	opened_at  INTEGER NOT NULL,
	closed_at  INTEGER,
	closed_by  TEXT    NOT NULL,
	reason     TEXT    NOT NULL
);
CREATE INDEX revenue_reviews_state ON revenue_reviews(state, creator_id);

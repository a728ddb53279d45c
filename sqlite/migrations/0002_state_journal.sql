-- state_journal: the redo journal of the write-behind state. Each write
-- transaction that changes memberships or daily counters appends one row
-- (the changed rows, binary-encoded; see sqlite/journal.go) while the
-- tables themselves are updated by checkpoints, which delete the rows they
-- have applied. Open replays the rows left by a crash. Every write
-- transaction appends a row (possibly empty), so the largest id ever
-- assigned (AUTOINCREMENT: never reused) tells a process whether another
-- one has written since it last looked.
CREATE TABLE state_journal (
	id   INTEGER PRIMARY KEY AUTOINCREMENT,
	body BLOB    NOT NULL
);

-- event_index serves ListEvents in place of the events_member index, which
-- cost a random leaf write per ingested event. Ingest appends to events
-- (whose key is the event id) and journals the new events; checkpoints
-- add them here, and ListEvents also reads the not yet indexed ones from
-- memory.
DROP INDEX events_member;
CREATE TABLE event_index (
	fan_id  INTEGER NOT NULL,
	club_id INTEGER NOT NULL,
	at      INTEGER NOT NULL,
	id      TEXT    NOT NULL,
	PRIMARY KEY (fan_id, club_id, at, id)
) WITHOUT ROWID;
INSERT INTO event_index(fan_id, club_id, at, id) SELECT fan_id, club_id, at, id FROM events;

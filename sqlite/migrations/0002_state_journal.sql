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

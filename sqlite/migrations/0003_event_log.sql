-- event_log replaces events and event_index as the behaviour log: one row
-- per write transaction that stored events, whose body holds them all
-- (sqlite/eventlog.go). A batch of 1 000 events is then a few sequential
-- pages instead of 2 000 B-tree inserts. Event-id uniqueness and the
-- per-member lookup are served by an index the store keeps in memory and
-- rebuilds from this table on open.
--
-- format 0: a JSON array of [id, fan_id, club_id, action, amount, at]
-- (the rows moved here from events); format 1: the binary encoding.
CREATE TABLE event_log (
	id     INTEGER PRIMARY KEY,
	format INTEGER NOT NULL,
	body   BLOB    NOT NULL
);
INSERT INTO event_log(format, body)
SELECT 0, json_group_array(json_array(id, fan_id, club_id, action, amount, at))
FROM (SELECT * FROM events ORDER BY at, id)
HAVING count(*) > 0;
DROP TABLE event_index;
DROP TABLE events;

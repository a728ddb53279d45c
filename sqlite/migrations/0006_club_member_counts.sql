-- club_member_counts: each club's number of active memberships, kept equal
-- to the memberships table by every transaction that writes memberships
-- and by every checkpoint, so reading it costs the same for any club size.
CREATE TABLE club_member_counts (
	club_id INTEGER PRIMARY KEY REFERENCES clubs(id),
	active  INTEGER NOT NULL
);
INSERT INTO club_member_counts(club_id, active)
SELECT c.id, (SELECT COUNT(*) FROM memberships AS m WHERE m.club_id = c.id AND m.status = 'active')
FROM clubs AS c;

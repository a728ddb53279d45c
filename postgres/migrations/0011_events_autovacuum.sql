-- Purges delete behaviour-log rows (PurgeEvents). Vacuum the events table
-- after about 1 000 dead rows plus 1 % of the table instead of the default
-- 20 %, so the space of purged rows is reclaimed (and reused by later
-- inserts) soon after a purge rather than after a fifth of the table has
-- died; the primary key's dead entries go in the same vacuum.
ALTER TABLE events SET (
	autovacuum_vacuum_threshold = 1000,
	autovacuum_vacuum_scale_factor = 0.01
);

-- Room on every page of the tables ingest updates in place, so that an
-- update of a membership (points, level, times, version) or of a daily
-- counter can stay on its page as a heap-only tuple (HOT): no new entries
-- in the tables' indexes, which index none of the updated columns. Pages
-- written from now on keep 30 % free; rows stored before keep their pages
-- until the table is rewritten (VACUUM FULL or CLUSTER, at the operator's
-- choice: this migration does not lock the tables for that long).
ALTER TABLE memberships SET (fillfactor = 70);
ALTER TABLE daily_points SET (fillfactor = 70);

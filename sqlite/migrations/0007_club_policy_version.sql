-- A club records the version of its policy it was created under
-- (metadata.version); clubs created before this migration record none.
ALTER TABLE clubs ADD COLUMN policy_version TEXT NOT NULL DEFAULT '';

-- signing_keys: the instance's Ed25519 export signing key (docs/export.md):
-- one row, made on first use. seed is the 32-byte private key seed.
CREATE TABLE signing_keys (
	id         TEXT    PRIMARY KEY,
	seed       BLOB    NOT NULL,
	created_at INTEGER NOT NULL
);

-- imports: histories fans imported from other instances' signed exports,
-- with their provenance; unique per fan and document digest. counts and
-- memberships are JSON (fanclub.Import).
CREATE TABLE imports (
	id              INTEGER PRIMARY KEY,
	fan_id          INTEGER NOT NULL,
	sha256          TEXT    NOT NULL,
	source_instance TEXT    NOT NULL,
	key_id          TEXT    NOT NULL,
	source_fan_id   INTEGER NOT NULL,
	exported_at     INTEGER NOT NULL,
	imported_at     INTEGER NOT NULL,
	counts          TEXT    NOT NULL,
	memberships     TEXT    NOT NULL,
	UNIQUE (fan_id, sha256)
);

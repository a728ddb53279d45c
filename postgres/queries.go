package postgres

// This file is the store's query layer: every SQL statement it runs, and
// nothing else. Statements take $n parameters; pgx prepares each text once
// per connection (its statement cache) and reuses it. Statements over many
// rows take one array per column and unnest them, so a single prepared
// statement serves any number of rows. Lookups of many keys join each key
// to a LATERAL subquery with LIMIT 1, which the planner cannot flatten into
// a hash join: one index probe per key, never a scan of the whole table
// (which, at SERIALIZABLE, would also lock the whole relation against
// concurrent writers).

// Migrations.
const (
	qCreateMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    BIGINT PRIMARY KEY,
	name       TEXT   NOT NULL,
	applied_at BIGINT NOT NULL
)`
	qMigrationApplied = `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`
	qRecordMigration  = `INSERT INTO schema_migrations(version, name, applied_at) VALUES ($1, $2, $3)`
	qSchemaVersion    = `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`
	qAdvisoryLock     = `SELECT pg_advisory_lock($1)`
	qAdvisoryUnlock   = `SELECT pg_advisory_unlock($1)`
)

// Fans, creators and clubs. An insert that hits a unique key inserts
// nothing and returns no row (a conflict), so the transaction stays usable.
const (
	qCreateFan       = `INSERT INTO fans(handle, password_hash, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id`
	qCreateFanWithID = `INSERT INTO fans(id, handle, password_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id`
	qFanCols         = `id, handle, password_hash, created_at`
	qFindFanByID     = `SELECT ` + qFanCols + ` FROM fans WHERE id = $1`
	qFindFanByHandle = `SELECT ` + qFanCols + ` FROM fans WHERE handle = $1`

	qCreateCreator       = `INSERT INTO creators(handle, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id`
	qCreateCreatorWithID = `INSERT INTO creators(id, handle, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id`
	qFindCreator         = `SELECT id, handle, created_at FROM creators WHERE id = $1`

	qCreateClub = `INSERT INTO clubs(creator_id, name, policy, policy_version, created_at)
 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id`
	qCreateClubWithID = `INSERT INTO clubs(id, creator_id, name, policy, policy_version, created_at)
 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`
	qInitMemberCount = `INSERT INTO club_member_counts(club_id, active) VALUES ($1, 0) ON CONFLICT DO NOTHING`
	qClubCols        = `id, creator_id, name, policy, policy_version, created_at`
	qFindClub        = `SELECT ` + qClubCols + ` FROM clubs WHERE id = $1`
	qListClubs       = `SELECT ` + qClubCols + ` FROM clubs WHERE $1::bigint = 0 OR creator_id = $1 ORDER BY id`
	qClubsPage       = `SELECT ` + qClubCols + ` FROM clubs WHERE id > $1 ORDER BY id LIMIT $2`
	qCreatorClubPage = `SELECT ` + qClubCols + ` FROM clubs WHERE creator_id = $1 AND id > $2 ORDER BY id LIMIT $3`
)

// bumpSequence returns the statement that moves a table's id sequence past
// an id inserted explicitly, so later generated ids do not collide with it.
func bumpSequence(table string) string {
	return `SELECT setval(s, $1::bigint) FROM (SELECT pg_get_serial_sequence('` + table + `', 'id')::regclass AS s) AS q
 WHERE COALESCE(pg_sequence_last_value(s), 0) < $1::bigint`
}

var (
	qBumpFans     = bumpSequence("fans")
	qBumpCreators = bumpSequence("creators")
	qBumpClubs    = bumpSequence("clubs")
)

// Memberships and member counts.
const (
	qMembershipCols = `m.fan_id, m.club_id, m.status, m.level, m.level_points, m.joined_at,
 m.last_interaction_at, m.left_at, m.exits, m.retained, m.rejoin_after, m.version`
	qFindMembership  = `SELECT ` + qMembershipCols + ` FROM memberships AS m WHERE m.fan_id = $1 AND m.club_id = $2`
	qFindMemberships = `SELECT ` + qMembershipCols + ` FROM unnest($1::bigint[], $2::bigint[]) AS k(fan_id, club_id)
 CROSS JOIN LATERAL (SELECT * FROM memberships AS m WHERE m.fan_id = k.fan_id AND m.club_id = k.club_id LIMIT 1) AS m`
	// qLockMemberships is qFindMemberships locking each row found, as an
	// UPDATE of its non-key columns does (keys sorted by the caller: rows
	// are locked in key order). At READ COMMITTED a row a concurrent
	// transaction changed is waited for and returned as it committed it.
	qLockMemberships = `SELECT ` + qMembershipCols + ` FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS k(fan_id, club_id, n)
 CROSS JOIN LATERAL (SELECT * FROM memberships AS m WHERE m.fan_id = k.fan_id AND m.club_id = k.club_id LIMIT 1 FOR NO KEY UPDATE) AS m
 ORDER BY k.n`
	qFanMemberships  = `SELECT ` + qMembershipCols + ` FROM memberships AS m WHERE m.fan_id = $1 ORDER BY m.club_id`
	qClubMemberships = `SELECT ` + qMembershipCols + ` FROM memberships AS m WHERE m.club_id = $1 ORDER BY m.fan_id`
	qClubMembersPage = `SELECT ` + qMembershipCols + ` FROM memberships AS m
 WHERE m.club_id = $1 AND m.fan_id > $2 ORDER BY m.fan_id LIMIT $3`
	qFanMembershipsPage = `SELECT ` + qMembershipCols + ` FROM memberships AS m
 WHERE m.fan_id = $1 AND m.club_id > $2 ORDER BY m.club_id LIMIT $3`

	// qSaveMemberships upserts memberships (one array per column, keys
	// unique) and, in the same statement, adds to each club's member count
	// the change in its active memberships: every part of the statement
	// reads the same snapshot, so old holds the rows before the upsert.
	// A save that changes no status leaves the counts untouched.
	qSaveMemberships = `WITH u AS (
	SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[],
		$7::bigint[], $8::bigint[], $9::bigint[], $10::text[], $11::bigint[], $12::bigint[])
	AS u(fan_id, club_id, status, level, level_points, joined_at, last_interaction_at, left_at, exits, retained, rejoin_after, version)
), old AS (
	SELECT m.club_id, m.status FROM u CROSS JOIN LATERAL (SELECT club_id, status FROM memberships AS m
		WHERE m.fan_id = u.fan_id AND m.club_id = u.club_id LIMIT 1) AS m
), saved AS (
	INSERT INTO memberships(fan_id, club_id, status, level, level_points, joined_at, last_interaction_at, left_at,
		exits, retained, rejoin_after, version)
	SELECT * FROM u
	ON CONFLICT (fan_id, club_id) DO UPDATE SET status = excluded.status, level = excluded.level,
		level_points = excluded.level_points, joined_at = excluded.joined_at,
		last_interaction_at = excluded.last_interaction_at, left_at = excluded.left_at, exits = excluded.exits,
		retained = excluded.retained, rejoin_after = excluded.rejoin_after, version = excluded.version
	RETURNING club_id, status
), delta AS (
	SELECT club_id, SUM(d) AS d FROM (
		SELECT club_id, CASE WHEN status = 'active' THEN 1 ELSE 0 END AS d FROM saved
		UNION ALL
		SELECT club_id, CASE WHEN status = 'active' THEN -1 ELSE 0 END FROM old
	) AS x GROUP BY club_id HAVING SUM(d) <> 0
)
INSERT INTO club_member_counts(club_id, active) SELECT club_id, d FROM delta
ON CONFLICT (club_id) DO UPDATE SET active = club_member_counts.active + excluded.active`

	// qUpdateMemberships rewrites the memberships among the keys that
	// exist with the status they are saved with (as ingest saves them),
	// which changes no member count, and returns their keys; the others go
	// through qSaveMemberships.
	qUpdateMemberships = `UPDATE memberships AS m SET level = u.level, level_points = u.level_points, joined_at = u.joined_at,
	last_interaction_at = u.last_interaction_at, left_at = u.left_at, exits = u.exits, retained = u.retained,
	rejoin_after = u.rejoin_after, version = u.version
 FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[],
	$7::bigint[], $8::bigint[], $9::bigint[], $10::text[], $11::bigint[], $12::bigint[])
	AS u(fan_id, club_id, status, level, level_points, joined_at, last_interaction_at, left_at, exits, retained, rejoin_after, version)
 WHERE m.fan_id = u.fan_id AND m.club_id = u.club_id AND m.status = u.status
 RETURNING m.fan_id, m.club_id`

	qActiveMembers = `SELECT active FROM club_member_counts WHERE club_id = $1`
)

// Daily counters.
const (
	qDailyPoints = `SELECT k.fan_id, k.club_id, k.day, k.action, d.points
 FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS k(fan_id, club_id, day, action)
 CROSS JOIN LATERAL (SELECT points FROM daily_points AS d WHERE d.fan_id = k.fan_id AND d.club_id = k.club_id
	AND d.day = k.day AND d.action = k.action LIMIT 1) AS d`
	// qAddDailyPoints adds deltas (each within [-$6, $6]) to counters,
	// creating them, each sum bounded to [-$6, $6] in exact arithmetic.
	// The addition reads the row it updates (ON CONFLICT sees the latest
	// committed version, or waits for a concurrent writer of it), so no
	// concurrent addition is lost at any isolation level.
	qAddDailyPoints = `INSERT INTO daily_points(fan_id, club_id, day, action, points)
 SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[])
 ON CONFLICT (fan_id, club_id, day, action) DO UPDATE
	SET points = LEAST(GREATEST(daily_points.points::numeric + excluded.points, -$6::numeric), $6::numeric)::bigint`
	qDeleteHistory = `DELETE FROM daily_points WHERE fan_id = $1 AND club_id = $2`
)

// Events and batches.
const (
	qInsertEvents = `INSERT INTO events(id, fan_id, club_id, action, amount, at)
 SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[])
 ON CONFLICT (id) DO NOTHING RETURNING id`
	qListEvents = `SELECT id, fan_id, club_id, action, amount, at FROM events
 WHERE fan_id = $1 AND club_id = $2 ORDER BY at, id`
	qFindBatch = `SELECT result FROM batches WHERE producer = $1 AND seq = $2`
	qLockBatch = `SELECT pg_advisory_xact_lock($1::int, $2::int)`
	qSaveBatch = `INSERT INTO batches(producer, seq, result, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`
)

// The general points ledger.
const (
	qAddGeneralPoints = `INSERT INTO general_point_entries(fan_id, delta, reason, key, created_at)
 VALUES ($1, $2, $3, NULLIF($4, ''), $5) ON CONFLICT (key) DO NOTHING`
	// qGeneralPoints bounds each entry and the exact sum to [-$2, $2].
	qGeneralPoints = `SELECT LEAST(GREATEST(COALESCE(SUM(LEAST(GREATEST(delta, -$2::bigint), $2::bigint)), 0), -$2::bigint), $2::bigint)::bigint
 FROM general_point_entries WHERE fan_id = $1`
)

// Effects.
const (
	qEffectCols    = `fan_id, club_id, kind, scope, start, until, ends_on_rejoin, factor, actions`
	qInsertEffects = `INSERT INTO effects(` + qEffectCols + `)
 SELECT ` + qEffectCols + ` FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::boolean[],
	$8::double precision[], $9::text[]) WITH ORDINALITY AS u(` + qEffectCols + `, n) ORDER BY n`
	qListEffects = `SELECT ` + qEffectCols + ` FROM effects
 WHERE fan_id = $1 AND (until IS NULL OR until > $2) ORDER BY id`
	qEffectsOfFans = `SELECT ` + qEffectCols + ` FROM effects
 WHERE fan_id = ANY($1::bigint[]) AND (until IS NULL OR until > $2) ORDER BY id`
	qEndRejoinEffects = `UPDATE effects SET until = $1
 WHERE fan_id = $2 AND club_id = $3 AND ends_on_rejoin AND (until IS NULL OR until > $1)`
)

// Exit requests.
const (
	qExitRequestCols = `id, fan_id, club_id, status, created_at, expires_at, challenges, choices,
 attempts, max_attempts, captcha_code, slider_target, slider_width, slider_tolerance, membership_version, impact`
	// qCreateExitRequest inserts nothing (a conflict) when the id is taken
	// or the fan already has a pending request in the club.
	qCreateExitRequest = `INSERT INTO exit_requests(` + qExitRequestCols + `)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT DO NOTHING`
	qFindExitRequest     = `SELECT ` + qExitRequestCols + ` FROM exit_requests WHERE id = $1`
	qPendingExitRequests = `SELECT ` + qExitRequestCols + ` FROM exit_requests
 WHERE fan_id = $1 AND club_id = $2 AND status = $3 ORDER BY created_at, seq`
	qUpdateExitRequest = `UPDATE exit_requests SET status = $1, expires_at = $2, challenges = $3, choices = $4,
 attempts = $5, max_attempts = $6, captcha_code = $7, slider_target = $8, slider_width = $9, slider_tolerance = $10,
 membership_version = $11, impact = $12 WHERE id = $13`
)

// Tokens.
const (
	qTokenCols   = `id, hash, role, subject_id, created_at, expires_at, revoked_at`
	qCreateToken = `INSERT INTO tokens(hash, role, subject_id, created_at, expires_at, revoked_at)
 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`
	qFindToken     = `SELECT ` + qTokenCols + ` FROM tokens WHERE hash = $1`
	qFindTokenByID = `SELECT ` + qTokenCols + ` FROM tokens WHERE id = $1`
	qRevokeToken   = `UPDATE tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`
	qHasLiveToken  = `SELECT EXISTS (SELECT 1 FROM tokens WHERE role = $1 AND revoked_at IS NULL AND expires_at > $2)`
)

// Idempotent responses.
const (
	qFindIdempotent = `SELECT scope, key, fingerprint, route, status, content_type, location, body, created_at, expires_at
 FROM idempotent_responses WHERE scope = $1 AND key = $2 AND expires_at > $3`
	// qDropExpiredIdempotent drops up to $2 expired responses, skipping
	// rows another transaction holds.
	qDropExpiredIdempotent = `DELETE FROM idempotent_responses WHERE (scope, key) IN
 (SELECT scope, key FROM idempotent_responses WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`
	// qSaveIdempotent stores a response unless the key holds an unexpired
	// one ($11 is the transaction's time); it returns a row when it stored.
	qSaveIdempotent = `INSERT INTO idempotent_responses(scope, key, fingerprint, route, status, content_type, location, body, created_at, expires_at)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
 ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint, route = excluded.route, status = excluded.status,
 content_type = excluded.content_type, location = excluded.location, body = excluded.body,
 created_at = excluded.created_at, expires_at = excluded.expires_at
 WHERE idempotent_responses.expires_at <= $11
 RETURNING 1`
)

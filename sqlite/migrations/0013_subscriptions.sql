-- subscriptions holds paid memberships: a fan's tier on a plan in a club,
-- paid period by period (see docs/billing.md). Times are Unix nanoseconds.
-- version is the optimistic lock UpdateSubscription checks.
CREATE TABLE subscriptions (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	fan_id         INTEGER NOT NULL REFERENCES fans(id),
	club_id        INTEGER NOT NULL REFERENCES clubs(id),
	tier           TEXT    NOT NULL,
	plan           TEXT    NOT NULL,
	price          INTEGER NOT NULL,
	currency       TEXT    NOT NULL,
	status         TEXT    NOT NULL,
	auto_renew     INTEGER NOT NULL,
	agreement_id   TEXT    NOT NULL,
	anchor         INTEGER NOT NULL,
	period_index   INTEGER NOT NULL,
	period_start   INTEGER NOT NULL,
	period_end     INTEGER NOT NULL,
	benefits_until INTEGER NOT NULL,
	benefits_cut   INTEGER NOT NULL,
	refunded       INTEGER NOT NULL,
	retries        INTEGER NOT NULL,
	charge_id      TEXT    NOT NULL,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	version        INTEGER NOT NULL
);
CREATE INDEX subscriptions_fan ON subscriptions(fan_id, id);
CREATE INDEX subscriptions_member ON subscriptions(fan_id, club_id, id);
-- A fan has at most one live (active, past_due or canceled) subscription per club.
CREATE UNIQUE INDEX subscriptions_one_live ON subscriptions(fan_id, club_id)
	WHERE status IN ('active', 'past_due', 'canceled');

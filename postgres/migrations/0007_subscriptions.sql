-- subscriptions holds paid memberships: a fan's tier on a plan in a club,
-- paid period by period (see docs/billing.md). Times are Unix nanoseconds.
-- version is the optimistic lock UpdateSubscription checks.
CREATE TABLE subscriptions (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	fan_id         BIGINT  NOT NULL REFERENCES fans(id),
	club_id        BIGINT  NOT NULL REFERENCES clubs(id),
	tier           TEXT    NOT NULL,
	plan           TEXT    NOT NULL,
	price          BIGINT  NOT NULL,
	currency       TEXT    NOT NULL,
	status         TEXT    NOT NULL,
	auto_renew     BOOLEAN NOT NULL,
	agreement_id   TEXT    NOT NULL,
	anchor         BIGINT  NOT NULL,
	period_index   BIGINT  NOT NULL,
	period_start   BIGINT  NOT NULL,
	period_end     BIGINT  NOT NULL,
	benefits_until BIGINT  NOT NULL,
	benefits_cut   BOOLEAN NOT NULL,
	refunded       BIGINT  NOT NULL,
	retries        BIGINT  NOT NULL,
	charge_id      TEXT    NOT NULL,
	created_at     BIGINT  NOT NULL,
	updated_at     BIGINT  NOT NULL,
	version        BIGINT  NOT NULL
);
CREATE INDEX subscriptions_fan ON subscriptions(fan_id, id);
CREATE INDEX subscriptions_member ON subscriptions(fan_id, club_id, id);
-- A fan has at most one live (active, past_due or canceled) subscription per club.
CREATE UNIQUE INDEX subscriptions_one_live ON subscriptions(fan_id, club_id)
	WHERE status IN ('active', 'past_due', 'canceled');

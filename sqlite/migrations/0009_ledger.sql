-- The double-entry ledger (package ledger). ledger_accounts holds each
-- account's sums of the transfers that touched it, pending and posted;
-- ledger_transfers is the transfer log, numbered by seq, one row per
-- transfer, unique by idempotency key. The account ID fixes its asset and
-- flags (ledger.ParseAccountID).
CREATE TABLE ledger_accounts (
	id              TEXT    NOT NULL PRIMARY KEY,
	asset           TEXT    NOT NULL,
	flags           INTEGER NOT NULL,
	debits_pending  INTEGER NOT NULL DEFAULT 0,
	debits_posted   INTEGER NOT NULL DEFAULT 0,
	credits_pending INTEGER NOT NULL DEFAULT 0,
	credits_posted  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE ledger_transfers (
	seq            INTEGER PRIMARY KEY,
	key            TEXT    NOT NULL UNIQUE,
	debit_account  TEXT    NOT NULL REFERENCES ledger_accounts(id),
	credit_account TEXT    NOT NULL REFERENCES ledger_accounts(id),
	asset          TEXT    NOT NULL,
	amount         INTEGER NOT NULL CHECK (amount > 0),
	flags          INTEGER NOT NULL,
	pending_key    TEXT    NOT NULL,
	state          TEXT    NOT NULL,
	code           TEXT    NOT NULL,
	ref            TEXT    NOT NULL,
	at             INTEGER NOT NULL
);
CREATE INDEX ledger_transfers_debit ON ledger_transfers(debit_account, seq);
CREATE INDEX ledger_transfers_credit ON ledger_transfers(credit_account, seq);

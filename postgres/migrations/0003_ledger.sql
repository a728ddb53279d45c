-- The double-entry ledger (package ledger). ledger_accounts holds each
-- account's sums of the transfers that touched it, pending and posted;
-- a posting transaction locks the rows it changes (SELECT … FOR UPDATE,
-- in id order). ledger_transfers is the transfer log, numbered by seq,
-- unique by idempotency key. Ids and keys use the "C" collation, so they
-- sort by bytes as they do in Go.
CREATE TABLE ledger_accounts (
	id              TEXT COLLATE "C" PRIMARY KEY,
	asset           TEXT   NOT NULL,
	flags           BIGINT NOT NULL,
	debits_pending  BIGINT NOT NULL DEFAULT 0,
	debits_posted   BIGINT NOT NULL DEFAULT 0,
	credits_pending BIGINT NOT NULL DEFAULT 0,
	credits_posted  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE ledger_transfers (
	seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	key            TEXT COLLATE "C" NOT NULL UNIQUE,
	debit_account  TEXT COLLATE "C" NOT NULL REFERENCES ledger_accounts(id),
	credit_account TEXT COLLATE "C" NOT NULL REFERENCES ledger_accounts(id),
	asset          TEXT   NOT NULL,
	amount         BIGINT NOT NULL CHECK (amount > 0),
	flags          BIGINT NOT NULL,
	pending_key    TEXT   NOT NULL,
	state          TEXT   NOT NULL,
	code           TEXT   NOT NULL,
	ref            TEXT   NOT NULL,
	at             BIGINT NOT NULL
);
CREATE INDEX ledger_transfers_debit ON ledger_transfers(debit_account, seq);
CREATE INDEX ledger_transfers_credit ON ledger_transfers(credit_account, seq);

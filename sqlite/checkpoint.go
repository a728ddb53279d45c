package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"fanclub"
)

// Checkpoint thresholds (see DB.ckptRows).
const (
	defaultCheckpointRows    = 1_000_000
	defaultCheckpointJournal = 4_000
	// checkpointLedgerRows bounds the ledger rows (accounts, transfers,
	// gifts) a checkpoint writes: their indexes take random keys, so a
	// checkpoint writes about 150 000 of them a second here, and a
	// smaller one keeps the writer's pause short (docs/storage.md).
	checkpointLedgerRows = 200_000
	defaultCacheRows     = 1_000_000
)

// checkpointLocked writes the overlay's dirty rows into memberships and
// daily_points and deletes the journal rows, all in one transaction, then
// marks the overlay clean. The caller holds db.wmu. A crash before the
// commit leaves the journal in place; a crash after it leaves nothing to
// replay, and applying the same rows again would change nothing.
func (db *DB) checkpointLocked(ctx context.Context) error {
	stx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return internal("checkpoint", err)
	}
	defer stx.Rollback()
	// Another process may have written since this DB's last transaction:
	// its journal rows (and checkpoints) are newer than the overlay.
	var seq int64
	if err := stx.QueryRowContext(ctx, qJournalSeq).Scan(&seq); err != nil {
		return internal("checkpoint", err)
	}
	db.ov.mu.RLock()
	seen := db.ov.seen
	db.ov.mu.RUnlock()
	if seq != seen {
		if err := db.reload(ctx, stx); err != nil {
			return err
		}
	}
	ms, cs := db.ov.dirtyRows()
	accounts, transfers, resolved, gifts := db.ov.ledgerDirty()
	db.ov.mu.RLock()
	journal := db.ov.journal
	db.ov.mu.RUnlock()
	// Ledger rows are pending only with the journal rows that hold them.
	if len(ms) == 0 && len(cs) == 0 && journal == 0 {
		return nil
	}
	t := &Tx{tx: stx, bulk: db.wbulk, db: db, write: true, done: true}
	slices.SortFunc(ms, func(a, b *fanclub.Membership) int {
		return cmp.Or(cmp.Compare(a.FanID, b.FanID), cmp.Compare(a.ClubID, b.ClubID))
	})
	if err := t.saveMembershipRows(ctx, ms); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := t.setCounterRows(ctx, cs); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := t.saveLedgerRows(ctx, accounts, transfers, resolved, gifts); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := db.writeCounts(ctx, stx); err != nil {
		return err
	}
	if _, err := stx.ExecContext(ctx, `DELETE FROM state_journal`); err != nil {
		return internal("checkpoint journal", err)
	}
	// Move the journal's sequence on, as a write does: another handle
	// whose overlay still holds the rows this checkpoint stored then
	// rebuilds it instead of storing them again.
	if _, err := stx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'state_journal'`); err != nil {
		return internal("checkpoint journal", err)
	}
	if err := stx.QueryRowContext(ctx, qJournalSeq).Scan(&seq); err != nil {
		return internal("checkpoint journal", err)
	}
	if err := stx.Commit(); err != nil {
		return internal("checkpoint commit", err)
	}
	db.ov.mu.Lock()
	db.ov.seen = seq
	db.ov.mu.Unlock()
	db.ov.flushed(db.cacheRows, db.horizonDay())
	db.log.Debug("sqlite checkpoint", "memberships", len(ms), "counters", len(cs), "journal", journal,
		"ledger_accounts", len(accounts), "ledger_transfers", len(transfers), "gifts", len(gifts))
	return nil
}

// replay loads the journal rows a crash left (those no checkpoint
// applied) into the overlay and checkpoints them.
func (db *DB) replay(ctx context.Context) error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	db.ov.mu.Lock()
	db.ov.seen = -1 // unknown: checkpointLocked reloads the journal
	db.ov.mu.Unlock()
	if err := db.checkpointLocked(ctx); err != nil {
		return err
	}
	return db.warm(ctx)
}

// reload rebuilds the overlay from the journal rows stored in stx (the
// table rows plus the journal are the state every process shares),
// records the largest journal id, and indexes the event_log rows it has
// not seen. The caller holds db.wmu.
func (db *DB) reload(ctx context.Context, stx *sql.Tx) error {
	if err := db.events.catchUp(ctx, stx); err != nil {
		return err
	}
	var seq int64
	if err := stx.QueryRowContext(ctx, qJournalSeq).Scan(&seq); err != nil {
		return internal("journal replay", err)
	}
	rows, err := stx.QueryContext(ctx, `SELECT body FROM state_journal ORDER BY id`)
	if err != nil {
		return internal("journal replay", err)
	}
	defer rows.Close()
	var cs []*change
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return internal("journal replay", err)
		}
		c, err := decodeChange(body)
		if err != nil {
			return internal("journal replay", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return internal("journal replay", err)
	}
	// Only the writer changes the overlay, and the caller is it.
	trs, gifts, maxSeq, maxGift, err := storedSince(ctx, stx, db.ov.ledger)
	if err != nil {
		return err
	}
	ov := db.ov
	ov.mu.Lock()
	defer ov.mu.Unlock()
	ov.members = map[fanclub.MemberKey]*memberEntry{}
	ov.counters = map[ckey]counterEntry{}
	old := ov.ledger
	ov.ledger = newLedgerState()
	ov.dirty, ov.journal = 0, 0
	ov.horizon = ""
	ov.effectsKnown = false
	for _, c := range cs {
		ov.applyLocked(c)
		ov.journal++
	}
	// Read transactions may predate the checkpoints that stored what the
	// old state kept: it stays until they end.
	ov.gmu.Lock()
	ov.epoch++
	ov.ledger.carryOver(old, ov.epoch)
	ov.ledger.keepStored(trs, gifts, maxSeq, maxGift, ov.epoch)
	ov.gmu.Unlock()
	ov.seen = seq
	ov.mu.Unlock()
	err = db.reloadCounts(ctx, stx)
	ov.mu.Lock() // released by the deferred Unlock
	return err
}

// syncJournal makes sure the overlay includes every journal row the
// transaction t can see: another process writing the same file appends
// journal rows (and may checkpoint them) that this DB's overlay lacks.
// A write transaction rebuilds the overlay at once; a read transaction
// that sees newer rows has the writer rebuild it first.
func (db *DB) syncJournal(ctx context.Context, t *Tx) error {
	if db.reader == db.writer {
		return nil // :memory: is private to this DB
	}
	var seq int64
	if err := t.queryRow(ctx, qJournalSeq).Scan(&seq); err != nil {
		return internal("journal seq", err)
	}
	db.ov.mu.RLock()
	seen := db.ov.seen
	db.ov.mu.RUnlock()
	switch {
	case t.write && seq != seen:
		return db.reload(ctx, t.tx)
	case !t.write && seq > seen:
		db.wmu.Lock()
		defer db.wmu.Unlock()
		stx, err := db.writer.BeginTx(ctx, nil)
		if err != nil {
			return internal("journal sync", err)
		}
		defer stx.Rollback()
		if err := stx.QueryRowContext(ctx, qJournalSeq).Scan(&seq); err != nil {
			return internal("journal seq", err)
		}
		db.ov.mu.RLock()
		seen = db.ov.seen
		db.ov.mu.RUnlock()
		if seq != seen {
			return db.reload(ctx, stx)
		}
	}
	return nil
}

// setCounterRows stores counters' absolute values.
func (t *Tx) setCounterRows(ctx context.Context, cs []counterRow) error {
	slices.SortFunc(cs, func(a, b counterRow) int { return compareCounterKeys(a.k, b.k) })
	args := make([]any, 0, counterCols*min(len(cs), chunkSizes[0]))
	for _, size := range chunks(len(cs)) {
		n := chunkSizes[size]
		args = args[:0]
		for _, c := range cs[:n] {
			args = append(args, c.k.FanID, c.k.ClubID, c.k.Day, string(c.k.Action), c.v)
		}
		cs = cs[n:]
		if _, err := t.bulkExec(ctx, kSetDailyPoints, size, args); err != nil {
			return wrap("daily points", err)
		}
	}
	return nil
}

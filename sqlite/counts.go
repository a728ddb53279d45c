package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"fanclub"
)

// Member counts. club_member_counts holds, for every club, the number of
// active rows of the memberships table; a transaction that writes rows
// straight into memberships updates it in the same transaction, and a
// checkpoint, which writes the overlay's rows, writes the overlay's counts.
// The overlay holds the latest committed count of every club (counts),
// so reading one costs a map lookup; reload rebuilds it from the table
// and the journal (the rows the journal changed against their table rows).

// qUpsertCountDelta adds to a club's count.
const qUpsertCountDelta = `INSERT INTO club_member_counts(club_id, active) VALUES (?, ?)
ON CONFLICT(club_id) DO UPDATE SET active = active + excluded.active`

// qSetCount sets a club's count.
const qSetCount = `INSERT INTO club_member_counts(club_id, active) VALUES (?, ?)
ON CONFLICT(club_id) DO UPDATE SET active = excluded.active`

// isActive is 1 for an active membership, else 0.
func isActive(m *fanclub.Membership) int64 {
	if m != nil && m.Status == fanclub.StatusActive {
		return 1
	}
	return 0
}

// ActiveMembers returns a club's active member count: this transaction's
// own count when it changed it, else the overlay's, else the table's.
func (t *Tx) ActiveMembers(ctx context.Context, clubID int64) (int64, error) {
	if base, ok := t.countBase[clubID]; ok {
		return base + t.countDelta[clubID], nil
	}
	if n, ok := t.db.ov.count(clubID); ok {
		return n, nil
	}
	return t.tableCount(ctx, clubID)
}

// tableCount reads a club's count from club_member_counts (0 without a row).
func (t *Tx) tableCount(ctx context.Context, clubID int64) (int64, error) {
	var n int64
	err := t.queryRow(ctx, `SELECT active FROM club_member_counts WHERE club_id = ?`, clubID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, wrap("member count", err)
	}
	return n, nil
}

// addCount records that this transaction changes a club's count by d;
// the first change of a club reads its count before it (before the
// transaction writes the table's count).
func (t *Tx) addCount(ctx context.Context, clubID, d int64) error {
	if _, ok := t.countBase[clubID]; !ok {
		n, err := t.ActiveMembers(ctx, clubID)
		if err != nil {
			return err
		}
		if t.countBase == nil {
			t.countBase, t.countDelta = map[int64]int64{}, map[int64]int64{}
		}
		t.countBase[clubID] = n
	}
	t.countDelta[clubID] += d
	return nil
}

// priorActive is whether the latest value of a write-behind membership,
// before this save, is active: from this transaction's changes, the
// overlay entry or table row it read, or the overlay.
func (t *Tx) priorActive(k fanclub.MemberKey) int64 {
	if m, ok := t.ch.members[k]; ok {
		return isActive(m)
	}
	if e, ok := t.ch.hints[k]; ok {
		return isActive(&e.m)
	}
	if m, ok := t.readM[k]; ok {
		return isActive(m)
	}
	m, _ := t.db.ov.member(k)
	return isActive(m)
}

// countDirect updates club_member_counts for membership rows this
// transaction writes straight into the table: the rows they replace are
// read first.
func (t *Tx) countDirect(ctx context.Context, ms []*fanclub.Membership) error {
	if len(ms) == 0 {
		return nil
	}
	keys := make([]fanclub.MemberKey, len(ms))
	for i, m := range ms {
		keys[i] = fanclub.MemberKey{FanID: m.FanID, ClubID: m.ClubID}
	}
	old, err := t.tableMembers(ctx, keys)
	if err != nil {
		return err
	}
	deltas := map[int64]int64{}
	for i, m := range ms {
		k := keys[i]
		deltas[m.ClubID] += isActive(m) - isActive(old[k])
		old[k] = m // a later row with the same key replaces this one
	}
	for club, d := range deltas {
		if d == 0 {
			continue
		}
		if err := t.addCount(ctx, club, d); err != nil {
			return err
		}
		if _, err := t.execOne(ctx, qUpsertCountDelta, club, d); err != nil {
			return wrap("member count", err)
		}
	}
	return nil
}

// tableMembers reads the table rows among keys.
func (t *Tx) tableMembers(ctx context.Context, keys []fanclub.MemberKey) (map[fanclub.MemberKey]*fanclub.Membership, error) {
	out := make(map[fanclub.MemberKey]*fanclub.Membership, len(keys))
	if err := t.tableMembersInto(ctx, append([]fanclub.MemberKey(nil), keys...), out, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// count returns the overlay's count of a club.
func (o *overlay) count(clubID int64) (int64, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	n, ok := o.counts[clubID]
	return n, ok
}

// applyCountsLocked merges a committed transaction's counts; the caller
// holds mu.
func (o *overlay) applyCountsLocked(base, delta map[int64]int64) {
	for club, b := range base {
		o.counts[club] = b + delta[club]
		o.countsDirty[club] = struct{}{}
	}
}

// writeCounts stores the overlay's counts of the clubs whose rows changed
// since the last checkpoint (checkpoint; the caller holds db.wmu).
func (db *DB) writeCounts(ctx context.Context, stx *sql.Tx) error {
	db.ov.mu.RLock()
	rows := make(map[int64]int64, len(db.ov.countsDirty))
	for club := range db.ov.countsDirty {
		rows[club] = db.ov.counts[club]
	}
	db.ov.mu.RUnlock()
	for club, n := range rows {
		if _, err := stx.ExecContext(ctx, qSetCount, club, n); err != nil {
			return internal("checkpoint member counts", err)
		}
	}
	return nil
}

// reloadCounts rebuilds the overlay's counts after reload: the table's
// counts, corrected by every membership the overlay holds against its
// table row. The caller holds db.wmu.
func (db *DB) reloadCounts(ctx context.Context, stx *sql.Tx) error {
	counts := map[int64]int64{}
	rows, err := stx.QueryContext(ctx, `SELECT club_id, active FROM club_member_counts`)
	if err != nil {
		return internal("load member counts", err)
	}
	for rows.Next() {
		var club, n int64
		if err := rows.Scan(&club, &n); err != nil {
			rows.Close()
			return internal("load member counts", err)
		}
		counts[club] = n
	}
	if err := rows.Close(); err != nil {
		return internal("load member counts", err)
	}
	db.ov.mu.RLock()
	keys := make([]fanclub.MemberKey, 0, len(db.ov.members))
	mine := make(map[fanclub.MemberKey]int64, len(db.ov.members))
	for k, e := range db.ov.members {
		keys = append(keys, k)
		mine[k] = isActive(&e.m)
	}
	db.ov.mu.RUnlock()
	t := &Tx{tx: stx, bulk: db.wbulk, db: db, write: true, done: true}
	table, err := t.tableMembers(ctx, keys)
	if err != nil {
		return err
	}
	dirty := map[int64]struct{}{}
	for _, k := range keys {
		if d := mine[k] - isActive(table[k]); d != 0 {
			counts[k.ClubID] += d
			dirty[k.ClubID] = struct{}{}
		}
	}
	db.ov.mu.Lock()
	db.ov.counts, db.ov.countsDirty = counts, dirty
	db.ov.mu.Unlock()
	return nil
}

package sqlite

import (
	"context"
	"time"

	"fanclub"
	"fanclub/ledger"
)

// horizonDays is how many days before today (UTC) the warm cache holds
// every daily counter: new events fall on today or yesterday in any time
// zone (they may be at most a few minutes in the future), so their caps
// are decided from memory.
const horizonDays = 2

// horizonDay is the first day whose counters the overlay keeps whole.
func (db *DB) horizonDay() string {
	return db.now().UTC().AddDate(0, 0, -horizonDays).Format("2006-01-02")
}

// warm fills the overlay's cache on Open, after the journal has been
// checkpointed: up to cacheRows memberships, and the daily counters from
// horizonDay on, which then count as complete (a counter of those days the
// overlay lacks is 0). Ingest then reads neither table for the members and
// counters it touches. When the counters exceed what the cache holds, the
// horizon stays unset and counters are read from the table as before.
// The caller holds db.wmu.
func (db *DB) warm(ctx context.Context) error {
	started := time.Now()
	members := map[fanclub.MemberKey]*fanclub.Membership{}
	rows, err := db.writer.QueryContext(ctx, `SELECT `+membershipSelect+` FROM memberships AS m LIMIT ?`, db.cacheRows)
	if err != nil {
		return internal("warm memberships", err)
	}
	for rows.Next() {
		m, err := scanMembership(rows)
		if err != nil {
			rows.Close()
			return internal("warm memberships", err)
		}
		members[fanclub.MemberKey{FanID: m.FanID, ClubID: m.ClubID}] = m
	}
	if err := rows.Close(); err != nil {
		return internal("warm memberships", err)
	}
	if err := rows.Err(); err != nil {
		return internal("warm memberships", err)
	}
	horizon := db.horizonDay()
	room := max(db.cacheRows-len(members), 0)
	counters := map[fanclub.CounterKey]int64{}
	rows, err = db.writer.QueryContext(ctx, `SELECT fan_id, club_id, day, action, points FROM daily_points WHERE day >= ? LIMIT ?`, horizon, room+1)
	if err != nil {
		return internal("warm counters", err)
	}
	for rows.Next() {
		k, p, err := scanCounter(rows)
		if err != nil {
			rows.Close()
			return internal("warm counters", err)
		}
		counters[k] = p
	}
	if err := rows.Close(); err != nil {
		return internal("warm counters", err)
	}
	if err := rows.Err(); err != nil {
		return internal("warm counters", err)
	}
	effectFans := map[int64]struct{}{}
	rows, err = db.writer.QueryContext(ctx, `SELECT DISTINCT fan_id FROM effects`)
	if err != nil {
		return internal("warm effects", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return internal("warm effects", err)
		}
		effectFans[id] = struct{}{}
	}
	if err := rows.Close(); err != nil {
		return internal("warm effects", err)
	}
	if err := rows.Err(); err != nil {
		return internal("warm effects", err)
	}
	complete := len(counters) <= room
	room = max(room-len(counters), 0)
	accounts, err := db.warmAccounts(ctx, room)
	if err != nil {
		return err
	}
	if !complete {
		counters = nil
	}
	// Room for the rows loaded and what a day of ingest adds: a counter
	// per member and action (two on average), new members.
	db.ov.reserve(min(len(members)*5/4, db.cacheRows), min(len(counters)+2*len(members), db.ckptRows, db.cacheRows))
	db.ov.cache(members, counters, nil)
	db.ov.cacheAccounts(accounts)
	maxSeq, maxGift, err := tableMaxima(ctx, db.writer)
	if err != nil {
		return err
	}
	db.ov.mu.Lock()
	db.ov.ledger.complete = len(accounts) < room
	db.ov.ledger.seenSeq, db.ov.ledger.seenGift = max(db.ov.ledger.seenSeq, maxSeq), max(db.ov.ledger.seenGift, maxGift)
	if complete {
		db.ov.horizon = horizon
	}
	db.ov.effectFans, db.ov.effectsKnown = effectFans, true
	db.ov.mu.Unlock()
	db.log.Debug("sqlite warm cache", "memberships", len(members), "counters", len(counters), "horizon", horizon, "complete", complete, "ledger_accounts", len(accounts), "took", time.Since(started))
	return nil
}

// warmAccounts reads up to n ledger accounts, the coin wallets gifts
// debit among them.
func (db *DB) warmAccounts(ctx context.Context, n int) (map[ledger.AccountID]ledger.Account, error) {
	list, err := collectRows(ctx, db.writer, `SELECT `+ledgerAccountCols+` FROM ledger_accounts LIMIT ?`, n, scanLedgerAccount)
	if err != nil {
		return nil, internal("warm ledger accounts", err)
	}
	out := make(map[ledger.AccountID]ledger.Account, len(list))
	for _, a := range list {
		out[a.ID] = a
	}
	return out, nil
}

package sqlite

import (
	"context"
	"slices"
	"time"

	"fanclub"
)

// A purge rewrites the event_log rows that hold the purged events: each
// row keeps the other events it holds (other fans', other clubs', the
// fan's later ones) in a new body, or is deleted when none are left. The
// rows are rewritten in place, so every index entry that names them stays
// a valid candidate; the in-memory index drops the purged ids and the
// member's rows at commit (logPurge). With secure_delete on, SQLite
// overwrites the old body's bytes with zeros as it frees them, and the
// commit truncates the WAL (scrubWAL), whose frames may still hold old
// page images.

// logPurge is what a committed purge removes from the in-memory index:
// the hashes of the ids that left row, and the member's tie to row when
// row holds none of the member's events any more.
type logPurge struct {
	row    int64
	hashes []uint64
	member fanclub.MemberKey
	unlink bool
}

// PurgeEvents deletes fan's events in club at or before upTo, except
// those of the actions in keep: from the event_log rows that hold them and
// from this transaction's own pending events. A kept event stays in its
// row, which is rewritten without the purged ones only.
func (t *Tx) PurgeEvents(ctx context.Context, fanID, clubID int64, upTo time.Time, keep []fanclub.Action) (fanclub.EventPurge, error) {
	var res fanclub.EventPurge
	if !t.write {
		return res, fanclub.Errorf(fanclub.EINTERNAL, "events: purge in a read transaction")
	}
	k := fanclub.MemberKey{FanID: fanID, ClubID: clubID}
	cut := ts(upTo)
	// due is an event the purge covers; purged, one it deletes.
	due := func(e *fanclub.Event) bool { return e.FanID == fanID && e.ClubID == clubID && ts(e.At) <= cut }
	purged := func(e *fanclub.Event) bool {
		if !due(e) {
			return false
		}
		if slices.Contains(keep, e.Action) {
			res.Kept++
			return false
		}
		return true
	}
	log := t.db.events
	rows := log.rowsOf(k)
	slices.Sort(rows)
	rows = slices.Compact(rows)
	got, err := t.readLogRows(ctx, rows)
	if err != nil {
		return res, err
	}
	var last int64
	if len(rows) > 0 {
		if err := t.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM event_log`).Scan(&last); err != nil {
			return res, wrap("event log", err)
		}
	}
	for _, row := range rows {
		evs, ok := got[row]
		if !ok {
			continue
		}
		rest := make([]fanclub.Event, 0, len(evs))
		kept := map[uint64]struct{}{}
		var gone []uint64
		stays := false
		for i := range evs {
			e := &evs[i]
			if purged(e) {
				gone = append(gone, log.hash(e.ID))
				continue
			}
			rest = append(rest, *e)
			kept[log.hash(e.ID)] = struct{}{}
			stays = stays || (e.FanID == fanID && e.ClubID == clubID)
		}
		if len(gone) == 0 {
			continue
		}
		if err := t.rewriteLogRow(ctx, row, rest, row == last); err != nil {
			return res, err
		}
		gone = slices.DeleteFunc(gone, func(h uint64) bool { _, ok := kept[h]; return ok })
		t.purges = append(t.purges, logPurge{row: row, hashes: gone, member: k, unlink: !stays})
		res.Deleted += int64(len(evs) - len(rest))
	}
	before := len(t.ch.events)
	t.ch.events = slices.DeleteFunc(t.ch.events, func(e fanclub.Event) bool {
		if purged(&e) {
			delete(t.evIDs, e.ID)
			return true
		}
		return false
	})
	res.Deleted += int64(before - len(t.ch.events))
	return res, nil
}

// rewriteLogRow stores keep as row's body, or deletes the row when keep is
// empty. The table's largest row stays (with an empty body): SQLite gives
// a new row the largest id plus one, and another handle's index, which
// catches up on the rows after the largest it has seen, would miss a row
// that reused a deleted id.
func (t *Tx) rewriteLogRow(ctx context.Context, row int64, keep []fanclub.Event, largest bool) error {
	var err error
	if len(keep) == 0 && !largest {
		_, err = t.execOne(ctx, `DELETE FROM event_log WHERE id = ?`, row)
	} else {
		_, err = t.execOne(ctx, `UPDATE event_log SET format = ?, body = ? WHERE id = ?`, logFormatBinary, encodeEvents(keep), row)
	}
	if err != nil {
		return wrap("event log purge", err)
	}
	return nil
}

// purge removes committed purges from the index: the hashes of purged ids
// no longer name their rows, and a member's rows no longer include those
// that hold none of its events (each member's rows rewritten once).
func (l *eventLog) purge(ps []logPurge) {
	l.settle()
	l.mu.Lock()
	defer l.mu.Unlock()
	unlink := map[fanclub.MemberKey][]int64{}
	for _, p := range ps {
		for _, h := range p.hashes {
			l.forgetLocked(h, p.row)
		}
		if p.unlink {
			unlink[p.member] = append(unlink[p.member], p.row)
		}
	}
	for k, rows := range unlink {
		l.unlinkLocked(k, rows)
	}
}

// forgetLocked makes hash h no longer name row in any span; the caller
// holds mu.
func (l *eventLog) forgetLocked(h uint64, row int64) {
	for _, sp := range l.spans {
		sp.forget(h, row)
	}
}

// forget makes hash h no longer name row in sp.
func (sp *idSpan) forget(h uint64, row int64) {
	r, ok := sp.ids[h]
	if !ok {
		return
	}
	more := sp.more[h]
	if r == row {
		if len(more) == 0 {
			delete(sp.ids, h)
			return
		}
		sp.ids[h], more = more[0], more[1:]
	} else {
		more = slices.DeleteFunc(more, func(x int64) bool { return x == row })
	}
	if len(more) == 0 {
		delete(sp.more, h)
	} else {
		sp.more[h] = more
	}
}

// unlinkLocked removes rows from k's rows; the caller holds mu.
func (l *eventLog) unlinkLocked(k fanclub.MemberKey, rows []int64) {
	m, ok := l.member[k]
	if !ok {
		return
	}
	if m.remove(rows) {
		l.member[k] = m
	} else {
		delete(l.member, k)
	}
}

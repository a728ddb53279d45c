package sqlite

import (
	"cmp"
	"context"
	"slices"

	"fanclub"
)

// InsertEvents appends events to the behaviour log, skipping ids already
// stored; fresh[i] reports whether events[i] was new (a repeat of an id
// earlier in the same transaction is not). The fresh events are written
// as one event_log row at Commit.
//
// An id is looked up by its hash in the DB's log index; only ids whose
// hash names stored rows (retries, and the rare collision) cost a read of
// those rows, to compare the ids themselves.
func (t *Tx) InsertEvents(ctx context.Context, events []fanclub.Event) ([]bool, error) {
	if !t.write {
		return nil, fanclub.Errorf(fanclub.EINTERNAL, "events: write in a read transaction")
	}
	fresh := make([]bool, len(events))
	if t.evIDs == nil {
		t.evIDs = make(map[string]struct{}, len(events))
	}
	log := t.db.events
	log.settle()
	var suspect []bool
	var rows []int64
	log.mu.RLock()
	for i := range events {
		n := len(rows)
		if rows = log.candidates(rows, log.hash(events[i].ID)); len(rows) > n {
			if suspect == nil {
				suspect = make([]bool, len(events))
			}
			suspect[i] = true
		}
	}
	log.mu.RUnlock()
	var stored map[string]struct{}
	if len(rows) > 0 {
		got, err := t.readLogRows(ctx, rows)
		if err != nil {
			return nil, err
		}
		stored = map[string]struct{}{}
		for _, evs := range got {
			for _, e := range evs {
				stored[e.ID] = struct{}{}
			}
		}
	}
	for i := range events {
		id := events[i].ID
		if _, dup := t.evIDs[id]; dup {
			continue
		}
		if suspect != nil && suspect[i] {
			if _, dup := stored[id]; dup {
				continue
			}
		}
		t.evIDs[id] = struct{}{}
		fresh[i] = true
		e := events[i]
		e.At = fromTS(ts(e.At))
		t.ch.events = append(t.ch.events, e)
	}
	return fresh, nil
}

// ListEvents lists a fan's events in a club, oldest first (by time, then
// id): the stored ones the log index names, and this transaction's.
func (t *Tx) ListEvents(ctx context.Context, fanID, clubID int64) ([]fanclub.Event, error) {
	rows := t.db.events.rowsOf(fanclub.MemberKey{FanID: fanID, ClubID: clubID})
	got, err := t.readLogRows(ctx, rows)
	if err != nil {
		return nil, err
	}
	evs := []fanclub.Event{}
	add := func(list []fanclub.Event) {
		for _, e := range list {
			if e.FanID == fanID && e.ClubID == clubID {
				evs = append(evs, e)
			}
		}
	}
	slices.Sort(rows)
	for _, id := range slices.Compact(rows) {
		add(got[id])
	}
	add(t.ch.events)
	slices.SortStableFunc(evs, func(a, b fanclub.Event) int {
		return cmp.Or(cmp.Compare(ts(a.At), ts(b.At)), cmp.Compare(a.ID, b.ID))
	})
	return evs, nil
}

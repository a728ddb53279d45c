package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"fanclub"
)

// memberFromState returns k's membership from the transaction's own
// changes or the overlay, which hold newer rows than the table.
func (t *Tx) memberFromState(k fanclub.MemberKey) (*fanclub.Membership, bool) {
	if m, ok := t.ch.members[k]; ok {
		return copyMembership(m), true
	}
	return t.db.ov.member(k)
}

// FindMembership returns a fan's membership in a club.
func (t *Tx) FindMembership(ctx context.Context, fanID, clubID int64) (*fanclub.Membership, error) {
	k := fanclub.MemberKey{FanID: fanID, ClubID: clubID}
	if m, ok := t.memberFromState(k); ok {
		return m, nil
	}
	m, err := scanMembership(t.queryRow(ctx,
		qFindMembership, fanID, clubID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fanclub.Errorf(fanclub.ENOTFOUND, "Fan %d has no membership in club %d.", fanID, clubID)
	} else if err != nil {
		return nil, wrap("membership", err)
	}
	t.readMember(m)
	return m, nil
}

// readMember records a row a write transaction read from the table.
func (t *Tx) readMember(m *fanclub.Membership) {
	if t.write {
		t.readM[fanclub.MemberKey{FanID: m.FanID, ClubID: m.ClubID}] = copyMembership(m)
	}
}

// FindMemberships returns the memberships that exist among keys.
func (t *Tx) FindMemberships(ctx context.Context, keys []fanclub.MemberKey) (map[fanclub.MemberKey]*fanclub.Membership, error) {
	out := make(map[fanclub.MemberKey]*fanclub.Membership, len(keys))
	rest := make([]fanclub.MemberKey, 0, len(keys))
	for _, k := range keys {
		if m, ok := t.ch.members[k]; ok {
			out[k] = copyMembership(m)
		} else {
			rest = append(rest, k)
		}
	}
	if err := t.tableMembersInto(ctx, t.db.ov.membersInto(rest, out, t.ch.hints), out, t.readMember); err != nil {
		return nil, err
	}
	return out, nil
}

// tableMembersInto reads the table rows among keys (which it sorts in
// place) into out, a chunk of keys a query, and passes each row to read
// (nil: none).
func (t *Tx) tableMembersInto(ctx context.Context, keys []fanclub.MemberKey, out map[fanclub.MemberKey]*fanclub.Membership, read func(*fanclub.Membership)) error {
	keys = uniqueSorted(keys, func(a, b fanclub.MemberKey) int {
		if a.FanID != b.FanID {
			return cmpInt(a.FanID, b.FanID)
		}
		return cmpInt(a.ClubID, b.ClubID)
	})
	args := make([]any, 0, 2*chunkSizes[0])
	for _, size := range chunks(len(keys)) {
		n := chunkSizes[size]
		args = args[:0]
		for _, k := range keys[:n] {
			args = append(args, k.FanID, k.ClubID)
		}
		keys = keys[n:]
		rows, err := t.bulkQuery(ctx, kFindMemberships, size, args)
		if err != nil {
			return wrap("memberships", err)
		}
		for rows.Next() {
			m, err := scanMembership(rows)
			if err != nil {
				rows.Close()
				return wrap("memberships", err)
			}
			out[fanclub.MemberKey{FanID: m.FanID, ClubID: m.ClubID}] = m
			if read != nil {
				read(m)
			}
		}
		if err := rows.Close(); err != nil {
			return wrap("memberships", err)
		}
		if err := rows.Err(); err != nil {
			return wrap("memberships", err)
		}
	}
	return nil
}

// ListMemberships lists a fan's memberships (clubID 0) or a club's (fanID 0),
// ordered by club then fan. Rows the overlay holds replace the table's
// (every membership the overlay holds is also in the table).
func (t *Tx) ListMemberships(ctx context.Context, fanID, clubID int64) ([]*fanclub.Membership, error) {
	q := `SELECT ` + membershipSelect + ` FROM memberships AS m WHERE m.club_id = ? ORDER BY m.fan_id`
	args := []any{clubID}
	switch {
	case fanID != 0 && clubID != 0:
		q = `SELECT ` + membershipSelect + ` FROM memberships AS m WHERE m.fan_id = ? AND m.club_id = ?`
		args = []any{fanID, clubID}
	case fanID != 0:
		q = `SELECT ` + membershipSelect + ` FROM memberships AS m WHERE m.fan_id = ? ORDER BY m.club_id`
		args = []any{fanID}
	}
	return t.queryMemberships(ctx, q, args...)
}

// SaveMemberships inserts or replaces memberships. A membership the
// transaction read, or the overlay holds, joins the write-behind state
// (journaled at Commit); a new one is written to the table at once.
func (t *Tx) SaveMemberships(ctx context.Context, ms []*fanclub.Membership) error {
	var direct []*fanclub.Membership
	slab := make([]fanclub.Membership, len(ms)) // the copies, allocated together
	if t.write && len(t.ch.members) == 0 {
		t.ch.members = make(map[fanclub.MemberKey]*fanclub.Membership, len(ms))
	}
	for i, m := range ms {
		k := fanclub.MemberKey{FanID: m.FanID, ClubID: m.ClubID}
		if t.write && t.behind(k) {
			if d := isActive(m) - t.priorActive(k); d != 0 {
				if err := t.addCount(ctx, m.ClubID, d); err != nil {
					return err
				}
			}
			copyMembershipTo(&slab[i], m)
			t.ch.members[k] = &slab[i]
			continue
		}
		direct = append(direct, m)
	}
	if err := t.countDirect(ctx, direct); err != nil {
		return err
	}
	if err := t.saveMembershipRows(ctx, direct); err != nil {
		return err
	}
	if t.write {
		// The rows become the overlay's clean entries at commit: the
		// next reads of them (a fan reading their membership after
		// joining) need no table read.
		for _, m := range direct {
			t.readM[fanclub.MemberKey{FanID: m.FanID, ClubID: m.ClubID}] = copyMembership(m)
		}
	}
	return nil
}

// behind reports whether k's membership is write-behind: the transaction
// read it from the overlay or the table, or changed it, or the overlay
// holds it.
func (t *Tx) behind(k fanclub.MemberKey) bool {
	if _, ok := t.ch.hints[k]; ok {
		return true
	}
	if _, ok := t.ch.members[k]; ok {
		return true
	}
	if _, ok := t.readM[k]; ok {
		return true
	}
	return t.db.ov.hasMember(k)
}

// saveMembershipRows upserts whole membership rows into the table.
func (t *Tx) saveMembershipRows(ctx context.Context, ms []*fanclub.Membership) error {
	args := make([]any, 0, membershipCols*min(len(ms), chunkSizes[0]))
	for _, size := range chunks(len(ms)) {
		n := chunkSizes[size]
		args = args[:0]
		for _, m := range ms[:n] {
			var retained any
			if m.Retained != nil {
				b, err := json.Marshal(m.Retained)
				if err != nil {
					return internal("membership retained", err)
				}
				retained = string(b)
			}
			args = append(args, m.FanID, m.ClubID, string(m.Status), m.Level, m.LevelPoints, ts(m.JoinedAt),
				ts(m.LastInteractionAt), ts(m.LeftAt), m.Exits, retained, ts(m.RejoinAfter), m.Version)
		}
		ms = ms[n:]
		if _, err := t.bulkExec(ctx, kSaveMemberships, size, args); err != nil {
			return wrap("memberships", err)
		}
	}
	return nil
}

func scanMembership(s interface{ Scan(...any) error }) (*fanclub.Membership, error) {
	var m fanclub.Membership
	var status string
	var joined, last, left, rejoin int64
	var retained sql.NullString
	if err := s.Scan(&m.FanID, &m.ClubID, &status, &m.Level, &m.LevelPoints, &joined, &last, &left,
		&m.Exits, &retained, &rejoin, &m.Version); err != nil {
		return nil, err
	}
	m.Status = fanclub.MembershipStatus(status)
	m.JoinedAt, m.LastInteractionAt, m.LeftAt, m.RejoinAfter = fromTS(joined), fromTS(last), fromTS(left), fromTS(rejoin)
	if retained.Valid {
		m.Retained = new(fanclub.Retained)
		if err := json.Unmarshal([]byte(retained.String), m.Retained); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

// scanCounter scans a row of fan_id, club_id, day, action, points.
func scanCounter(s interface{ Scan(...any) error }) (fanclub.CounterKey, int64, error) {
	var k fanclub.CounterKey
	var action string
	var p int64
	if err := s.Scan(&k.FanID, &k.ClubID, &k.Day, &action, &p); err != nil {
		return k, 0, err
	}
	k.Action = fanclub.Action(action)
	return k, p, nil
}

func compareCounterKeys(a, b fanclub.CounterKey) int {
	if a.FanID != b.FanID {
		return cmpInt(a.FanID, b.FanID)
	}
	if a.ClubID != b.ClubID {
		return cmpInt(a.ClubID, b.ClubID)
	}
	if c := strings.Compare(a.Day, b.Day); c != 0 {
		return c
	}
	return strings.Compare(string(a.Action), string(b.Action))
}

// DailyPoints returns the stored counters among keys (missing ones are 0).
func (t *Tx) DailyPoints(ctx context.Context, keys []fanclub.CounterKey) (map[fanclub.CounterKey]int64, error) {
	return t.counterValues(ctx, keys)
}

// counterFromTx returns k's counter from what the transaction wrote or read.
func (t *Tx) counterFromTx(k fanclub.CounterKey) (int64, bool) {
	if v, ok := t.ch.counters[k]; ok {
		return v, true
	}
	if v, ok := t.readC[k]; ok {
		return v, true
	}
	if v, ok := t.memoC[k]; ok {
		return v, true
	}
	return 0, false
}

// erased reports whether the transaction erased k's member's history
// (DeleteHistory): the table, already deleted from, then decides.
func (t *Tx) erased(k fanclub.CounterKey) bool {
	return slices.Contains(t.ch.tombs, fanclub.MemberKey{FanID: k.FanID, ClubID: k.ClubID})
}

// counterValues returns the counters of keys; the ones neither the
// transaction nor the overlay decides are read from the table, sorted.
func (t *Tx) counterValues(ctx context.Context, keys []fanclub.CounterKey) (map[fanclub.CounterKey]int64, error) {
	out := make(map[fanclub.CounterKey]int64, len(keys))
	// The transaction's own state first, then the overlay for the rest,
	// in one pass.
	var rest, missing []fanclub.CounterKey
	for _, k := range keys {
		if v, ok := t.counterFromTx(k); ok {
			out[k] = v
		} else if t.erased(k) {
			missing = append(missing, k)
		} else {
			rest = append(rest, k)
		}
	}
	if len(rest) > 0 {
		vals, known := make([]int64, len(rest)), make([]bool, len(rest))
		t.db.ov.countersInto(rest, vals, known)
		for i, k := range rest {
			if !known[i] {
				missing = append(missing, k)
				continue
			}
			out[k] = vals[i]
			if t.write {
				if t.memoC == nil {
					t.memoC = make(map[fanclub.CounterKey]int64, len(rest))
				}
				t.memoC[k] = vals[i]
			}
		}
	}
	keys = uniqueSorted(missing, compareCounterKeys)
	args := make([]any, 0, 4*chunkSizes[0])
	for _, size := range chunks(len(keys)) {
		n := chunkSizes[size]
		args = args[:0]
		for _, k := range keys[:n] {
			args = append(args, k.FanID, k.ClubID, k.Day, string(k.Action))
			out[k] = 0
		}
		part := keys[:n]
		keys = keys[n:]
		rows, err := t.bulkQuery(ctx, kDailyPoints, size, args)
		if err != nil {
			return nil, wrap("daily points", err)
		}
		for rows.Next() {
			k, p, err := scanCounter(rows)
			if err != nil {
				rows.Close()
				return nil, wrap("daily points", err)
			}
			out[k] = p
		}
		if err := rows.Close(); err != nil {
			return nil, wrap("daily points", err)
		}
		if err := rows.Err(); err != nil {
			return nil, wrap("daily points", err)
		}
		if t.write {
			for _, k := range part {
				t.readC[k] = out[k]
			}
		}
	}
	return out, nil
}

// AddDailyPoints adds to counters, creating them as needed. A write
// transaction keeps the new values in the write-behind state.
func (t *Tx) AddDailyPoints(ctx context.Context, deltas map[fanclub.CounterKey]int64) error {
	if !t.write {
		return fanclub.Errorf(fanclub.EINTERNAL, "daily points: write in a read transaction")
	}
	if len(t.ch.counters) == 0 {
		t.ch.counters = make(map[fanclub.CounterKey]int64, len(deltas))
	}
	// Counters the transaction already read (ingest reads them to apply
	// the caps) need no second lookup. Sums are bounded (fanclub.AddPoints).
	var keys []fanclub.CounterKey
	for k, d := range deltas {
		if cur, ok := t.counterFromTx(k); ok {
			t.ch.counters[k] = fanclub.AddPoints(cur, d)
		} else {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	cur, err := t.counterValues(ctx, keys)
	if err != nil {
		return err
	}
	for _, k := range keys {
		t.ch.counters[k] = fanclub.AddPoints(cur[k], deltas[k])
	}
	return nil
}

// DeleteHistory erases a fan's daily counters in a club: from the table at
// once, and from the write-behind state through a journaled tombstone.
func (t *Tx) DeleteHistory(ctx context.Context, fanID, clubID int64) error {
	if _, err := t.execOne(ctx, `DELETE FROM daily_points WHERE fan_id = ? AND club_id = ?`, fanID, clubID); err != nil {
		return wrap("history", err)
	}
	if !t.write {
		return nil
	}
	mk := fanclub.MemberKey{FanID: fanID, ClubID: clubID}
	if !slices.Contains(t.ch.tombs, mk) {
		t.ch.tombs = append(t.ch.tombs, mk)
	}
	for k := range t.ch.counters {
		if k.FanID == fanID && k.ClubID == clubID {
			delete(t.ch.counters, k)
		}
	}
	for k := range t.readC {
		if k.FanID == fanID && k.ClubID == clubID {
			delete(t.readC, k)
		}
	}
	for k := range t.memoC {
		if k.FanID == fanID && k.ClubID == clubID {
			delete(t.memoC, k)
		}
	}
	return nil
}

// AddGeneralPoints books a ledger entry; a second entry with the same
// non-empty key is ignored. An empty key books unconditionally.
func (t *Tx) AddGeneralPoints(ctx context.Context, fanID int64, delta int64, reason, key string) error {
	_, err := t.execOne(ctx, `INSERT INTO general_point_entries(fan_id, delta, reason, key, created_at)
 VALUES (?, ?, ?, NULLIF(?, ''), ?) ON CONFLICT(key) DO NOTHING`, fanID, delta, reason, key, ts(t.now))
	if err != nil {
		return wrap("general points", err)
	}
	return nil
}

// GeneralPoints is the fan's balance: fanclub.SumPoints of the fan's
// ledger entries, summed in Go (SQLite's SUM fails on an int64 overflow).
func (t *Tx) GeneralPoints(ctx context.Context, fanID int64) (int64, error) {
	rows, err := t.query(ctx, `SELECT delta FROM general_point_entries WHERE fan_id = ?`, fanID)
	if err != nil {
		return 0, wrap("general points", err)
	}
	defer rows.Close()
	var deltas []int64
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return 0, wrap("general points", err)
		}
		deltas = append(deltas, d)
	}
	if err := rows.Err(); err != nil {
		return 0, wrap("general points", err)
	}
	return fanclub.SumPoints(deltas), nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// uniqueSorted returns keys sorted and without repeats (keys is not modified).
func uniqueSorted[K any](keys []K, cmp func(a, b K) int) []K {
	out := slices.Clone(keys)
	slices.SortFunc(out, cmp)
	return slices.CompactFunc(out, func(a, b K) bool { return cmp(a, b) == 0 })
}

package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"fanclub"
)

func scanMembership(s pgx.Row) (*fanclub.Membership, error) {
	var m fanclub.Membership
	var status string
	var joined, last, left, rejoin int64
	var retained *string
	if err := s.Scan(&m.FanID, &m.ClubID, &status, &m.Level, &m.LevelPoints, &joined, &last, &left,
		&m.Exits, &retained, &rejoin, &m.Version); err != nil {
		return nil, err
	}
	m.Status = fanclub.MembershipStatus(status)
	m.JoinedAt, m.LastInteractionAt, m.LeftAt, m.RejoinAfter = fromTS(joined), fromTS(last), fromTS(left), fromTS(rejoin)
	if retained != nil {
		m.Retained = new(fanclub.Retained)
		if err := json.Unmarshal([]byte(*retained), m.Retained); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

func scanMembershipRows(r pgx.Rows) (*fanclub.Membership, error) { return scanMembership(r) }

// FindMembership returns a fan's membership in a club.
func (t *Tx) FindMembership(ctx context.Context, fanID, clubID int64) (*fanclub.Membership, error) {
	if t.conflict != nil {
		return nil, t.conflict
	}
	m, err := scanMembership(t.tx.QueryRow(ctx, qFindMembership, fanID, clubID))
	if errNoRows(err) {
		return nil, fanclub.Errorf(fanclub.ENOTFOUND, "Fan %d has no membership in club %d.", fanID, clubID)
	} else if err != nil {
		return nil, t.fail("membership", err)
	}
	return m, nil
}

// FindMemberships returns the memberships that exist among keys; a
// locking transaction locks them until it ends (fanclub.LockingStore).
func (t *Tx) FindMemberships(ctx context.Context, keys []fanclub.MemberKey) (map[fanclub.MemberKey]*fanclub.Membership, error) {
	out := make(map[fanclub.MemberKey]*fanclub.Membership, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	q := qFindMemberships
	if t.locking {
		// Locked in key order (no deadlock between transactions locking
		// the same memberships).
		q = qLockMemberships
		keys = slices.SortedFunc(slices.Values(keys), compareMemberKeys)
	}
	fans, clubs := make([]int64, len(keys)), make([]int64, len(keys))
	for i, k := range keys {
		fans[i], clubs[i] = k.FanID, k.ClubID
	}
	ms, err := collect(t, ctx, "memberships", q, []any{fans, clubs}, scanMembershipRows)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		out[fanclub.MemberKey{FanID: m.FanID, ClubID: m.ClubID}] = m
	}
	return out, nil
}

// ListMemberships lists a fan's memberships (clubID 0) by club or a
// club's (fanID 0) by fan; both ids list that one membership, if any.
func (t *Tx) ListMemberships(ctx context.Context, fanID, clubID int64) ([]*fanclub.Membership, error) {
	switch {
	case fanID != 0 && clubID != 0:
		m, err := t.FindMembership(ctx, fanID, clubID)
		if fanclub.ErrorCode(err) == fanclub.ENOTFOUND {
			return []*fanclub.Membership{}, nil
		} else if err != nil {
			return nil, err
		}
		return []*fanclub.Membership{m}, nil
	case fanID != 0:
		return collect(t, ctx, "memberships", qFanMemberships, []any{fanID}, scanMembershipRows)
	}
	return collect(t, ctx, "memberships", qClubMemberships, []any{clubID}, scanMembershipRows)
}

// ListClubMembersPage lists up to limit memberships of a club with a fan
// id after after, by fan id.
func (t *Tx) ListClubMembersPage(ctx context.Context, clubID, after int64, limit int) ([]*fanclub.Membership, error) {
	return collect(t, ctx, "memberships", qClubMembersPage, []any{clubID, after, limit}, scanMembershipRows)
}

// ListFanMembershipsPage lists up to limit memberships of a fan with a
// club id after after, by club id.
func (t *Tx) ListFanMembershipsPage(ctx context.Context, fanID, after int64, limit int) ([]*fanclub.Membership, error) {
	return collect(t, ctx, "memberships", qFanMembershipsPage, []any{fanID, after, limit}, scanMembershipRows)
}

// SaveMemberships inserts or replaces memberships (the last one wins when
// a key repeats) and keeps the clubs' member counts. Memberships that
// exist and keep their status (every save of ingest) are rewritten by one
// UPDATE; the rest, if any, by the upsert that also adjusts the counts.
func (t *Tx) SaveMemberships(ctx context.Context, ms []*fanclub.Membership) error {
	if len(ms) == 0 {
		return nil
	}
	last := make(map[fanclub.MemberKey]int, len(ms))
	for i, m := range ms {
		last[fanclub.MemberKey{FanID: m.FanID, ClubID: m.ClubID}] = i
	}
	// Rows are written in key order (no deadlock between transactions
	// saving the same memberships).
	order := slices.Sorted(maps.Values(last))
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(ms[a].FanID, ms[b].FanID), cmp.Compare(ms[a].ClubID, ms[b].ClubID))
	})
	rows := make([]*fanclub.Membership, len(order))
	for j, i := range order {
		rows[j] = ms[i]
	}
	args, err := membershipArgs(rows)
	if err != nil {
		return err
	}
	updated, err := collect(t, ctx, "memberships", qUpdateMemberships, args, func(r pgx.Rows) (fanclub.MemberKey, error) {
		var k fanclub.MemberKey
		err := r.Scan(&k.FanID, &k.ClubID)
		return k, err
	})
	if err != nil {
		return err
	}
	if len(updated) == len(rows) {
		return nil
	}
	done := make(map[fanclub.MemberKey]bool, len(updated))
	for _, k := range updated {
		done[k] = true
	}
	rest := rows[:0:0]
	for _, m := range rows {
		if !done[fanclub.MemberKey{FanID: m.FanID, ClubID: m.ClubID}] {
			rest = append(rest, m)
		}
	}
	if args, err = membershipArgs(rest); err != nil {
		return err
	}
	_, err = t.exec(ctx, "memberships", qSaveMemberships, args...)
	return err
}

// membershipArgs returns the column arrays of qSaveMemberships and
// qUpdateMemberships for ms.
func membershipArgs(ms []*fanclub.Membership) ([]any, error) {
	n := len(ms)
	var (
		fans, clubs, levels, points, joined, lastAt, left, exits, rejoin, versions = make([]int64, 0, n), make([]int64, 0, n),
			make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n),
			make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n)
		statuses = make([]string, 0, n)
		retained = make([]*string, 0, n)
	)
	for _, m := range ms {
		var r *string
		if m.Retained != nil {
			b, err := json.Marshal(m.Retained)
			if err != nil {
				return nil, classify("membership retained", err)
			}
			s := string(b)
			r = &s
		}
		fans, clubs, statuses = append(fans, m.FanID), append(clubs, m.ClubID), append(statuses, string(m.Status))
		levels, points = append(levels, int64(m.Level)), append(points, m.LevelPoints)
		joined, lastAt, left = append(joined, ts(m.JoinedAt)), append(lastAt, ts(m.LastInteractionAt)), append(left, ts(m.LeftAt))
		exits, retained, rejoin = append(exits, int64(m.Exits)), append(retained, r), append(rejoin, ts(m.RejoinAfter))
		versions = append(versions, m.Version)
	}
	return []any{fans, clubs, statuses, levels, points, joined, lastAt, left, exits, retained, rejoin, versions}, nil
}

// ActiveMembers is the number of active memberships of a club.
func (t *Tx) ActiveMembers(ctx context.Context, clubID int64) (int64, error) {
	var n int64
	err := t.queryRow(ctx, "member count", qActiveMembers, []any{clubID}, &n)
	if errNoRows(err) {
		return 0, nil
	}
	return n, err
}

// counterArgs returns keys as column arrays.
func counterArgs(keys []fanclub.CounterKey) (fans, clubs []int64, days, actions []string) {
	fans, clubs = make([]int64, len(keys)), make([]int64, len(keys))
	days, actions = make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		fans[i], clubs[i], days[i], actions[i] = k.FanID, k.ClubID, k.Day, string(k.Action)
	}
	return fans, clubs, days, actions
}

// DailyPoints returns the stored counters among keys (missing ones are 0).
func (t *Tx) DailyPoints(ctx context.Context, keys []fanclub.CounterKey) (map[fanclub.CounterKey]int64, error) {
	out := make(map[fanclub.CounterKey]int64, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	for _, k := range keys {
		out[k] = 0
	}
	fans, clubs, days, actions := counterArgs(keys)
	type row struct {
		k fanclub.CounterKey
		p int64
	}
	rows, err := collect(t, ctx, "daily points", qDailyPoints, []any{fans, clubs, days, actions}, func(r pgx.Rows) (row, error) {
		var x row
		var action string
		err := r.Scan(&x.k.FanID, &x.k.ClubID, &x.k.Day, &action, &x.p)
		x.k.Action = fanclub.Action(action)
		return x, err
	})
	if err != nil {
		return nil, err
	}
	for _, x := range rows {
		out[x.k] = x.p
	}
	return out, nil
}

// AddDailyPoints adds to counters, creating them as needed; each sum is
// bounded like fanclub.AddPoints, a delta first clamped to
// ±fanclub.MaxPoints (the engine's deltas, AddPoints sums, always are). It
// adds to the counter's latest value, so concurrent additions are never
// lost; in a locking transaction the membership locks keep the caps read
// before it exact.
func (t *Tx) AddDailyPoints(ctx context.Context, deltas map[fanclub.CounterKey]int64) error {
	if len(deltas) == 0 {
		return nil
	}
	// Rows are written in key order, so that concurrent transactions lock
	// shared counters in the same order (no deadlock between them).
	keys := slices.SortedFunc(maps.Keys(deltas), compareCounterKeys)
	ds := make([]int64, len(keys))
	for i, k := range keys {
		ds[i] = fanclub.ClampPoints(deltas[k])
	}
	fans, clubs, days, actions := counterArgs(keys)
	_, err := t.exec(ctx, "daily points", qAddDailyPoints, fans, clubs, days, actions, ds, fanclub.MaxPoints)
	return err
}

// DeleteHistory erases a fan's daily counters in a club.
func (t *Tx) DeleteHistory(ctx context.Context, fanID, clubID int64) error {
	_, err := t.exec(ctx, "history", qDeleteHistory, fanID, clubID)
	return err
}

// compareCounterKeys orders counter keys by fan, club, day and action.
func compareCounterKeys(a, b fanclub.CounterKey) int {
	return cmp.Or(cmp.Compare(a.FanID, b.FanID), cmp.Compare(a.ClubID, b.ClubID),
		strings.Compare(a.Day, b.Day), strings.Compare(string(a.Action), string(b.Action)))
}

// compareMemberKeys orders membership keys by fan, then club.
func compareMemberKeys(a, b fanclub.MemberKey) int {
	return cmp.Or(cmp.Compare(a.FanID, b.FanID), cmp.Compare(a.ClubID, b.ClubID))
}

package sqlite

import (
	"context"

	"fanclub"
)

// ListClubsPage lists up to limit clubs with an id after after, by id;
// creatorID 0 lists all.
func (t *Tx) ListClubsPage(ctx context.Context, creatorID, after int64, limit int) ([]*fanclub.Club, error) {
	q := `SELECT ` + clubCols + ` FROM clubs WHERE id > ? ORDER BY id LIMIT ?`
	args := []any{after, limit}
	if creatorID != 0 {
		q = `SELECT ` + clubCols + ` FROM clubs WHERE creator_id = ? AND id > ? ORDER BY id LIMIT ?`
		args = []any{creatorID, after, limit}
	}
	return queryAll(ctx, t, "clubs", scanClub, q, args...)
}

// ListClubMembersPage lists up to limit memberships of a club with a fan
// id after after, by fan id, with the write-behind state's newer rows.
func (t *Tx) ListClubMembersPage(ctx context.Context, clubID, after int64, limit int) ([]*fanclub.Membership, error) {
	return t.queryMemberships(ctx, `SELECT `+membershipSelect+` FROM memberships AS m
WHERE m.club_id = ? AND m.fan_id > ? ORDER BY m.fan_id LIMIT ?`, clubID, after, limit)
}

// ListFanMembershipsPage lists up to limit memberships of a fan with a
// club id after after, by club id, with the write-behind state's newer
// rows.
func (t *Tx) ListFanMembershipsPage(ctx context.Context, fanID, after int64, limit int) ([]*fanclub.Membership, error) {
	return t.queryMemberships(ctx, `SELECT `+membershipSelect+` FROM memberships AS m
WHERE m.fan_id = ? AND m.club_id > ? ORDER BY m.club_id LIMIT ?`, fanID, after, limit)
}

// queryMemberships runs a query over memberships. Every membership has a
// table row (a new one is written straight to the table); the
// write-behind state may hold a newer value of it, which replaces it.
func (t *Tx) queryMemberships(ctx context.Context, q string, args ...any) ([]*fanclub.Membership, error) {
	return queryAll(ctx, t, "memberships", func(s scanner) (*fanclub.Membership, error) {
		m, err := scanMembership(s)
		if err != nil {
			return nil, err
		}
		if newer, ok := t.memberFromState(fanclub.MemberKey{FanID: m.FanID, ClubID: m.ClubID}); ok {
			return newer, nil
		}
		return m, nil
	}, q, args...)
}

// queryAll runs a query and scans each of its rows with scan; what names
// the rows in errors. No rows give an empty slice.
func queryAll[T any](ctx context.Context, t *Tx, what string, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, wrap(what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, wrap(what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(what, err)
	}
	return out, nil
}

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
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, wrap("clubs", err)
	}
	defer rows.Close()
	clubs := []*fanclub.Club{}
	for rows.Next() {
		c, err := scanClub(rows)
		if err != nil {
			return nil, wrap("clubs", err)
		}
		clubs = append(clubs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("clubs", err)
	}
	return clubs, nil
}

// ListClubMembersPage lists up to limit memberships of a club with a fan
// id after after, by fan id, with the write-behind state's newer rows.
func (t *Tx) ListClubMembersPage(ctx context.Context, clubID, after int64, limit int) ([]*fanclub.Membership, error) {
	return t.membershipPage(ctx, `SELECT `+membershipSelect+` FROM memberships AS m
WHERE m.club_id = ? AND m.fan_id > ? ORDER BY m.fan_id LIMIT ?`, clubID, after, limit)
}

// ListFanMembershipsPage lists up to limit memberships of a fan with a
// club id after after, by club id, with the write-behind state's newer
// rows.
func (t *Tx) ListFanMembershipsPage(ctx context.Context, fanID, after int64, limit int) ([]*fanclub.Membership, error) {
	return t.membershipPage(ctx, `SELECT `+membershipSelect+` FROM memberships AS m
WHERE m.fan_id = ? AND m.club_id > ? ORDER BY m.club_id LIMIT ?`, fanID, after, limit)
}

// membershipPage runs a page query over memberships. Every membership
// has a table row (a new one is written straight to the table); the
// overlay may hold a newer value of it.
func (t *Tx) membershipPage(ctx context.Context, q string, args ...any) ([]*fanclub.Membership, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, wrap("memberships", err)
	}
	defer rows.Close()
	ms := []*fanclub.Membership{}
	for rows.Next() {
		m, err := scanMembership(rows)
		if err != nil {
			return nil, wrap("memberships", err)
		}
		if newer, ok := t.memberFromState(fanclub.MemberKey{FanID: m.FanID, ClubID: m.ClubID}); ok {
			m = newer
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("memberships", err)
	}
	return ms, nil
}

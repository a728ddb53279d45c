package fanclub

import (
	"context"
	"fmt"
)

// Page limits of the list operations.
const (
	// MaxPageLimit is the most items one page may hold.
	MaxPageLimit = 1000
	// DefaultPageLimit is the page size when the caller names none.
	DefaultPageLimit = 100
)

// checkLimit refuses a page limit outside 1..MaxPageLimit.
func checkLimit(limit int) error {
	if limit < 1 || limit > MaxPageLimit {
		return InvalidFields("Invalid page size.", []FieldError{{Path: "limit", Found: fmt.Sprint(limit),
			Allowed: fmt.Sprintf("an integer from 1 to %d", MaxPageLimit), Message: "invalid limit"}})
	}
	return nil
}

// ClubPage lists up to limit clubs with an id greater than after, by id
// (creatorID 0: every creator's), and whether more follow.
func (e *Engine) ClubPage(ctx context.Context, creatorID, after int64, limit int) ([]*Club, bool, error) {
	if err := checkLimit(limit); err != nil {
		return nil, false, err
	}
	var cs []*Club
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		cs, err = tx.ListClubsPage(ctx, creatorID, after, limit+1)
		if err != nil {
			return fmt.Errorf("list clubs: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	more := len(cs) > limit
	if more {
		cs = cs[:limit]
	}
	if cs == nil {
		cs = []*Club{}
	}
	return cs, more, nil
}

// ClubMembersPage lists up to limit memberships of a club with a fan id
// greater than after, by fan id, as of now, and whether more follow.
func (e *Engine) ClubMembersPage(ctx context.Context, clubID, after int64, limit int) ([]*MembershipView, bool, error) {
	return e.membershipPage(ctx, limit, func(tx Tx) ([]*Membership, error) {
		if _, err := tx.FindClubByID(ctx, clubID); err != nil {
			return nil, fmt.Errorf("find club %d: %w", clubID, err)
		}
		return tx.ListClubMembersPage(ctx, clubID, after, limit+1)
	})
}

// FanMembershipsPage lists up to limit memberships of a fan with a club id
// greater than after, by club id, as of now, and whether more follow.
func (e *Engine) FanMembershipsPage(ctx context.Context, fanID, after int64, limit int) ([]*MembershipView, bool, error) {
	return e.membershipPage(ctx, limit, func(tx Tx) ([]*Membership, error) {
		return tx.ListFanMembershipsPage(ctx, fanID, after, limit+1)
	})
}

// membershipPage reads up to limit+1 memberships with list and derives
// their views.
func (e *Engine) membershipPage(ctx context.Context, limit int, list func(tx Tx) ([]*Membership, error)) ([]*MembershipView, bool, error) {
	if err := checkLimit(limit); err != nil {
		return nil, false, err
	}
	out := []*MembershipView{}
	var more bool
	err := e.inTx(ctx, false, func(tx Tx) error {
		out = []*MembershipView{} // a retried run starts afresh (a failed run left nil)
		ms, err := list(tx)
		if err != nil {
			return fmt.Errorf("list memberships: %w", err)
		}
		if more = len(ms) > limit; more {
			ms = ms[:limit]
		}
		out, err = e.views(ctx, tx, ms, out)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return out, more, nil
}

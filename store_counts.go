package fanclub

import "context"

// MemberCountTx reads the counts a store maintains as memberships are
// saved, so that reading them costs the same for any club size.
type MemberCountTx interface {
	// ActiveMembers is the number of active memberships of a club (0 for
	// a club without members).
	ActiveMembers(ctx context.Context, clubID int64) (int64, error)
}

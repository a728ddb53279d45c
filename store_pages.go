package fanclub

import "context"

// PageTx lists rows a page at a time by key (keyset pagination): each
// method returns at most limit rows whose key is greater than after, in
// key order, so a page costs the same however deep it is.
type PageTx interface {
	// ListClubsPage lists clubs by id after the id after; creatorID 0
	// lists all.
	ListClubsPage(ctx context.Context, creatorID, after int64, limit int) ([]*Club, error)
	// ListClubMembersPage lists a club's memberships by fan id after the
	// fan id after.
	ListClubMembersPage(ctx context.Context, clubID, after int64, limit int) ([]*Membership, error)
	// ListFanMembershipsPage lists a fan's memberships by club id after
	// the club id after.
	ListFanMembershipsPage(ctx context.Context, fanID, after int64, limit int) ([]*Membership, error)
}

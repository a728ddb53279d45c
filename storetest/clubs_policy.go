package storetest

import (
	"context"
	"testing"

	"fanclub"
	"fanclub/clock"
)

// testClubPolicyVersion checks that a club keeps the policy version it was
// created with, and that an empty version stays empty.
func testClubPolicyVersion(t *testing.T, s fanclub.Store, _ *clock.Manual) {
	ctx := context.Background()
	cr := &fanclub.Creator{Handle: "versioned"}
	clubs := []*fanclub.Club{
		{Name: "v1", Policy: "acme", PolicyVersion: "2026-12.1"},
		{Name: "none", Policy: "fair"},
	}
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "CreateCreator", tx.CreateCreator(ctx, cr))
		for _, cl := range clubs {
			cl.CreatorID = cr.ID
			must(t, "CreateClub", tx.CreateClub(ctx, cl))
		}
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		for _, want := range clubs {
			got, err := tx.FindClubByID(ctx, want.ID)
			must(t, "FindClubByID", err)
			wantEqual(t, "FindClubByID", got, want)
		}
		all, err := tx.ListClubs(ctx, cr.ID)
		must(t, "ListClubs", err)
		wantEqual(t, "ListClubs", all, clubs)
	})
}

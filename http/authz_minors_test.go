package http

import (
	"context"
	"fmt"

	"fanclub"
)

// guardedMinor makes fan 1 a member of a fair club whose guardian is fan
// 2 (an active link), once per fixture, and returns the club's id.
func guardedMinor(f *authzFixture) int64 {
	ctx := context.Background()
	e, t := f.api.Engine, f.api.t
	cs, err := e.ListClubs(ctx, f.creatorA.ID)
	if err != nil {
		t.Fatalf("clubs: %v", err)
	}
	for _, c := range cs {
		if c.Policy == "fair" {
			return c.ID
		}
	}
	c, err := e.CreateClub(ctx, f.creatorA.ID, "A fair club", "fair")
	if err != nil {
		t.Fatalf("club: %v", err)
	}
	if _, err := e.Join(ctx, f.fan1.ID, c.ID); err != nil {
		t.Fatalf("join: %v", err)
	}
	l, err := e.RequestGuardianLink(ctx, f.fan2.ID, f.fan1.ID)
	if err == nil {
		_, err = e.AcceptGuardianLink(ctx, f.fan1.ID, l.ID)
	}
	if err != nil {
		t.Fatalf("link: %v", err)
	}
	return c.ID
}

// linkOf returns the guardian link fan 1 asked for with fan 2 as the
// minor (requested, or active when accept), making it on first use.
func linkOf(f *authzFixture, accept bool) int64 {
	ctx := context.Background()
	e, t := f.api.Engine, f.api.t
	ls, err := e.GuardianLinks(ctx, f.fan2.ID)
	if err != nil {
		t.Fatalf("links: %v", err)
	}
	if len(ls) > 0 {
		return ls[0].ID
	}
	l, err := e.RequestGuardianLink(ctx, f.fan1.ID, f.fan2.ID)
	if err == nil && accept {
		_, err = e.AcceptGuardianLink(ctx, f.fan2.ID, l.ID)
	}
	if err != nil {
		t.Fatalf("link: %v", err)
	}
	return l.ID
}

// minorsAuthzCases are the authorization cases of the minors and
// guardian routes (instance minors policy: fair).
func minorsAuthzCases() []authzCase {
	const u, x = 401, 403
	minorPath := func(suffix string) func(f *authzFixture) string {
		return func(f *authzFixture) string { return fmt.Sprintf("/v1/me/minors/%d%s", f.fan1.ID, suffix) }
	}
	return []authzCase{
		{"PUT", "/v1/me/age", fixed("/v1/me/age"), func(*authzFixture) any {
			return map[string]string{"birth_date": "1990-01-01", "method": "self_declared"}
		}, [6]int{u, 200, 200, x, x, x}},
		{"GET", "/v1/me/age", fixed("/v1/me/age"), nil, [6]int{u, 404, 404, x, x, x}},
		{"POST", "/v1/me/face-checks", fixed("/v1/me/face-checks"), nil, [6]int{u, 200, 200, x, x, x}},
		{"POST", "/v1/me/guardian-links", fixed("/v1/me/guardian-links"), func(f *authzFixture) any {
			return map[string]int64{"minor_id": f.fan2.ID}
		}, [6]int{u, 201, 400, x, x, x}},
		{"GET", "/v1/me/guardian-links", fixed("/v1/me/guardian-links"), nil, [6]int{u, 200, 200, x, x, x}},
		{"POST", "/v1/me/guardian-links/{id}/accept", func(f *authzFixture) string {
			return fmt.Sprintf("/v1/me/guardian-links/%d/accept", linkOf(f, false))
		}, nil, [6]int{u, x, 200, x, x, x}},
		{"DELETE", "/v1/me/guardian-links/{id}", func(f *authzFixture) string {
			return fmt.Sprintf("/v1/me/guardian-links/%d", linkOf(f, true))
		}, nil, [6]int{u, x, 200, x, x, x}},
		{"GET", "/v1/me/minors/{minor}/consumption", minorPath("/consumption"), func(f *authzFixture) any {
			guardedMinor(f)
			return nil
		}, [6]int{u, x, 200, x, x, x}},
		{"POST", "/v1/me/minors/{minor}/exit-requests", minorPath("/exit-requests"), func(f *authzFixture) any {
			return map[string]int64{"club_id": guardedMinor(f)}
		}, [6]int{u, x, 201, x, x, x}},
		{"POST", "/v1/me/minors/{minor}/exit-requests/{id}/confirm", func(f *authzFixture) string {
			g, err := f.api.Engine.GuardianExitPreview(context.Background(), f.fan2.ID, f.fan1.ID, guardedMinor(f), nil)
			if fanclub.ErrorCode(err) == fanclub.ENOTMEMBER {
				return fmt.Sprintf("/v1/me/minors/%d/exit-requests/gone/confirm", f.fan1.ID)
			} else if err != nil {
				f.api.t.Fatalf("preview: %v", err)
			}
			return fmt.Sprintf("/v1/me/minors/%d/exit-requests/%s/confirm", f.fan1.ID, g.Preview.ID)
		}, nil, [6]int{u, x, 200, x, x, x}},
		{"POST", "/v1/me/minors/{minor}/refund-requests", minorPath("/refund-requests"), func(f *authzFixture) any {
			guardedMinor(f)
			return map[string]any{}
		}, [6]int{u, x, 200, x, x, x}},
		{"GET", "/v1/admin/guardian-refunds", fixed("/v1/admin/guardian-refunds?status=pending"), nil, [6]int{u, x, x, x, x, 200}},
		{"POST", "/v1/admin/guardian-refunds/{id}/decision", fixed("/v1/admin/guardian-refunds/999/decision"), func(*authzFixture) any {
			return map[string]any{"approve": true}
		}, [6]int{u, x, x, x, x, 404}},
		{"DELETE", "/v1/admin/guardian-links/{id}", func(f *authzFixture) string {
			return fmt.Sprintf("/v1/admin/guardian-links/%d", linkOf(f, false))
		}, nil, [6]int{u, x, x, x, x, 200}},
		{"PUT", "/v1/admin/sandbox/failures/face/{fan}", func(f *authzFixture) string {
			return fmt.Sprintf("/v1/admin/sandbox/failures/face/%d", f.fan2.ID)
		}, nil, [6]int{u, x, x, x, x, 204}},
		{"DELETE", "/v1/admin/sandbox/failures/face/{fan}", func(f *authzFixture) string {
			return fmt.Sprintf("/v1/admin/sandbox/failures/face/%d", f.fan2.ID)
		}, nil, [6]int{u, x, x, x, x, 204}},
		{"PUT", "/v1/admin/sandbox/failures/age/{fan}", func(f *authzFixture) string {
			return fmt.Sprintf("/v1/admin/sandbox/failures/age/%d", f.fan2.ID)
		}, nil, [6]int{u, x, x, x, x, 204}},
		{"DELETE", "/v1/admin/sandbox/failures/age/{fan}", func(f *authzFixture) string {
			return fmt.Sprintf("/v1/admin/sandbox/failures/age/%d", f.fan2.ID)
		}, nil, [6]int{u, x, x, x, x, 204}},
	}
}

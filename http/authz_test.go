package http

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fanclub"
	"fanclub/internal/teststores"
)

// authzFixture is a small world: creator A runs a kuaishou club (captcha
// exits) and a douyin club (slider exits), in each of which fan 1 is a
// member with a pending exit request; fan 2 and creator B are strangers to
// them.
type authzFixture struct {
	api                *testAPI
	fan1, fan2         fanclub.Fan
	creatorA, creatorB fanclub.Creator
	club               fanclub.Club
	exitID             string
	sliderExitID       string // fan 1's pending exit from the douyin club
	tokens             map[string]string
}

// newAuthzFixture builds the fixture through the API.
func newAuthzFixture(t *testing.T, open teststores.Open) *authzFixture {
	a := newTestAPI(t, open)
	f := &authzFixture{api: a}
	var tFan1, tFan2, tCA, tCB string
	f.fan1, tFan1 = a.newFan("fan_one")
	f.fan2, tFan2 = a.newFan("fan_two")
	f.creatorA, tCA = a.newCreator("creator_a")
	f.creatorB, tCB = a.newCreator("creator_b")
	f.club = a.newClub(tCA, "A club", "kuaishou")
	a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", f.club.ID), tFan1, nil)
	var req exitRequest
	a.must(201, "POST", fmt.Sprintf("/v1/clubs/%d/exit-requests", f.club.ID), tFan1, map[string]any{}).JSON(t, &req)
	f.exitID = req.ID
	douyin := a.newClub(tCA, "A douyin club", "douyin")
	a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", douyin.ID), tFan1, nil)
	var sliderReq exitRequest
	a.must(201, "POST", fmt.Sprintf("/v1/clubs/%d/exit-requests", douyin.ID), tFan1, map[string]any{}).JSON(t, &sliderReq)
	f.sliderExitID = sliderReq.ID
	f.tokens = map[string]string{"none": "", "fan": tFan1, "other_fan": tFan2, "creator": tCA, "other_creator": tCB, "admin": a.Admin}
	return f
}

// roles are the callers every route is tried with, in table column order.
var roles = []string{"none", "fan", "other_fan", "creator", "other_creator", "admin"}

// authzCase is one route tried by every role.
type authzCase struct {
	method, pattern string
	// path and body build the request from the fixture.
	path func(f *authzFixture) string
	body func(f *authzFixture) any
	// want is the status per role, in the order of roles.
	want [6]int
}

func clubPath(suffix string) func(f *authzFixture) string {
	return func(f *authzFixture) string { return fmt.Sprintf("/v1/clubs/%d%s", f.club.ID, suffix) }
}

func exitPath(suffix string) func(f *authzFixture) string {
	return func(f *authzFixture) string { return "/v1/exit-requests/" + f.exitID + suffix }
}

// creatorPath is a creator route of creator A (the query names A for
// an admin token; a creator token acts for itself).
func creatorPath(suffix string) func(f *authzFixture) string {
	return func(f *authzFixture) string {
		return fmt.Sprintf("/v1/creators/me%s?creator_id=%d", suffix, f.creatorA.ID)
	}
}

// operatorReason is the body of an operator action.
func operatorReason(*authzFixture) any { return map[string]string{"reason": "checked"} }

func fixed(p string) func(*authzFixture) string { return func(*authzFixture) string { return p } }

func authzCases() []authzCase {
	const u, x = 401, 403
	return append([]authzCase{
		{"GET", "/healthz", fixed("/healthz"), nil, [6]int{200, 200, 200, 200, 200, 200}},
		{"GET", "/readyz", fixed("/readyz"), nil, [6]int{200, 200, 200, 200, 200, 200}},
		{"GET", "/metrics", fixed("/metrics"), nil, [6]int{200, 200, 200, 200, 200, 200}},
		{"GET", "/v1/openapi.json", fixed("/v1/openapi.json"), nil, [6]int{200, 200, 200, 200, 200, 200}},
		{"GET", "/v1/policies", fixed("/v1/policies"), nil, [6]int{200, 200, 200, 200, 200, 200}},
		{"GET", "/v1/policies/{name}", fixed("/v1/policies/fair"), nil, [6]int{200, 200, 200, 200, 200, 200}},
		{"POST", "/v1/sessions", fixed("/v1/sessions"), func(*authzFixture) any {
			return map[string]string{"handle": "fan_one", "password": "pw-fan_one-secret"}
		}, [6]int{201, 201, 201, 201, 201, 201}},
		{"DELETE", "/v1/sessions/current", fixed("/v1/sessions/current"), nil, [6]int{u, 204, 204, 204, 204, 204}},
		{"POST", "/v1/fans", fixed("/v1/fans"), func(*authzFixture) any {
			return map[string]string{"handle": "newcomer", "password": "a long password"}
		}, [6]int{u, x, x, x, x, 201}},
		{"POST", "/v1/creators", fixed("/v1/creators"), func(*authzFixture) any {
			return map[string]string{"handle": "new_creator"}
		}, [6]int{u, x, x, x, x, 201}},
		{"POST", "/v1/tokens", fixed("/v1/tokens"), func(f *authzFixture) any {
			return map[string]any{"role": "fan", "subject_id": f.fan1.ID}
		}, [6]int{u, x, x, x, x, 201}},
		{"DELETE", "/v1/tokens/{id}", func(f *authzFixture) string {
			tok, err := f.api.Engine.IssueTokenTTL(context.Background(), fanclub.RoleFan, f.fan2.ID, 0)
			if err != nil {
				f.api.t.Fatalf("issue token: %v", err)
			}
			return fmt.Sprintf("/v1/tokens/%d", tok.TokenID)
		}, nil, [6]int{u, x, x, x, x, 204}},
		{"POST", "/v1/events:batch", fixed("/v1/events:batch"), func(f *authzFixture) any {
			return fanclub.Batch{Producer: "p", Seq: 1, Events: []fanclub.EventInput{{ID: "e1", FanID: f.fan1.ID, ClubID: f.club.ID, Action: fanclub.ActionLike}}}
		}, [6]int{u, x, x, x, x, 200}},
		{"POST", "/v1/clubs", fixed("/v1/clubs"), func(f *authzFixture) any {
			return map[string]any{"name": "Second", "policy": "fair", "creator_id": f.creatorA.ID}
		}, [6]int{u, x, x, 201, x, 201}},
		{"GET", "/v1/clubs", fixed("/v1/clubs"), nil, [6]int{u, 200, 200, 200, 200, 200}},
		{"GET", "/v1/clubs/{club}", clubPath(""), nil, [6]int{u, 200, 200, 200, 200, 200}},
		{"GET", "/v1/clubs/{club}/members", clubPath("/members"), nil, [6]int{u, x, x, 200, x, 200}},
		{"GET", "/v1/me", fixed("/v1/me"), nil, [6]int{u, 200, 200, x, x, x}},
		{"GET", "/v1/me/memberships", fixed("/v1/me/memberships"), nil, [6]int{u, 200, 200, x, x, x}},
		{"GET", "/v1/me/notifications", fixed("/v1/me/notifications"), nil, [6]int{u, 200, 200, x, x, x}},
		{"GET", "/v1/me/receipts", fixed("/v1/me/receipts"), nil, [6]int{u, 200, 200, x, x, x}},
		{"POST", "/v1/me/erasure", fixed("/v1/me/erasure"), nil, [6]int{u, 200, 200, x, x, x}},
		{"POST", "/v1/admin/fans/{fan}/erasure", func(f *authzFixture) string {
			return fmt.Sprintf("/v1/admin/fans/%d/erasure", f.fan2.ID)
		}, nil, [6]int{u, x, x, x, x, 200}},
		{"PUT", "/v1/creators/{id}/follow", func(f *authzFixture) string {
			return fmt.Sprintf("/v1/creators/%d/follow", f.creatorA.ID)
		}, nil, [6]int{u, 200, 200, x, x, x}},
		{"DELETE", "/v1/creators/{id}/follow", func(f *authzFixture) string {
			return fmt.Sprintf("/v1/creators/%d/follow", f.creatorA.ID)
		}, nil, [6]int{u, 204, 204, x, x, x}},
		{"PUT", "/v1/clubs/{club}/membership", clubPath("/membership"), nil, [6]int{u, 200, 201, x, x, x}},
		{"GET", "/v1/clubs/{club}/membership", clubPath("/membership"), nil, [6]int{u, 200, 404, x, x, x}},
		{"POST", "/v1/clubs/{club}/interactions", clubPath("/interactions"), func(*authzFixture) any {
			return map[string]any{"action": "like"}
		}, [6]int{u, 200, 409, x, x, x}},
		{"POST", "/v1/clubs/{club}/gifts", clubPath("/gifts"), func(*authzFixture) any {
			return map[string]any{"coins": 1}
		}, [6]int{u, 402, 409, x, x, x}},
		{"POST", "/v1/me/coins", fixed("/v1/me/coins"), func(*authzFixture) any {
			return map[string]any{"coins": 10}
		}, [6]int{u, 200, 200, x, x, x}},
		{"GET", "/v1/me/wallet", fixed("/v1/me/wallet"), nil, [6]int{u, 200, 200, x, x, x}},
		{"POST", "/v1/clubs/{club}/subscription", clubPath("/subscription"), func(*authzFixture) any {
			return map[string]any{"tier": "vip", "plan": "monthly"}
		}, [6]int{u, 200, 409, x, x, x}},
		{"GET", "/v1/clubs/{club}/subscription", clubPath("/subscription"), nil, [6]int{u, 404, 404, x, x, x}},
		{"DELETE", "/v1/clubs/{club}/subscription/auto-renew", clubPath("/subscription/auto-renew"), nil, [6]int{u, 404, 404, x, x, x}},
		{"POST", "/v1/me/payment-agreements/{id}", fixed("/v1/me/payment-agreements/sbx_ag_999999:revoke"), nil, [6]int{u, 404, 404, x, x, x}},
		{"GET", "/v1/me/payments", fixed("/v1/me/payments"), nil, [6]int{u, 200, 200, x, x, x}},
		{"GET", "/v1/me/export", fixed("/v1/me/export"), nil, [6]int{u, 200, 200, x, x, x}},
		{"POST", "/v1/me/imports", fixed("/v1/me/imports"), func(*authzFixture) any { return map[string]any{} }, [6]int{u, 400, 400, x, x, x}},
		{"GET", "/v1/me/imports", fixed("/v1/me/imports"), nil, [6]int{u, 200, 200, x, x, x}},
		{"GET", "/v1/schemas/export.json", fixed("/v1/schemas/export.json"), nil, [6]int{200, 200, 200, 200, 200, 200}},
		{"GET", "/.well-known/fanclub/keys", fixed("/.well-known/fanclub/keys"), nil, [6]int{200, 200, 200, 200, 200, 200}},
		{"POST", "/v1/clubs/{club}/exit-requests", clubPath("/exit-requests"), func(*authzFixture) any {
			return map[string]any{}
		}, [6]int{u, 201, 409, x, x, x}},
		{"GET", "/v1/exit-requests/{id}", exitPath(""), nil, [6]int{u, 200, 404, x, x, x}},
		{"GET", "/v1/exit-requests/{id}/captcha.png", exitPath("/captcha.png"), nil, [6]int{u, 200, 404, x, x, x}},
		{"GET", "/v1/exit-requests/{id}/slider.png", func(f *authzFixture) string {
			return "/v1/exit-requests/" + f.sliderExitID + "/slider.png"
		}, nil, [6]int{u, 200, 404, x, x, x}},
		{"POST", "/v1/exit-requests/{id}/confirm", exitPath("/confirm"), func(f *authzFixture) any {
			code, err := f.api.Engine.ExitCaptcha(context.Background(), f.fan1.ID, f.exitID)
			if err != nil {
				f.api.t.Fatalf("captcha code: %v", err)
			}
			return fanclub.ExitAnswers{Captcha: code}
		}, [6]int{u, 200, 404, x, x, x}},
		{"GET", "/v1/clubs/{club}/task", clubPath("/task"), nil, [6]int{u, 200, x, 200, x, 200}},
		{"GET", "/v1/creators/me/revenue", creatorPath("/revenue"), nil, [6]int{u, x, x, 200, 200, 200}},
		{"GET", "/v1/creators/me/settlements", creatorPath("/settlements"), nil, [6]int{u, x, x, 200, 200, 200}},
		{"GET", "/v1/creators/me/statements/{week}", creatorPath("/statements/2026-03-09"), nil, [6]int{u, x, x, 200, 200, 200}},
		{"POST", "/v1/creators/me/payouts", creatorPath("/payouts"), func(*authzFixture) any {
			return map[string]any{"amount": 100}
		}, [6]int{u, x, x, 402, 402, 402}},
		{"GET", "/v1/admin/revenue/holds", fixed("/v1/admin/revenue/holds"), nil, [6]int{u, x, x, x, x, 200}},
		{"POST", "/v1/admin/revenue/holds/{id}/release", fixed("/v1/admin/revenue/holds/99/release"), operatorReason, [6]int{u, x, x, x, x, 404}},
		{"POST", "/v1/admin/revenue/holds/{id}/void", fixed("/v1/admin/revenue/holds/99/void"), operatorReason, [6]int{u, x, x, x, x, 404}},
		{"GET", "/v1/admin/revenue/reviews", fixed("/v1/admin/revenue/reviews"), nil, [6]int{u, x, x, x, x, 200}},
		{"POST", "/v1/admin/revenue/reviews/{id}/close", fixed("/v1/admin/revenue/reviews/99/close"), operatorReason, [6]int{u, x, x, x, x, 404}},
		{"GET", "/v1/admin/sandbox/declines", fixed("/v1/admin/sandbox/declines"), nil, [6]int{u, x, x, x, x, 200}},
		{"PUT", "/v1/admin/sandbox/declines/fans/{fan}", func(f *authzFixture) string {
			return fmt.Sprintf("/v1/admin/sandbox/declines/fans/%d", f.fan2.ID)
		}, nil, [6]int{u, x, x, x, x, 200}},
		{"DELETE", "/v1/admin/sandbox/declines/fans/{fan}", func(f *authzFixture) string {
			return fmt.Sprintf("/v1/admin/sandbox/declines/fans/%d", f.fan2.ID)
		}, nil, [6]int{u, x, x, x, x, 200}},
		{"PUT", "/v1/admin/sandbox/declines/amounts/{amount}", fixed("/v1/admin/sandbox/declines/amounts/1800"), nil, [6]int{u, x, x, x, x, 200}},
		{"DELETE", "/v1/admin/sandbox/declines/amounts/{amount}", fixed("/v1/admin/sandbox/declines/amounts/1800"), nil, [6]int{u, x, x, x, x, 200}},
	}, minorsAuthzCases()...)
}

// TestEveryRouteForEveryRole runs each route as each role, on one fresh
// fixture per route (only one role of each route changes state in a way
// another role's request could see), and checks the status, and that
// refusals are problem documents.
func TestEveryRouteForEveryRole(t *testing.T) {
	t.Parallel()
	eachStore(t, testEveryRouteForEveryRole)
}

func testEveryRouteForEveryRole(t *testing.T, open teststores.Open) {
	t.Parallel()
	cases := authzCases()
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.method+" "+c.pattern] = true
	}
	for _, rt := range (&Server{}).routes() {
		if !covered[rt.method+" "+rt.pattern] {
			t.Errorf("route %s %s has no authorization case", rt.method, rt.pattern)
		}
	}
	if len(covered) != len((&Server{}).routes()) {
		t.Errorf("%d cases for %d routes", len(covered), len((&Server{}).routes()))
	}
	for _, c := range cases {
		t.Run(strings.NewReplacer("/", "_", "{", "", "}", "").Replace(c.method+c.pattern), func(t *testing.T) {
			t.Parallel()
			f := newAuthzFixture(t, open)
			var body any
			if c.body != nil {
				body = c.body(f)
			}
			for i, role := range roles {
				// Every request carries a key of its own: money-moving
				// routes need one, and no request replays another.
				res := f.api.doWithKey(c.method, c.path(f), f.tokens[role], body, fmt.Sprintf("authz-%s-%d", role, i))
				if res.Status != c.want[i] {
					t.Errorf("%s: status %d, want %d: %s", role, res.Status, c.want[i], res.Body)
					continue
				}
				if res.Status >= 400 {
					p := res.Problem(t)
					if p.Status != res.Status || p.Type != ProblemTypeBase+p.Code {
						t.Errorf("%s: problem %+v does not match status %d", role, p, res.Status)
					}
				}
				if res.Status == 401 && res.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s: 401 without WWW-Authenticate", role)
				}
			}
		})
	}
}

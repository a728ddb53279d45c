package http

import (
	"fanclub/internal/teststores"
	"fmt"
	"testing"
)

// TestCreateClubPolicyDefaultAndVersion: a club created without a policy
// runs the default policy, fair; every club records the version of its
// policy, and GET /v1/clubs/{club} shows both.
func TestCreateClubPolicyDefaultAndVersion(t *testing.T) {
	t.Parallel()
	eachStore(t, testCreateClubPolicyDefaultAndVersion)
}

func testCreateClubPolicyDefaultAndVersion(t *testing.T, open teststores.Open) {
	t.Parallel()
	a := newTestAPI(t, open)
	_, tok := a.newCreator("versions")
	for _, tc := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"no policy field", map[string]any{"name": "A"}, "fair"},
		{"empty policy", map[string]any{"name": "B", "policy": ""}, "fair"},
		{"named policy", map[string]any{"name": "C", "policy": "douyin"}, "douyin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var created, got struct {
				ID            int64  `json:"id"`
				Policy        string `json:"policy"`
				PolicyVersion string `json:"policy_version"`
			}
			a.must(201, "POST", "/v1/clubs", tok, tc.body).JSON(t, &created)
			a.must(200, "GET", fmt.Sprintf("/v1/clubs/%d", created.ID), tok, nil).JSON(t, &got)
			for what, c := range map[string]struct{ policy, version string }{
				"created": {created.Policy, created.PolicyVersion},
				"got":     {got.Policy, got.PolicyVersion},
			} {
				if c.policy != tc.want || c.version != "2026-11" {
					t.Errorf("%s club: policy %q version %q, want %q version %q", what, c.policy, c.version, tc.want, "2026-11")
				}
			}
		})
	}
}

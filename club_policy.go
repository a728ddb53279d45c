package fanclub

import (
	"context"
	"fmt"
	"strings"
)

// DefaultPolicy names the policy a club runs when none is chosen.
const DefaultPolicy = "fair"

// maxListedClubs bounds the clubs a policy mismatch error names.
const maxListedClubs = 5

// CheckClubPolicies checks, before the service starts, that every club's
// policy is loaded in the version the club recorded at creation. A club
// whose policy is missing, or whose policy now has another version, would
// run rules its fans did not join under: the error (ECONFLICT) names the
// policies and clubs concerned and what to do. Clubs that recorded no
// version are not checked for it.
func (e *Engine) CheckClubPolicies(ctx context.Context) error {
	var clubs []*Club
	if err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		clubs, err = tx.ListClubs(ctx, 0)
		return err
	}); err != nil {
		return fmt.Errorf("list clubs: %w", err)
	}
	type problem struct {
		msg   string
		clubs []string
	}
	var order []string
	problems := map[string]*problem{}
	for _, c := range clubs {
		var msg string
		p, _, err := e.resolvePolicy(c.Policy)
		switch {
		case isNotFound(err):
			msg = fmt.Sprintf("policy %s is not loaded; start with the policy directory that holds it", policyLabel(c.Policy, c.PolicyVersion))
		case err != nil:
			return err
		case c.PolicyVersion != "" && p.Metadata.Version != c.PolicyVersion:
			msg = fmt.Sprintf("policy %s is loaded in version %s but the clubs were created under version %s; load that version, or give the changed rules a new policy name for new clubs", c.Policy, p.Metadata.Version, c.PolicyVersion)
		default:
			continue
		}
		pr, ok := problems[msg]
		if !ok {
			pr = &problem{msg: msg}
			problems[msg] = pr
			order = append(order, msg)
		}
		pr.clubs = append(pr.clubs, fmt.Sprint(c.ID))
	}
	if len(order) == 0 {
		return nil
	}
	lines := make([]string, 0, len(order))
	for _, msg := range order {
		ids := problems[msg].clubs
		more := ""
		if len(ids) > maxListedClubs {
			more = fmt.Sprintf(" and %d more", len(ids)-maxListedClubs)
			ids = ids[:maxListedClubs]
		}
		noun := "clubs"
		if len(ids) == 1 {
			noun = "club"
		}
		lines = append(lines, fmt.Sprintf("%s %s%s: %s", noun, strings.Join(ids, ", "), more, msg))
	}
	return Errorf(ECONFLICT, "%s", strings.Join(lines, "; "))
}

// policyLabel names a policy with its version, when it has one.
func policyLabel(name, version string) string {
	if version == "" {
		return name
	}
	return name + " version " + version
}

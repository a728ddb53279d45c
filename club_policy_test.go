package fanclub_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"fanclub"
	"fanclub/internal/teststores"
)

// versionedSource serves the Go presets plus "acme" in a version that a
// test can change or remove.
type versionedSource struct {
	mu      sync.Mutex
	version string // "" removes acme
}

// Policy implements fanclub.PolicySource.
func (s *versionedSource) Policy(name string) (*fanclub.Policy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "acme" && s.version != "" {
		p := fanclub.PresetPolicyForTest("fair")
		p.Metadata.Name, p.Metadata.Version = "acme", s.version
		return p, nil
	}
	return presetSource{}.Policy(name)
}

func (s *versionedSource) set(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version = v
}

// TestCheckClubPolicies: clubs record their policy's version at creation
// (the default policy when none is named), and the start-up check refuses
// a policy that is missing or loaded in another version.
func TestCheckClubPolicies(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testCheckClubPolicies)
}

func testCheckClubPolicies(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	src := &versionedSource{version: "1"}
	eng, _, db := engineWithPolicies(t, open, src)
	cr, err := eng.CreateCreator(ctx, "acme_owner")
	if err != nil {
		t.Fatal(err)
	}
	for range 7 {
		c, err := eng.CreateClub(ctx, cr.ID, "Acme", "acme")
		if err != nil {
			t.Fatal(err)
		}
		if c.Policy != "acme" || c.PolicyVersion != "1" {
			t.Fatalf("club %+v, want policy acme version 1", c)
		}
	}
	def, err := eng.CreateClub(ctx, cr.ID, "Default", "  ")
	if err != nil || def.Policy != fanclub.DefaultPolicy {
		t.Fatalf("club without a policy: %+v, %v; want %s", def, err, fanclub.DefaultPolicy)
	}
	// A club from before versions were recorded: checked by name only.
	tx, err := db.BeginTx(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.CreateClub(ctx, &fanclub.Club{CreatorID: cr.ID, Name: "Old", Policy: "acme"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		version string
		want    []string // substrings of the error; none for no error
	}{
		{"1", nil},
		{"2", []string{"clubs 1, 2, 3, 4, 5 and 2 more: policy acme is loaded in version 2 but the clubs were created under version 1"}},
		{"", []string{"clubs 1, 2, 3, 4, 5 and 2 more: policy acme version 1 is not loaded", "club 9: policy acme is not loaded"}},
	} {
		src.set(tc.version)
		err := eng.CheckClubPolicies(ctx)
		if len(tc.want) == 0 {
			if err != nil {
				t.Errorf("acme %q: %v", tc.version, err)
			}
			continue
		}
		if fanclub.ErrorCode(err) != fanclub.ECONFLICT {
			t.Errorf("acme %q: %v, want a conflict", tc.version, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(fanclub.ErrorMessage(err), w) {
				t.Errorf("acme %q: %q lacks %q", tc.version, fanclub.ErrorMessage(err), w)
			}
		}
	}
}

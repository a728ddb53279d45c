package fanclub_test

import (
	"context"
	"crypto/rand"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/internal/teststores"
	"fanclub/payments/sandbox"
	"fanclub/policyfile"
	vsandbox "fanclub/verify/sandbox"
)

// minorsEngine is an engine with the presets (from their YAML), a
// "fair-eu" policy (fair in the EU jurisdiction), the sandbox payment
// provider and the sandbox verifier, with the age gate on.
type minorsEngine struct {
	*fanclub.Engine
	clock *clock.Manual
	store fanclub.Store
	pay   *sandbox.Provider
	vfy   *vsandbox.Verifier
	club  map[string]int64
	reg   *policyfile.Registry
}

// fairEU returns the fair preset moved to the EU jurisdiction.
func fairEU(reg *policyfile.Registry) (*fanclub.Policy, error) {
	fair, err := reg.Policy("fair")
	if err != nil {
		return nil, err
	}
	p := *fair
	p.Metadata.Name, p.Metadata.Jurisdiction = "fair-eu", fanclub.JurisdictionEU
	return &p, nil
}

// minorsEngineOn builds a minorsEngine on a store from open whose
// instance-wide minors policy is policy, with one club per policy.
func minorsEngineOn(t teststores.T, open teststores.Open, policy string) *minorsEngine {
	t.Helper()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatalf("registry: %v", err)
	}
	eu, err := fairEU(reg)
	if err == nil {
		err = reg.Add(eu)
	}
	if err != nil {
		t.Fatalf("fair-eu: %v", err)
	}
	c := clock.NewManual(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
	db := open(t, c.Now)
	m := &minorsEngine{clock: c, store: db, pay: sandbox.New(db, sandbox.Options{}), vfy: vsandbox.New(db), club: map[string]int64{}, reg: reg}
	m.Engine = fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: plainHasher{}, Random: rand.Reader,
		Payments: m.pay, Verifier: m.vfy, Minors: fanclub.MinorsConfig{Policy: policy, AgeGate: true}})
	ctx := context.Background()
	cr, err := m.CreateCreator(ctx, "creator")
	if err != nil {
		t.Fatalf("creator: %v", err)
	}
	for _, p := range []string{"wechat-channels", "douyin", "kuaishou", "fair", "fair-eu"} {
		cl, err := m.CreateClub(ctx, cr.ID, p+" club", p)
		if err != nil {
			t.Fatalf("club %s: %v", p, err)
		}
		m.club[p] = cl.ID
	}
	return m
}

// fanAged creates a fan with a birth date set by method (none when
// birth is empty) who joined the club of policy (none when empty).
func (m *minorsEngine) fanAged(t testingT, handle, birth string, method fanclub.AgeMethod, policy string) int64 {
	t.Helper()
	ctx := context.Background()
	f, err := m.CreateFan(ctx, handle, "password1")
	if err != nil {
		t.Fatalf("create fan %s: %v", handle, err)
	}
	if birth != "" {
		if _, err := m.SetAge(ctx, f.ID, birth, method); err != nil {
			t.Fatalf("set age of %s: %v", handle, err)
		}
	}
	if policy != "" {
		if _, err := m.Join(ctx, f.ID, m.club[policy]); err != nil {
			t.Fatalf("join %s: %v", policy, err)
		}
	}
	return f.ID
}

// link links guardian to minor, both consenting.
func (m *minorsEngine) link(t testingT, guardian, minor int64) *fanclub.GuardianLink {
	t.Helper()
	ctx := context.Background()
	l, err := m.RequestGuardianLink(ctx, guardian, minor)
	if err != nil {
		t.Fatalf("request link: %v", err)
	}
	if l, err = m.AcceptGuardianLink(ctx, minor, l.ID); err != nil {
		t.Fatalf("accept link: %v", err)
	}
	return l
}

// Birth dates relative to the test clock's 2026-03-10.
const (
	born15 = "2011-01-01" // 15
	born40 = "1986-01-01" // 40
)

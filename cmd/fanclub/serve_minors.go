package main

import (
	"flag"
	"os"

	"fanclub"
)

// minorsSettings are serve's dimension-7 flags: the policy whose minors
// rule governs coin purchases, guardian links and guardian refunds, and
// whether paid actions need the verification the policy names.
type minorsSettings struct {
	policy  string
	ageGate bool
}

// register adds --minors-policy and --age-gate, with the environment
// variables FANCLUB_MINORS_POLICY and FANCLUB_AGE_GATE as defaults.
func (m *minorsSettings) register(fs *flag.FlagSet) {
	fs.StringVar(&m.policy, "minors-policy", envOr("FANCLUB_MINORS_POLICY", fanclub.DefaultPolicy),
		"`policy` whose minors rule governs coin purchases, guardian links and refunds (env FANCLUB_MINORS_POLICY)")
	fs.BoolVar(&m.ageGate, "age-gate", os.Getenv("FANCLUB_AGE_GATE") == "true",
		"paid actions need the age verification the policy names (verifyBeforePaid) (env FANCLUB_AGE_GATE=true)")
}

// config is the engine's minors configuration.
func (m *minorsSettings) config() fanclub.MinorsConfig {
	return fanclub.MinorsConfig{Policy: m.policy, AgeGate: m.ageGate}
}

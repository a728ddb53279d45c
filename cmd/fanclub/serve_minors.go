package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"

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
// A FANCLUB_AGE_GATE that is not a boolean is an error: a compliance
// switch must not be read as off because of a typo.
func (m *minorsSettings) register(fs *flag.FlagSet) error {
	fs.StringVar(&m.policy, "minors-policy", envOr("FANCLUB_MINORS_POLICY", fanclub.DefaultPolicy),
		"`policy` whose minors rule governs coin purchases, guardian links and refunds (env FANCLUB_MINORS_POLICY)")
	gate := false
	if v := os.Getenv("FANCLUB_AGE_GATE"); v != "" {
		var err error
		if gate, err = strconv.ParseBool(v); err != nil {
			return fmt.Errorf("FANCLUB_AGE_GATE=%q: want true or false (also 1, 0, t, f)", v)
		}
	}
	fs.BoolVar(&m.ageGate, "age-gate", gate,
		"paid actions need the age verification the policy names (verifyBeforePaid) (env FANCLUB_AGE_GATE=true)")
	return nil
}

// config is the engine's minors configuration.
func (m *minorsSettings) config() fanclub.MinorsConfig {
	return fanclub.MinorsConfig{Policy: m.policy, AgeGate: m.ageGate}
}

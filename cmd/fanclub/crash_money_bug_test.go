package main

import (
	"context"
	crand "crypto/rand"
	"sync/atomic"
	"testing"

	"fanclub"
	"fanclub/argon2id"
	"fanclub/payments"
	"fanclub/payments/sandbox"
	"fanclub/policyfile"
)

// lostAnswer is a payment provider whose first charge fails as if the
// process had died between recording the payment pending and learning
// the provider's answer: before the charge reached the provider, or
// (charged) after it was made. Later calls go through.
type lostAnswer struct {
	payments.Provider
	charged bool
	failed  atomic.Bool
}

// Charge fails once with CodeUnavailable, after charging when p.charged.
func (p *lostAnswer) Charge(ctx context.Context, req payments.ChargeRequest) (*payments.Charge, error) {
	if p.failed.CompareAndSwap(false, true) {
		if p.charged {
			if _, err := p.Provider.Charge(ctx, req); err != nil {
				return nil, err
			}
		}
		return nil, &payments.Error{Code: payments.CodeUnavailable, Message: "answer lost"}
	}
	return p.Provider.Charge(ctx, req)
}

// TestSubscribeRetryKeepsChoices covers what TestCrashMoney meets when
// serve is killed during a subscribe, after the payment was recorded
// pending: the subscribe retried with the same Idempotency-Key must buy
// what the fan asked for, auto-renew and (on kuaishou) the payment
// agreement included, whether the first charge reached the provider or
// not. The retry settles the pending charge with the choices its
// reconcile job holds.
func TestSubscribeRetryKeepsChoices(t *testing.T) {
	t.Parallel()
	for _, store := range storeDSNs {
		for _, tc := range []struct {
			name    string
			preset  string
			charged bool
		}{{"fair/before-charge", "fair", false}, {"kuaishou/before-charge", "kuaishou", false}, {"kuaishou/after-charge", "kuaishou", true}} {
			t.Run(store.store+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				db, err := openStore(ctx, store.dsn(t), storeOptions{})
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				reg, err := policyfile.NewRegistry()
				if err != nil {
					t.Fatal(err)
				}
				eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: argon2id.New(argon2id.TestParams),
					Random: crand.Reader, Payments: &lostAnswer{Provider: sandbox.New(db, sandbox.Options{}), charged: tc.charged}})
				cr, err := eng.CreateCreator(ctx, "bug_creator")
				if err != nil {
					t.Fatal(err)
				}
				club, err := eng.CreateClub(ctx, cr.ID, tc.preset, tc.preset)
				if err != nil {
					t.Fatal(err)
				}
				tx, err := db.BeginTx(ctx, true)
				if err != nil {
					t.Fatal(err)
				}
				f := &fanclub.Fan{Handle: "bug_fan", PasswordHash: "-"}
				if err := tx.CreateFan(ctx, f); err != nil {
					t.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
				if _, err := eng.Join(ctx, f.ID, club.ID); err != nil {
					t.Fatal(err)
				}
				on := true
				if _, err := eng.Subscribe(ctx, f.ID, club.ID, "vip", "monthly", &on, "sub-1"); fanclub.ErrorCode(err) != fanclub.EINTERNAL {
					t.Fatalf("first subscribe: %v, want the provider's failure", err)
				}
				res, err := eng.Subscribe(ctx, f.ID, club.ID, "vip", "monthly", &on, "sub-1")
				if err != nil {
					t.Fatalf("retried subscribe: %v", err)
				}
				if !res.AutoRenew || tc.preset == "kuaishou" && res.AgreementID == "" {
					t.Errorf("retried subscribe: auto_renew %v, agreement %q; the fan asked for auto-renew", res.AutoRenew, res.AgreementID)
				}
			})
		}
	}
}

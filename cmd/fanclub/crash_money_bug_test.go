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
// process had died after recording the payment pending and before the
// provider answered; later calls go through.
type lostAnswer struct {
	payments.Provider
	failed atomic.Bool
}

// Charge fails once with CodeUnavailable.
func (p *lostAnswer) Charge(ctx context.Context, req payments.ChargeRequest) (*payments.Charge, error) {
	if p.failed.CompareAndSwap(false, true) {
		return nil, &payments.Error{Code: payments.CodeUnavailable, Message: "lost"}
	}
	return p.Provider.Charge(ctx, req)
}

// TestCrashMoneyKnownBug_SubscribeRetryLosesAutoRenew: a subscribe whose
// process dies after its payment is recorded pending (here: the
// provider's answer is lost, which leaves the same state) and is retried
// with the same Idempotency-Key starts the subscription without the
// fan's auto_renew and, on a kuaishou club, without the payment
// agreement: Subscribe computes both only when no payment is stored
// under the key, and the retry's settlement cancels the reconcile job
// that carried them. Skipped until the engine keeps them.
func TestCrashMoneyKnownBug_SubscribeRetryLosesAutoRenew(t *testing.T) {
	t.Skip("known bug: a retried subscribe after a crash loses auto_renew and the agreement (see the doc comment)")
	t.Parallel()
	for _, tc := range storeDSNs {
		t.Run(tc.store, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := openStore(ctx, tc.dsn(t), storeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			reg, err := policyfile.NewRegistry()
			if err != nil {
				t.Fatal(err)
			}
			eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: argon2id.New(argon2id.TestParams),
				Random: crand.Reader, Payments: &lostAnswer{Provider: sandbox.New(db, sandbox.Options{})}})
			cr, err := eng.CreateCreator(ctx, "bug_creator")
			if err != nil {
				t.Fatal(err)
			}
			club, err := eng.CreateClub(ctx, cr.ID, "kuaishou", "kuaishou")
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
				t.Fatal(err)
			}
			if !res.AutoRenew || res.AgreementID == "" {
				t.Errorf("retried subscribe: auto_renew %v, agreement %q; the fan asked for auto-renew on a kuaishou club (agreement-based)", res.AutoRenew, res.AgreementID)
			}
		})
	}
}

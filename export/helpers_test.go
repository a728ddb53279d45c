package export_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"fanclub"
	"fanclub/argon2id"
	"fanclub/clock"
	"fanclub/export"
	"fanclub/internal/teststores"
	"fanclub/payments/sandbox"
	"fanclub/policyfile"
)

// instance is one fanclub instance: an engine over a fresh store.
type instance struct {
	Engine *fanclub.Engine
	Store  fanclub.Store
	Clock  *clock.Manual
	Signer *export.Signer
	seq    int
}

// newInstance starts an instance named name on a store from open.
func newInstance(t testing.TB, open teststores.Open, name string) *instance {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC))
	db := open(t, clk.Now)
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatalf("registry: %v", err)
	}
	eng := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: withCountingPolicy{reg}, Passwords: argon2id.New(argon2id.TestParams),
		Random: rand.Reader, Payments: sandbox.New(db, sandbox.Options{})})
	key, err := eng.SigningKey(context.Background())
	if err != nil {
		t.Fatalf("signing key: %v", err)
	}
	return &instance{Engine: eng, Store: db, Clock: clk, Signer: &export.Signer{Instance: "https://" + name + ".example", Key: key}}
}

// history is what seedHistory made.
type history struct {
	Fan                *fanclub.Fan
	FairClub, Withheld *fanclub.Club
	// Events are the fan's interaction events in the fair club.
	Events int
}

// seedHistory gives a fan a history in a fair club (joins, interactions,
// coins, a gift, a subscription) and membership of a douyin club, whose
// policy offers no export.
func seedHistory(t *testing.T, in *instance, likes int) history {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	fan, err := in.Engine.CreateFan(ctx, "mei", "correct horse battery")
	must("fan", err)
	cr, err := in.Engine.CreateCreator(ctx, "kai")
	must("creator", err)
	fair, err := in.Engine.CreateClub(ctx, cr.ID, "kai's fans", "fair")
	must("club", err)
	dy, err := in.Engine.CreateClub(ctx, cr.ID, "kai on douyin", "douyin")
	must("club", err)
	_, err = in.Engine.Join(ctx, fan.ID, fair.ID)
	must("join", err)
	_, err = in.Engine.Join(ctx, fan.ID, dy.ID)
	must("join", err)
	for i := range likes {
		in.Clock.Advance(time.Minute)
		_, _, err := in.Engine.Interact(ctx, fan.ID, fair.ID, fanclub.ActionLike, 1)
		must(fmt.Sprintf("like %d", i), err)
	}
	_, _, err = in.Engine.Interact(ctx, fan.ID, dy.ID, fanclub.ActionLike, 1)
	must("douyin like", err)
	_, _, err = in.Engine.Interact(ctx, fan.ID, fair.ID, fanclub.ActionComment, 1)
	must("comment", err)
	_, err = in.Engine.BuyCoins(ctx, fan.ID, 50, "coins-1")
	must("coins", err)
	_, err = in.Engine.SendGift(ctx, fan.ID, fair.ID, 5, "gift-1")
	must("gift", err)
	_, err = in.Engine.Subscribe(ctx, fan.ID, fair.ID, "vip", fanclub.PlanMonthly, nil, "sub-1")
	must("subscribe", err)
	// likes + the comment + the gift's event
	return history{Fan: fan, FairClub: fair, Withheld: dy, Events: likes + 2}
}

// exportOf writes a fan's export in a format.
func exportOf(t *testing.T, in *instance, fanID int64, f fanclub.ExportFormat) ([]byte, *export.Result) {
	t.Helper()
	var buf bytes.Buffer
	res, err := export.Write(context.Background(), &buf, in.Engine, fanID, f, in.Signer)
	if err != nil {
		t.Fatalf("export %s: %v", f, err)
	}
	return buf.Bytes(), res
}

// keyOf trusts exactly one instance's key.
func keyOf(in *instance) export.KeyFunc {
	return func(id string) (ed25519.PublicKey, bool) {
		if id != in.Signer.Key.ID {
			return nil, false
		}
		return in.Signer.Key.Public(), true
	}
}

// countingPolicy is fair with importedTenureCounts on.
const countingPolicy = "fair-counting-tenure"

// keepingPolicy is fair with data.keepInteractionRecords on: the exit's
// log purge keeps comments and likes, and its receipt counts them.
const keepingPolicy = "fair-keeping-records"

// withCountingPolicy adds countingPolicy and keepingPolicy to a policy
// source.
type withCountingPolicy struct{ fanclub.PolicySource }

func (w withCountingPolicy) Policy(name string) (*fanclub.Policy, error) {
	if name != countingPolicy && name != keepingPolicy {
		return w.PolicySource.Policy(name)
	}
	p, err := w.PolicySource.Policy("fair")
	if err != nil {
		return nil, err
	}
	cp := *p
	cp.Portability.ImportedTenureCounts = name == countingPolicy
	cp.Data.KeepInteractionRecords = name == keepingPolicy
	return &cp, nil
}

// fanAndClubOn creates a fan and a club under policy on an instance.
func fanAndClubOn(t testing.TB, in *instance, policy string) (*fanclub.Fan, *fanclub.Club) {
	t.Helper()
	ctx := context.Background()
	in.seq++
	fan, err := in.Engine.CreateFan(ctx, fmt.Sprintf("fan%d", in.seq), "correct horse battery")
	if err != nil {
		t.Fatalf("fan: %v", err)
	}
	cr, err := in.Engine.CreateCreator(ctx, fmt.Sprintf("creator%d", in.seq))
	if err != nil {
		t.Fatalf("creator: %v", err)
	}
	club, err := in.Engine.CreateClub(ctx, cr.ID, "club", policy)
	if err != nil {
		t.Fatalf("club: %v", err)
	}
	return fan, club
}

// balances are what an import must never change.
type balances struct {
	Coins, Owed, GeneralPoints int64
	Payments                   int
}

// snapshot reads a fan's balances.
func snapshot(t *testing.T, in *instance, fanID int64) balances {
	t.Helper()
	ctx := context.Background()
	w, err := in.Engine.Wallet(ctx, fanID)
	if err != nil {
		t.Fatalf("wallet: %v", err)
	}
	fv, err := in.Engine.FanView(ctx, fanID)
	if err != nil {
		t.Fatalf("fan: %v", err)
	}
	pays, err := in.Engine.ListPayments(ctx, fanID)
	if err != nil {
		t.Fatalf("payments: %v", err)
	}
	return balances{Coins: w.Coins, Owed: w.Owed, GeneralPoints: fv.GeneralPoints, Payments: len(pays)}
}

package fanclub_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/internal/teststores"
	"fanclub/payments/sandbox"
	"fanclub/policyfile"
)

// TestRevenueRatiosFloorExactly checks that a custom policy's creator
// share and douyin-style coin return are exact floors of the ratios as
// written: 0.29 of 100 coins returns 29 (a float product gives 28.999…),
// and a 0.12345 share of 100 000 fen books 12 345.
func TestRevenueRatiosFloorExactly(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testRevenueRatiosFloorExactly)
}

func testRevenueRatiosFloorExactly(t *testing.T, open teststores.Open) {
	t.Parallel()
	ctx := context.Background()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	d, err := reg.Policy("douyin")
	if err != nil {
		t.Fatal(err)
	}
	p := *d
	p.Metadata.Name = "douyin-odd-ratios"
	p.Revenue.TipReturnRatio = 0.29
	p.Revenue.CreatorShare = 0.12345
	if err := reg.Add(&p); err != nil {
		t.Fatal(err)
	}
	c := clock.NewManual(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
	db := open(t, c.Now)
	e := fanclub.NewEngine(fanclub.EngineConfig{Store: db, Policies: reg, Passwords: plainHasher{}, Random: rand.Reader,
		Payments: sandbox.New(db, sandbox.Options{})})
	cr, err := e.CreateCreator(ctx, "creator")
	if err != nil {
		t.Fatal(err)
	}
	club, err := e.CreateClub(ctx, cr.ID, "c", p.Metadata.Name)
	if err != nil {
		t.Fatal(err)
	}
	fan, err := e.CreateFan(ctx, "fanone", "password1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Join(ctx, fan.ID, club.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.BuyCoins(ctx, fan.ID, 10000, "buy"); err != nil {
		t.Fatal(err)
	}
	g, err := e.SendGift(ctx, fan.ID, club.ID, 100, "gift")
	if err != nil {
		t.Fatal(err)
	}
	if want := g.Gift.Value * 12345 / 100000; g.Gift.Share != want {
		t.Errorf("share of %d fen at 0.12345 = %d, want %d", g.Gift.Value, g.Gift.Share, want)
	}
	r, err := e.RequestExit(ctx, fan.ID, club.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Impact.Revenue.ReturnedCoins; got != 29 {
		t.Errorf("returned coins of 100 at 0.29 = %d, want 29", got)
	}
}

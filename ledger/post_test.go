package ledger

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// coins is a plain coin transfer.
func coins(key string, from, to Account, amount int64) Transfer {
	return Transfer{Key: key, Debit: from.ID, Credit: to.ID, Asset: Coin, Amount: amount, Code: "test"}
}

// funded is a book where fan 1 holds 100 coins.
func funded(t *testing.T) *Book {
	t.Helper()
	b := &Book{}
	if _, err := Post(context.Background(), b, t0, coins("buy", PlatformCoins(), FanCoins(1), 100)); err != nil {
		t.Fatal(err)
	}
	return b
}

func audit(t *testing.T, b *Book) {
	t.Helper()
	if err := Audit(b.Accounts(), b.Transfers()); err != nil {
		t.Fatal(err)
	}
}

func TestAssetAndAccountIDs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a  Asset
		ok bool
	}{{"CNY", true}, {"COIN", true}, {"USD", true}, {"cny", false}, {"CN", false}, {"CNYX", false}, {"", false}, {"C1Y", false}} {
		if tc.a.Valid() != tc.ok || (tc.a.Validate() == nil) != tc.ok {
			t.Errorf("Asset(%q).Valid() = %v, want %v", tc.a, tc.a.Valid(), tc.ok)
		}
	}
	for _, a := range []Account{FanCoins(42), FanOwed(42), CreatorPending(7, CNY), CreatorFrozen(7, CNY), CreatorAvailable(7, "USD"),
		PlatformRevenue(CNY), PlatformRevenue(Coin), PlatformCoins(), PaymentClearing(CNY), PlatformRefunds(CNY)} {
		got, err := ParseAccountID(a.ID)
		if err != nil || got != a {
			t.Errorf("ParseAccountID(%q) = %+v, %v; want %+v", a.ID, got, err, a)
		}
	}
	for id, want := range map[AccountID]string{"fan/42/coins": "", "creator/7/pending/CNY": "", "platform/clearing/CNY": ""} {
		if _, err := ParseAccountID(id); (err == nil) != (want == "") {
			t.Errorf("ParseAccountID(%q): %v", id, err)
		}
	}
	for _, id := range []AccountID{"", "fan/0/coins", "fan/-1/coins", "fan/01/coins", "fan/x/coins", "fan/1/gold", "creator/7/pending/cny",
		"creator/7/weekly/CNY", "platform/clearing", "platform/bank/CNY", "platform/coins/COIN", "fan/1/coins/x", "other"} {
		if _, err := ParseAccountID(id); ErrorCode(err) != EInvalid {
			t.Errorf("ParseAccountID(%q) = %v, want %s", id, err, EInvalid)
		}
	}
	if FanCoins(1).Flags != DebitsMustNotExceedCredits || FanOwed(1).Flags != CreditsMustNotExceedDebits || PlatformCoins().Flags != 0 {
		t.Error("account flags")
	}
	a := Account{CreditsPosted: 10, DebitsPosted: 3, DebitsPending: 2}
	if a.Balance() != 7 || a.Available() != 5 {
		t.Errorf("Balance %d Available %d, want 7 and 5", a.Balance(), a.Available())
	}
	huge := Account{CreditsPosted: 1<<63 - 1, DebitsPosted: -1 << 63}
	if huge.Balance() != 1<<63-1 {
		t.Errorf("Balance saturates: %d", huge.Balance())
	}
}

// TestPostErrors checks every error code, and that a failing batch changes nothing.
func TestPostErrors(t *testing.T) {
	t.Parallel()
	fan, other, issuer := FanCoins(1), FanCoins(2), PlatformCoins()
	hold := Transfer{Key: "hold", Debit: fan.ID, Credit: issuer.ID, Asset: Coin, Amount: 60, Flags: Pending}
	for _, tc := range []struct {
		name string
		in   []Transfer
		code string
		msg  string
	}{
		{"no key", []Transfer{coins("", fan, issuer, 1)}, EInvalid, "no key"},
		{"zero amount", []Transfer{coins("z", fan, issuer, 0)}, EInvalid, "amount 0"},
		{"negative amount", []Transfer{coins("n", fan, issuer, -5)}, EInvalid, "negative"},
		{"same account", []Transfer{coins("s", fan, fan, 1)}, EInvalid, "same account"},
		{"asset mismatch", []Transfer{{Key: "m", Debit: PaymentClearing(CNY).ID, Credit: fan.ID, Asset: CNY, Amount: 1}}, EInvalid, "holds COIN"},
		{"bad asset", []Transfer{{Key: "a", Debit: issuer.ID, Credit: fan.ID, Asset: "coin", Amount: 1}}, EInvalid, "ISO 4217"},
		{"no asset", []Transfer{{Key: "a", Debit: issuer.ID, Credit: fan.ID, Amount: 1}}, EInvalid, "no asset"},
		{"bad account", []Transfer{{Key: "a", Debit: "fan/0/coins", Credit: fan.ID, Asset: Coin, Amount: 1}}, EInvalid, "fan/0/coins"},
		{"unknown flags", []Transfer{{Key: "f", Debit: issuer.ID, Credit: fan.ID, Asset: Coin, Amount: 1, Flags: 8}}, EInvalid, "unknown flags"},
		{"two flags", []Transfer{{Key: "f", Debit: issuer.ID, Credit: fan.ID, Asset: Coin, Amount: 1, Flags: Pending | VoidPending}}, EInvalid, "at most one"},
		{"post without pending key", []Transfer{{Key: "p", Flags: PostPending}}, EInvalid, "without a pending key"},
		{"void without pending key", []Transfer{{Key: "v", Flags: VoidPending}}, EInvalid, "without a pending key"},
		{"pending key on plain", []Transfer{{Key: "p", Debit: issuer.ID, Credit: fan.ID, Asset: Coin, Amount: 1, PendingKey: "hold"}}, EInvalid, "pending key"},
		{"post of itself", []Transfer{{Key: "p", Flags: PostPending, PendingKey: "p"}}, EInvalid, "itself"},
		{"long key", []Transfer{coins(strings.Repeat("k", 201), fan, issuer, 1)}, EInvalid, "longer"},
		{"insufficient", []Transfer{coins("x", fan, other, 101)}, EInsufficientFunds, "fan/1/coins below zero"},
		{"insufficient after earlier", []Transfer{coins("x1", fan, other, 60), coins("x2", fan, other, 41)}, EInsufficientFunds, "transfer 1"},
		{"pending reserves", []Transfer{hold, coins("x", fan, other, 41)}, EInsufficientFunds, "below zero"},
		{"owed overpaid", []Transfer{coins("o", fan, FanOwed(1), 1)}, EInsufficientFunds, "beyond its debits"},
		{"key conflict stored", []Transfer{coins("buy", issuer, fan, 99)}, EKeyConflict, "stored transfer 1"},
		{"key conflict batch", []Transfer{coins("k", fan, other, 1), coins("k", fan, other, 2)}, EKeyConflict, "earlier in this batch"},
		{"pending not found", []Transfer{{Key: "p", Flags: PostPending, PendingKey: "nothing"}}, EPendingNotFound, "nothing"},
		{"post of a plain", []Transfer{{Key: "p", Flags: PostPending, PendingKey: "buy"}}, EPendingNotFound, "not a pending"},
		{"pending later in batch", []Transfer{{Key: "p", Flags: PostPending, PendingKey: "hold"}, hold}, EPendingNotFound, "hold"},
		{"posted twice", []Transfer{hold, {Key: "p1", Flags: PostPending, PendingKey: "hold"}, {Key: "p2", Flags: VoidPending, PendingKey: "hold"}}, EPendingResolved, "already posted"},
		{"post above pending", []Transfer{hold, {Key: "p", Flags: PostPending, PendingKey: "hold", Amount: 61}}, EInvalid, "more than"},
		{"void part", []Transfer{hold, {Key: "v", Flags: VoidPending, PendingKey: "hold", Amount: 10}}, EInvalid, "voids 10"},
		{"post other account", []Transfer{hold, {Key: "p", Flags: PostPending, PendingKey: "hold", Credit: other.ID}}, EInvalid, "but pending transfer"},
		{"overflow", []Transfer{coins("big", issuer, other, 1<<62), coins("big2", issuer, other, 1<<62)}, EOverflow, "overflows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := funded(t)
			before, log := b.Accounts(), b.Transfers()
			got, err := Post(context.Background(), b, t0.Add(time.Hour), tc.in...)
			var le *Error
			if !errors.As(err, &le) || le.Code != tc.code || !strings.Contains(le.Message, tc.msg) {
				t.Fatalf("Post = %v, %v; want code %s with %q", got, err, tc.code, tc.msg)
			}
			if got != nil {
				t.Errorf("Post returned %v with an error", got)
			}
			if a, l := b.Accounts(), b.Transfers(); len(a) != len(before) || len(l) != len(log) || a[0] != before[0] || a[1] != before[1] {
				t.Errorf("a failed Post changed the book: %v %v", a, l)
			}
		})
	}
}

// TestTwoPhase checks the pending, post (full, partial, zero amount) and
// void paths and their balances.
func TestTwoPhase(t *testing.T) {
	t.Parallel()
	fan, creator := FanCoins(1), CreatorPending(7, Coin)
	hold := func(key string, amt int64) Transfer {
		return Transfer{Key: key, Debit: fan.ID, Credit: creator.ID, Asset: Coin, Amount: amt, Flags: Pending, Code: "hold"}
	}
	for _, tc := range []struct {
		name                   string
		resolve                Transfer
		wantAmount             int64
		wantState              string
		fanBalance, creatorBal int64
	}{
		{"post all by zero", Transfer{Key: "r", Flags: PostPending, PendingKey: "h"}, 40, StatePosted, 60, 40},
		{"post all by amount", Transfer{Key: "r", Flags: PostPending, PendingKey: "h", Amount: 40, Debit: fan.ID, Credit: creator.ID, Asset: Coin}, 40, StatePosted, 60, 40},
		{"post part", Transfer{Key: "r", Flags: PostPending, PendingKey: "h", Amount: 15}, 15, StatePosted, 85, 15},
		{"void", Transfer{Key: "r", Flags: VoidPending, PendingKey: "h"}, 40, StateVoided, 100, 0},
		{"void by amount", Transfer{Key: "r", Flags: VoidPending, PendingKey: "h", Amount: 40}, 40, StateVoided, 100, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			for _, sameBatch := range []bool{false, true} {
				b := funded(t)
				var got []Transfer
				var err error
				if sameBatch {
					got, err = Post(ctx, b, t0, hold("h", 40), tc.resolve)
					if err == nil {
						got = got[1:]
					}
				} else {
					_, err = Post(ctx, b, t0, hold("h", 40))
					if err != nil {
						t.Fatal(err)
					}
					acc, _ := b.LedgerAccounts(ctx, []AccountID{fan.ID, creator.ID})
					if f := acc[fan.ID]; f.Balance() != 100 || f.Available() != 60 || f.DebitsPending != 40 || acc[creator.ID].CreditsPending != 40 {
						t.Fatalf("after the hold: %+v", acc)
					}
					got, err = Post(ctx, b, t0.Add(time.Minute), tc.resolve)
				}
				if err != nil {
					t.Fatal(err)
				}
				r := got[0]
				if r.Amount != tc.wantAmount || r.Debit != fan.ID || r.Credit != creator.ID || r.Asset != Coin || r.State != "" || r.Seq == 0 {
					t.Errorf("resolving transfer %+v", r)
				}
				found, _ := b.FindTransfers(ctx, []string{"h"})
				if found["h"].State != tc.wantState {
					t.Errorf("pending state %q, want %q", found["h"].State, tc.wantState)
				}
				acc, _ := b.LedgerAccounts(ctx, []AccountID{fan.ID, creator.ID})
				if f, c := acc[fan.ID], acc[creator.ID]; f.Balance() != tc.fanBalance || f.DebitsPending != 0 || c.Balance() != tc.creatorBal || c.CreditsPending != 0 {
					t.Errorf("after resolving: fan %+v creator %+v", f, c)
				}
				audit(t, b)
				// Replaying the resolution returns it and changes nothing.
				again, err := Post(ctx, b, t0.Add(time.Hour), tc.resolve)
				if err != nil || again[0] != r {
					t.Errorf("replay = %+v, %v; want %+v", again, err, r)
				}
				_, err = Post(ctx, b, t0, Transfer{Key: "r2", Flags: VoidPending, PendingKey: "h"})
				if ErrorCode(err) != EPendingResolved {
					t.Errorf("second resolution: %v", err)
				}
				audit(t, b)
			}
		})
	}
}

// TestIdempotentReplay checks that a replayed batch returns the stored
// transfers, at their first time, and changes nothing.
func TestIdempotentReplay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := funded(t)
	batch := []Transfer{coins("g1", FanCoins(1), PlatformCoins(), 30), coins("g2", FanCoins(1), FanCoins(2), 20)}
	first, err := Post(ctx, b, t0.Add(time.Hour), batch...)
	if err != nil {
		t.Fatal(err)
	}
	if first[0].Seq != 2 || first[1].Seq != 3 || !first[1].At.Equal(t0.Add(time.Hour)) {
		t.Fatalf("first post: %+v", first)
	}
	acc := b.Accounts()
	again, err := Post(ctx, b, t0.Add(2*time.Hour), batch...)
	if err != nil || len(again) != 2 || again[0] != first[0] || again[1] != first[1] {
		t.Fatalf("replay = %+v, %v; want %+v", again, err, first)
	}
	// A batch mixing a replay and a new transfer posts the new one only.
	mixed, err := Post(ctx, b, t0.Add(3*time.Hour), batch[0], coins("g3", FanCoins(1), PlatformCoins(), 50))
	if err != nil || mixed[0] != first[0] || mixed[1].Seq != 4 {
		t.Fatalf("mixed = %+v, %v", mixed, err)
	}
	if a := b.Accounts(); len(a) != len(acc) {
		t.Fatalf("accounts %v", a)
	}
	audit(t, b)
	if bal, _ := b.LedgerAccounts(ctx, []AccountID{FanCoins(1).ID}); bal[FanCoins(1).ID].Balance() != 0 {
		t.Fatalf("fan balance %+v", bal)
	}
	// An empty batch is no error.
	if got, err := Post(ctx, b, t0); err != nil || len(got) != 0 {
		t.Fatalf("empty Post = %v, %v", got, err)
	}
}

// TestOwed checks the damages path: a debt recorded on the owed account
// and paid back, never beyond it.
func TestOwed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := funded(t)
	owed, fan, rev := FanOwed(1), FanCoins(1), PlatformRevenue(Coin)
	_, err := Post(ctx, b, t0,
		coins("dmg-paid", fan, rev, 100),
		coins("dmg-owed", owed, rev, 30))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Post(ctx, b, t0, coins("buy2", PlatformCoins(), fan, 50), coins("repay", fan, owed, 30))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Post(ctx, b, t0, coins("repay2", fan, owed, 1)); ErrorCode(err) != EInsufficientFunds {
		t.Fatalf("repaying beyond the debt: %v", err)
	}
	audit(t, b)
}

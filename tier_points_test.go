package fanclub_test

import (
	"math/big"
	"strconv"
	"testing"

	"pgregory.net/rapid"

	"fanclub"
)

// TestEarnMultipliedProperties: EarnMultiplied is Earn at ×1; uncapped it
// is exactly floor(points × amount × multiplier) (the multiplier as its
// shortest decimal); it never exceeds what is left of the daily cap nor
// MaxPoints, is never negative, and does not fall when the multiplier
// grows.
func TestEarnMultipliedProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		rule := fanclub.ActionRule{Action: fanclub.ActionLike, Points: rapid.Int64Range(0, 1000).Draw(t, "points"),
			DailyCap: rapid.Int64Range(0, 5000).Draw(t, "cap")}
		amount := rapid.Int64Range(-2, fanclub.MaxGiftCoins).Draw(t, "amount")
		today := rapid.Int64Range(0, 6000).Draw(t, "today")
		// Multipliers with up to two decimals, 0.01 to 50.
		m := float64(rapid.IntRange(1, 5000).Draw(t, "hundredths")) / 100
		got := fanclub.EarnMultiplied(rule, amount, today, m)
		if one := fanclub.EarnMultiplied(rule, amount, today, 1); one != fanclub.Earn(rule, amount, today) {
			t.Fatalf("×1: %d, Earn %d", one, fanclub.Earn(rule, amount, today))
		}
		if got < 0 || got > fanclub.MaxPoints {
			t.Fatalf("out of range: %d", got)
		}
		if rule.DailyCap > 0 && got > max(rule.DailyCap-today, 0) {
			t.Fatalf("%d over the cap %d with %d earned today", got, rule.DailyCap, today)
		}
		if rule.DailyCap == 0 && amount > 0 {
			r, _ := new(big.Rat).SetString(strconv.FormatFloat(m, 'f', -1, 64))
			want := new(big.Int).Mul(big.NewInt(rule.Points*amount), r.Num())
			want.Quo(want, r.Denom())
			if got != want.Int64() {
				t.Fatalf("uncapped: %d, want floor(%d × %v) = %d", got, rule.Points*amount, m, want)
			}
		}
		if more := fanclub.EarnMultiplied(rule, amount, today, m+0.5); more < got {
			t.Fatalf("×%v earns %d, ×%v only %d", m, got, m+0.5, more)
		}
	})
}

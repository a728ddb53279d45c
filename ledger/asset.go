// Package ledger is fanclub's double-entry ledger, modelled on
// TigerBeetle's accounts and transfers: every movement of money or coins is
// a transfer that debits one account and credits another by the same
// amount of one asset, under an idempotency key; account balances are the
// sums of the transfers that touched them. Pending (two-phase) transfers
// reserve an amount that a later transfer posts, in full or in part, or
// voids. Account flags keep balances from going below zero.
//
// The package has no storage of its own: Post runs against a Store, which
// the fanclub stores implement inside a write transaction and Book
// implements in memory.
package ledger

// Asset is what an account holds and a transfer moves: an ISO 4217
// currency code (three upper-case letters; amounts in the currency's minor
// unit, CNY in fen) or Coin, the platform's coins.
type Asset string

// Coin is the asset of the coins fans buy and spend on gifts.
const Coin Asset = "COIN"

// CNY is the Chinese yuan; amounts are in fen.
const CNY Asset = "CNY"

// Valid reports whether a is Coin or has the form of an ISO 4217 code.
func (a Asset) Valid() bool {
	if a == Coin {
		return true
	}
	if len(a) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if a[i] < 'A' || a[i] > 'Z' {
			return false
		}
	}
	return true
}

// Validate returns an invalid-transfer error unless a is Valid.
func (a Asset) Validate() error {
	if !a.Valid() {
		return errorf(EInvalid, "asset %q is neither %s nor an ISO 4217 currency code (three upper-case letters)", string(a), Coin)
	}
	return nil
}

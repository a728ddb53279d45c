package ledger

import (
	"fmt"
	"strconv"
	"strings"
)

// AccountID names an account: a readable path such as "fan/42/coins",
// "creator/7/pending/CNY" or "platform/clearing/CNY". The ID fixes the
// account's asset and flags (ParseAccountID).
type AccountID string

// AccountFlags constrain an account's balances.
type AccountFlags uint32

// Account flags, as TigerBeetle's.
const (
	// DebitsMustNotExceedCredits: debits pending plus debits posted never
	// exceed credits posted (a credit-normal account never below zero).
	DebitsMustNotExceedCredits AccountFlags = 1 << iota
	// CreditsMustNotExceedDebits: credits pending plus credits posted never
	// exceed debits posted (a debit-normal account never below zero).
	CreditsMustNotExceedDebits
)

// knownAccountFlags are the flags an account may carry.
const knownAccountFlags = DebitsMustNotExceedCredits | CreditsMustNotExceedDebits

// Account is an account's state: its asset, its flags and the sums of the
// transfers that debited and credited it, pending and posted.
type Account struct {
	ID             AccountID
	Asset          Asset
	Flags          AccountFlags
	DebitsPending  int64
	DebitsPosted   int64
	CreditsPending int64
	CreditsPosted  int64
}

// Balance is credits posted minus debits posted: what a credit-normal
// account (a fan's coins, a creator's revenue) holds. It saturates
// rather than overflows.
func (a Account) Balance() int64 { return satSub(a.CreditsPosted, a.DebitsPosted) }

// Available is Balance minus debits pending: what can still be debited.
func (a Account) Available() int64 { return satSub(a.Balance(), a.DebitsPending) }

// satSub is x−y clamped to the int64 range.
func satSub(x, y int64) int64 {
	d, ok := sub(x, y)
	if ok {
		return d
	}
	if y < 0 {
		return 1<<63 - 1
	}
	return -1 << 63
}

// newAccount is the zero-balance account with an ID, asset and flags.
func newAccount(id string, asset Asset, flags AccountFlags) Account {
	return Account{ID: AccountID(id), Asset: asset, Flags: flags}
}

// FanCoins is a fan's coin balance; it never goes below zero.
func FanCoins(fanID int64) Account {
	return newAccount(fmt.Sprintf("fan/%d/coins", fanID), Coin, DebitsMustNotExceedCredits)
}

// FanOwed is what a fan owes in coins (damages their balance did not
// cover): a debit-normal account, debited when a debt is recorded and
// credited when it is paid; it is never paid beyond the debt.
func FanOwed(fanID int64) Account {
	return newAccount(fmt.Sprintf("fan/%d/owed", fanID), Coin, CreditsMustNotExceedDebits)
}

// CreatorPending is a creator's revenue awaiting the weekly settlement.
func CreatorPending(creatorID int64, cur Asset) Account {
	return newAccount(fmt.Sprintf("creator/%d/pending/%s", creatorID, cur), cur, DebitsMustNotExceedCredits)
}

// CreatorFrozen is a creator's revenue held until an operator releases it.
func CreatorFrozen(creatorID int64, cur Asset) Account {
	return newAccount(fmt.Sprintf("creator/%d/frozen/%s", creatorID, cur), cur, DebitsMustNotExceedCredits)
}

// CreatorAvailable is a creator's settled revenue, ready to be paid out.
func CreatorAvailable(creatorID int64, cur Asset) Account {
	return newAccount(fmt.Sprintf("creator/%d/available/%s", creatorID, cur), cur, DebitsMustNotExceedCredits)
}

// PlatformRevenue is the platform's revenue in an asset; it may go negative.
func PlatformRevenue(cur Asset) Account {
	return newAccount("platform/revenue/"+string(cur), cur, 0)
}

// PlatformCoins is the coin issuer: debited when coins are sold or
// granted, credited when they come back; it goes negative by the coins in
// circulation.
func PlatformCoins() Account { return newAccount("platform/coins", Coin, 0) }

// PaymentClearing is money to and from the payment provider: debited when
// a fan pays, credited when money is refunded or paid out.
func PaymentClearing(cur Asset) Account {
	return newAccount("platform/clearing/"+string(cur), cur, 0)
}

// PlatformRefunds is the platform's cost of refunds in a currency.
func PlatformRefunds(cur Asset) Account {
	return newAccount("platform/refunds/"+string(cur), cur, 0)
}

// ParseAccountID returns the zero-balance account an ID names, with the
// asset and flags its constructor fixes, or an EInvalid error.
func ParseAccountID(id AccountID) (Account, error) {
	bad := func(why string) (Account, error) {
		return Account{}, errorf(EInvalid, "account %q: %s", string(id), why)
	}
	p := strings.Split(string(id), "/")
	owner := func() (int64, bool) {
		n, err := strconv.ParseInt(p[1], 10, 64)
		return n, err == nil && n > 0 && strconv.FormatInt(n, 10) == p[1]
	}
	asset := func(s string) (Asset, bool) { a := Asset(s); return a, a.Valid() }
	switch {
	case len(p) == 3 && p[0] == "fan":
		n, ok := owner()
		if !ok {
			return bad("the fan id is not a positive integer")
		}
		switch p[2] {
		case "coins":
			return FanCoins(n), nil
		case "owed":
			return FanOwed(n), nil
		}
		return bad(`a fan's account is "coins" or "owed"`)
	case len(p) == 4 && p[0] == "creator":
		n, ok := owner()
		if !ok {
			return bad("the creator id is not a positive integer")
		}
		a, ok := asset(p[3])
		if !ok {
			return bad("the asset is neither COIN nor an ISO 4217 code")
		}
		switch p[2] {
		case "pending":
			return CreatorPending(n, a), nil
		case "frozen":
			return CreatorFrozen(n, a), nil
		case "available":
			return CreatorAvailable(n, a), nil
		}
		return bad(`a creator's account is "pending", "frozen" or "available"`)
	case len(p) == 2 && id == PlatformCoins().ID:
		return PlatformCoins(), nil
	case len(p) == 3 && p[0] == "platform":
		a, ok := asset(p[2])
		if !ok {
			return bad("the asset is neither COIN nor an ISO 4217 code")
		}
		switch p[1] {
		case "revenue":
			return PlatformRevenue(a), nil
		case "clearing":
			return PaymentClearing(a), nil
		case "refunds":
			return PlatformRefunds(a), nil
		}
		return bad(`a platform account is "coins", "revenue", "clearing" or "refunds"`)
	}
	return bad(`not a fan, creator or platform account ("fan/42/coins", "creator/7/pending/CNY", "platform/clearing/CNY")`)
}

package fanclub

import (
	"context"
	"fmt"
	"time"
)

// Error codes of dimension 7 (minors and guardians).
const (
	// EMINOR refuses a minor's coin purchase or gift the policy forbids
	// (fair in the CN jurisdiction); the message says why.
	EMINOR = "minor_restricted"
	// ESPENDINGCAP refuses a minor's spending beyond the age band's
	// per-transaction or per-day cap; the message says what remains today.
	ESPENDINGCAP = "spending_cap"
	// EAGEUNVERIFIED refuses a paid action before the verification the
	// policy names (a bound bank card, an identity check).
	EAGEUNVERIFIED = "age_unverified"
	// EFACEFAILED refuses a minor's spending whose face check failed.
	EFACEFAILED = "face_check_failed"
	// EGUARDIAN refuses a guardian action the policy does not give, or a
	// link removal it does not allow from one side.
	EGUARDIAN = "guardian_not_allowed"
)

// AgeMethod is how a fan's birth date was established.
type AgeMethod string

// Age methods.
const (
	AgeBankCard     AgeMethod = "bank_card"     // verified through a bound bank card
	AgeIdentity     AgeMethod = "identity"      // verified identity check (satisfies id_check)
	AgeSelfDeclared AgeMethod = "self_declared" // declared by the fan, unverified
	AgeInherited    AgeMethod = "inherited"     // the account inherits the guardian's identity
)

// AgeMethods lists the allowed methods.
var AgeMethods = []AgeMethod{AgeBankCard, AgeIdentity, AgeSelfDeclared, AgeInherited}

// FanAge is a fan's birth date and how it was established.
type FanAge struct {
	FanID int64 `json:"fan_id"`
	// BirthDate is YYYY-MM-DD.
	BirthDate string    `json:"birth_date"`
	Method    AgeMethod `json:"method"`
	// Ref is the verifier's id of the check (verified methods only).
	Ref string `json:"ref,omitempty"`
	// SetAt is when the age was recorded.
	SetAt time.Time `json:"set_at"`
}

// Born parses the birth date.
func (a *FanAge) Born() (time.Time, error) { return time.Parse(time.DateOnly, a.BirthDate) }

// AgeAt is the fan's age in whole years on the date of at in loc.
func (a *FanAge) AgeAt(at time.Time, loc *time.Location) int {
	b, err := a.Born()
	if err != nil {
		return 0
	}
	y, m, d := at.In(loc).Date()
	age := y - b.Year()
	if m < b.Month() || (m == b.Month() && d < b.Day()) {
		age--
	}
	return age
}

// Verified reports whether the method was checked by a verifier.
func (a *FanAge) Verified() bool { return a.Method == AgeBankCard || a.Method == AgeIdentity }

// Satisfies reports whether the method meets a policy's verification for
// paid actions: bank_card needs a bound bank card, id_check a verified
// age (identity or bank card); the other verifications ask for none.
func (m AgeMethod) Satisfies(v AgeVerification) bool {
	switch v {
	case VerifyBankCard:
		return m == AgeBankCard
	case VerifyIDCheck:
		return m == AgeIdentity || m == AgeBankCard
	default:
		return true
	}
}

// Guardian link statuses.
const (
	LinkRequested = "requested" // the guardian asked; the minor has not accepted
	LinkActive    = "active"    // both consented
	LinkRemoved   = "removed"   // ended
)

// GuardianLink links a guardian's account to a minor's.
type GuardianLink struct {
	ID         int64  `json:"id"`
	GuardianID int64  `json:"guardian_id"`
	MinorID    int64  `json:"minor_id"`
	Status     string `json:"status"`
	// UnlinkBy records who asked to remove the link where one side alone
	// cannot ("guardian" or "minor").
	UnlinkBy  string    `json:"unlink_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Guardian refund request statuses.
const (
	RefundPending  = "pending"  // waiting for an operator's decision
	RefundRefunded = "refunded" // money and coins returned
	RefundRejected = "rejected" // an operator refused it
)

// RefundDocument is the metadata of the document a guardian files with a
// refund request where the policy asks for a notarized one.
type RefundDocument struct {
	// Name is the document's file name or title.
	Name string `json:"name"`
	// SHA256 is the hex digest of the document.
	SHA256 string `json:"sha256,omitempty"`
	// Notary names the notary office that certified it.
	Notary string `json:"notary,omitempty"`
}

// GuardianRefund is a guardian's request to refund a minor's spending in
// a period [Since, Until) (zero times: unbounded).
type GuardianRefund struct {
	ID int64 `json:"id"`
	// Key is the idempotency key (unique).
	Key        string          `json:"-"`
	GuardianID int64           `json:"guardian_id"`
	MinorID    int64           `json:"minor_id"`
	Since      *time.Time      `json:"since,omitempty"`
	Until      *time.Time      `json:"until,omitempty"`
	Status     string          `json:"status"`
	Document   *RefundDocument `json:"document,omitempty"`
	// Amount is the money refunded (minor units), Coins the coins taken
	// back and Gifts the gifts reversed; set when refunded.
	Amount   int64  `json:"amount"`
	Currency string `json:"currency,omitempty"`
	Coins    int64  `json:"coins"`
	Gifts    int    `json:"gifts"`
	// DecidedBy and Note record an operator's decision.
	DecidedBy string     `json:"decided_by,omitempty"`
	Note      string     `json:"note,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// MinorsTx stores ages, guardian links and guardian refund requests.
type MinorsTx interface {
	// SaveFanAge inserts or replaces a fan's age.
	SaveFanAge(ctx context.Context, a *FanAge) error
	// FindFanAge returns ENOTFOUND when the fan has no age.
	FindFanAge(ctx context.Context, fanID int64) (*FanAge, error)
	// FindFanAges returns the ages stored among fans, by fan; fans
	// without one are absent from the map.
	FindFanAges(ctx context.Context, fans []int64) (map[int64]*FanAge, error)
	// CreateGuardianLink stores l and sets its ID.
	CreateGuardianLink(ctx context.Context, l *GuardianLink) error
	// FindGuardianLink returns ENOTFOUND when no link has the id.
	FindGuardianLink(ctx context.Context, id int64) (*GuardianLink, error)
	// UpdateGuardianLink saves a link's status, unlink side and update time.
	UpdateGuardianLink(ctx context.Context, l *GuardianLink) error
	// ListGuardianLinks lists the links not removed of a minor (minorID)
	// or of a guardian (guardianID), oldest first; 0 matches any.
	ListGuardianLinks(ctx context.Context, guardianID, minorID int64) ([]*GuardianLink, error)
	// CreateGuardianRefund stores r and sets its ID unless a request with
	// r.Key exists: then it copies the stored one into r and reports false.
	CreateGuardianRefund(ctx context.Context, r *GuardianRefund) (created bool, err error)
	// FindGuardianRefund returns ENOTFOUND when no request has the id.
	FindGuardianRefund(ctx context.Context, id int64) (*GuardianRefund, error)
	// UpdateGuardianRefund saves a request's status, amounts and decision.
	UpdateGuardianRefund(ctx context.Context, r *GuardianRefund) error
	// ListGuardianRefunds lists requests of a minor (0: all) with a
	// status ("": any), oldest first.
	ListGuardianRefunds(ctx context.Context, minorID int64, status string) ([]*GuardianRefund, error)
}

// activeGuardian returns the minor's active guardian link, nil when none.
func activeGuardian(ctx context.Context, tx Tx, minorID int64) (*GuardianLink, error) {
	ls, err := tx.ListGuardianLinks(ctx, 0, minorID)
	if err != nil {
		return nil, fmt.Errorf("list guardian links: %w", err)
	}
	for _, l := range ls {
		if l.Status == LinkActive {
			return l, nil
		}
	}
	return nil, nil
}

// fanAge returns a fan's age record, nil when none is stored.
func fanAge(ctx context.Context, tx Tx, fanID int64) (*FanAge, error) {
	a, err := tx.FindFanAge(ctx, fanID)
	if isNotFound(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("find age of fan %d: %w", fanID, err)
	}
	return a, nil
}

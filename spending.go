package fanclub

import (
	"context"
	"fmt"
	"slices"
	"time"

	"fanclub/verify"
)

// MinorsConfig configures dimension 7 for an instance.
type MinorsConfig struct {
	// Policy names the policy whose minors rule governs what happens
	// outside any club: coin purchases, guardian links and guardian
	// refunds (default DefaultPolicy). Gifts and subscriptions follow
	// their club's policy.
	Policy string
	// AgeGate enforces a policy's verifyBeforePaid: paid actions of a fan
	// without the verification the policy names are EAGEUNVERIFIED. Off,
	// a fan with no recorded age is treated as an adult.
	AgeGate bool
}

// withDefaults returns c with its zero fields defaulted.
func (c MinorsConfig) withDefaults() MinorsConfig {
	if c.Policy == "" {
		c.Policy = DefaultPolicy
	}
	return c
}

// Spending kinds: the money-moving actions the minors rules check.
const (
	SpendCoins        = "coins"
	SpendGift         = "gift"
	SpendSubscription = "subscription"
)

// Spending is one money-moving action as the minors rules see it.
type Spending struct {
	// Kind is SpendCoins, SpendGift or SpendSubscription.
	Kind   string
	FanID  int64
	ClubID int64
	// Amount is the money it moves (minor units); for a subscription it
	// is read from the club's price of Tier and Plan.
	Amount int64
	Tier   string
	Plan   Plan
	// Key is the stored key of the request's payment (its retry is not
	// counted against the day's cap).
	Key string
}

// spendDecision is what the minors rules decided about a spending.
type spendDecision struct {
	payer int64 // the account the spending is booked to
	face  bool  // a face check must pass first
}

// checkSpending applies the minors rules of the policy in force to a
// money-moving action, before it moves anything, and returns the fan
// whose account it is booked to (the guardian's where the policy books a
// minor's spending there). It is the one check BuyCoins, SendGift and
// Subscribe call. The rules are read in a read transaction; a face check
// runs after it, outside any transaction. BuyCoins and Subscribe apply
// them again in the transaction that records the charge
// (recheckSpending); the renewal job applies the caps (renewalCapRefusal).
func (e *Engine) checkSpending(ctx context.Context, s Spending) (int64, error) {
	var d spendDecision
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		d, err = e.decideSpending(ctx, tx, s)
		return err
	})
	if err != nil {
		return 0, err
	}
	if d.face {
		if err := e.faceCheck(ctx, s); err != nil {
			return 0, err
		}
	}
	return d.payer, nil
}

// recheckSpending applies the rules to s again in the write transaction
// that records its charge: the day's cap counts the charges recorded
// before it, so two purchases checked at the same instant cannot both
// pass (write transactions are serializable: SQLite runs one at a time,
// and PostgreSQL fails one of two that read and add the same fan's
// charges, which then runs again and sees the other's). The face check
// and the payer were decided before; only a refusal counts here.
func (e *Engine) recheckSpending(ctx context.Context, tx Tx, s Spending) error {
	_, err := e.decideSpending(ctx, tx, s)
	return err
}

// renewalCapRefusal applies a minor's spending caps to the renewal charge
// of s (stored under key): ESPENDINGCAP when they refuse it, nil when they
// allow it or the fan is not a minor. A renewal has no one to face-check
// and was allowed when subscribed; only the caps apply again.
func (e *Engine) renewalCapRefusal(ctx context.Context, tx Tx, cp *clubPolicy, s *Subscription, key string) error {
	age, err := fanAge(ctx, tx, s.FanID)
	if err != nil || age == nil {
		return err
	}
	m := cp.policy.Minors
	years := age.AgeAt(tx.Now(), cp.loc)
	if years >= m.AdultAge {
		return nil
	}
	return e.checkCap(ctx, tx, m, years, Spending{Kind: SpendSubscription, FanID: s.FanID, ClubID: s.ClubID, Amount: s.Price, Key: key}, cp.loc)
}

// spendingPolicy returns the policy governing a spending: its club's, or
// the instance's minors policy for a coin purchase.
func (e *Engine) spendingPolicy(ctx context.Context, tx Tx, clubID int64) (*Policy, *time.Location, error) {
	if clubID == 0 {
		return e.resolvePolicy(e.minors.Policy)
	}
	cp, err := e.loadClub(ctx, tx, clubID)
	if err != nil {
		return nil, nil, err
	}
	return cp.policy, cp.loc, nil
}

// decideSpending applies the rules in tx.
func (e *Engine) decideSpending(ctx context.Context, tx Tx, s Spending) (spendDecision, error) {
	d := spendDecision{payer: s.FanID}
	p, loc, err := e.spendingPolicy(ctx, tx, s.ClubID)
	if err != nil {
		return d, err
	}
	m := p.Minors
	age, err := fanAge(ctx, tx, s.FanID)
	if err != nil {
		return d, err
	}
	if e.minors.AgeGate && m.VerifyBeforePaid && (age == nil || !age.Method.Satisfies(m.Verification)) {
		return d, Errorf(EAGEUNVERIFIED, "Policy %s asks for a verified age (%s) before paid actions; set it with PUT /v1/me/age.",
			p.Metadata.Name, m.Verification)
	}
	if age == nil {
		return d, nil
	}
	years := age.AgeAt(tx.Now(), loc)
	if years >= m.AdultAge {
		return d, nil
	}
	if s.Kind == SpendSubscription {
		if s.Amount, err = PriceOf(p.Paid, s.Tier, s.Plan); err != nil {
			return d, err
		}
	}
	if m.NoTipping && p.Metadata.Jurisdiction == JurisdictionCN && s.Kind != SpendSubscription {
		return d, Errorf(EMINOR, "A %d-year-old may not %s under policy %s in %s: minors may not tip, recharge or buy gifts on live-streaming services (2022 opinions on live-stream tipping).",
			years, spendVerb(s.Kind), p.Metadata.Name, p.Metadata.Jurisdiction)
	}
	if s.Kind != SpendGift {
		if err := e.checkCap(ctx, tx, m, years, s, loc); err != nil {
			return d, err
		}
	}
	switch m.ConsumptionAudit {
	case AuditFaceVerification:
		d.face = true
	case AuditBookedToGuardian:
		l, err := activeGuardian(ctx, tx, s.FanID)
		if err != nil {
			return d, err
		}
		if l != nil {
			d.payer = l.GuardianID
		}
	}
	return d, nil
}

// spendVerb names a spending kind in a refusal.
func spendVerb(kind string) string {
	switch kind {
	case SpendCoins:
		return "buy coins"
	case SpendGift:
		return "send gifts"
	default:
		return "subscribe"
	}
}

// capFor returns the spending cap of an age band, nil when none covers age.
func capFor(caps []SpendingCap, age int) *SpendingCap {
	for i := range caps {
		if age >= caps[i].MinAge && age <= caps[i].MaxAge {
			return &caps[i]
		}
	}
	return nil
}

// checkCap refuses a minor's charge beyond the age band's caps: the
// per-transaction cap, and the per-day cap on the charges (coins,
// subscriptions and renewals, pending or succeeded) made since 00:00 in
// the policy's time zone.
func (e *Engine) checkCap(ctx context.Context, tx Tx, m MinorsRule, age int, s Spending, loc *time.Location) error {
	c := capFor(m.SpendingCaps, age)
	if c == nil {
		return nil
	}
	spent, err := spentToday(ctx, tx, s.FanID, s.Key, tx.Now(), loc)
	if err != nil {
		return err
	}
	left := max(c.PerDay-spent, 0)
	cur := e.money.Currency
	if s.Amount > c.PerTransaction {
		return Errorf(ESPENDINGCAP, "A %d-year-old may spend at most %s per transaction (ages %d–%d); this one is %s. %s remains today.",
			age, FormatMoney(c.PerTransaction, cur).In("en"), c.MinAge, c.MaxAge, FormatMoney(s.Amount, cur).In("en"), FormatMoney(left, cur).In("en"))
	}
	if s.Amount > left {
		return Errorf(ESPENDINGCAP, "A %d-year-old may spend at most %s a day (ages %d–%d); %s remains today, this one is %s.",
			age, FormatMoney(c.PerDay, cur).In("en"), c.MinAge, c.MaxAge, FormatMoney(left, cur).In("en"), FormatMoney(s.Amount, cur).In("en"))
	}
	return nil
}

// spentToday sums a fan's charges for coins, subscriptions and renewals made since
// the start of now's day in loc, pending or succeeded, leaving out the
// payment stored under skip.
func spentToday(ctx context.Context, tx Tx, fanID int64, skip string, now time.Time, loc *time.Location) (int64, error) {
	ps, err := tx.ListPayments(ctx, fanID)
	if err != nil {
		return 0, fmt.Errorf("list payments: %w", err)
	}
	y, mo, d := now.In(loc).Date()
	start := time.Date(y, mo, d, 0, 0, 0, 0, loc)
	var sum int64
	for _, p := range ps {
		if p.Kind == PaymentCharge && p.Status != PaymentDeclined && p.Key != skip && !p.CreatedAt.Before(start) &&
			slices.Contains([]string{PurposeCoins, PurposeSubscription, PurposeRenewal}, p.Purpose) {
			sum += p.Amount
		}
	}
	return sum, nil
}

// faceCheck runs the verifier's face check of a minor's spending; one
// that does not pass is EFACEFAILED and the spending does not happen.
func (e *Engine) faceCheck(ctx context.Context, s Spending) error {
	if e.verifier == nil {
		return Errorf(EINTERNAL, "No identity verifier is configured for the face check this spending needs.")
	}
	r, err := e.verifier.VerifyFace(ctx, verify.FaceRequest{Key: "spend/" + s.Kind + "/" + s.Key, FanID: s.FanID, Purpose: s.Kind})
	if err != nil {
		return fmt.Errorf("face check: %v: %w", err, Errorf(EINTERNAL, "The identity verifier did not answer; nothing was spent. Retry with the same idempotency key."))
	}
	if !r.Passed {
		return Errorf(EFACEFAILED, "A minor's spending needs a face check, and it failed (%s, check %s); nothing was spent.", r.Reason, r.Ref)
	}
	return nil
}

// FaceCheck runs a face check of a fan on demand (a client checking
// before a minor's spending, under a policy that audits it with one):
// the verifier's answer, under the idempotency key key.
func (e *Engine) FaceCheck(ctx context.Context, fanID int64, key string) (*verify.Result, error) {
	if f := checkKey(key); f != nil {
		return nil, InvalidFields("Invalid face check.", []FieldError{*f})
	}
	if e.verifier == nil {
		return nil, Errorf(EINTERNAL, "No identity verifier is configured.")
	}
	if err := e.inTx(ctx, false, func(tx Tx) error {
		_, err := tx.FindFanByID(ctx, fanID)
		return err
	}); err != nil {
		return nil, fmt.Errorf("find fan %d: %w", fanID, err)
	}
	r, err := e.verifier.VerifyFace(ctx, verify.FaceRequest{Key: "check/" + moneyKey("face", fanID, key), FanID: fanID, Purpose: "check"})
	if err != nil {
		return nil, fmt.Errorf("face check: %v: %w", err, Errorf(EINTERNAL, "The identity verifier did not answer."))
	}
	return r, nil
}

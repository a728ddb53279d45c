package fanclub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"fanclub/payments"
	"fanclub/verify"
)

// PasswordHasher hashes and verifies passwords (argon2id in production).
type PasswordHasher interface {
	Hash(password string) (string, error)
	Verify(encodedHash, password string) (bool, error)
}

// PolicySource resolves a policy by name; unknown names give ENOTFOUND.
type PolicySource interface {
	Policy(name string) (*Policy, error)
}

// EngineConfig holds the engine's dependencies.
type EngineConfig struct {
	Store     Store
	Policies  PolicySource
	Passwords PasswordHasher
	// Random supplies token, captcha and slider randomness (crypto/rand in
	// production, a seeded source in the simulator).
	Random io.Reader
	Logger *slog.Logger
	// Limits bounds what the engine accepts; zero fields take their defaults.
	Limits Limits
	// Auth sets token lifetimes, password concurrency and throttling.
	Auth AuthConfig
	// Observer receives metrics events (nil: none).
	Observer Observer
	// Jobs configures the job runner (RunDueJobs).
	Jobs JobConfig
	// Payments is the payment provider paid plans and coins are charged
	// through (nil: none). The engine calls it outside its transactions.
	Payments payments.Provider
	// Money holds the currency and coin price; zero fields take defaults.
	Money MoneyConfig
	// Webhooks is true when notifications are also sent to a webhook: each
	// stored notification then gets a webhook delivery.
	Webhooks bool
	// Verifier checks ages and faces for dimension 7 (nil: verified age
	// methods and face checks are refused as unavailable).
	Verifier verify.Verifier
	// Minors configures dimension 7 for actions outside any club.
	Minors MinorsConfig
	// GiftWriters bounds the gift batches that run at once (see
	// giftQueue). Zero means 2 on a store with locking transactions
	// (PostgreSQL: one batch waits on the server while the other's
	// statements run, until both reach the platform accounts they share)
	// and 1 otherwise (SQLite writes one transaction at a time).
	GiftWriters int
}

// Engine runs fan-club memberships under their clubs' policies.
type Engine struct {
	store     Store
	policies  PolicySource
	passwords PasswordHasher
	random    io.Reader
	log       *slog.Logger
	limits    Limits
	auth      *auth
	obs       Observer
	jobs      *jobRunner
	payments  payments.Provider
	money     MoneyConfig
	webhooks  bool
	verifier  verify.Verifier
	minors    MinorsConfig
	// gifts commits concurrent gifts together.
	gifts giftQueue

	randMu sync.Mutex // serialises reads of random
	locMu  sync.Mutex
	locs   map[string]*time.Location
}

// NewEngine returns an engine over its dependencies.
func NewEngine(c EngineConfig) *Engine {
	log := c.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	obs := c.Observer
	if obs == nil {
		obs = nopObserver{}
	}
	e := &Engine{store: c.Store, policies: c.Policies, passwords: c.Passwords, random: c.Random, log: log, obs: obs,
		limits: c.Limits.withDefaults(), auth: newAuth(c.Auth, c.Passwords), locs: make(map[string]*time.Location),
		jobs: newJobRunner(c.Jobs), payments: c.Payments, money: c.Money.withDefaults(), webhooks: c.Webhooks,
		verifier: c.Verifier, minors: c.Minors.withDefaults()}
	e.gifts.writers = c.GiftWriters
	if e.gifts.writers <= 0 {
		e.gifts.writers = 1
		if _, ok := c.Store.(LockingStore); ok {
			e.gifts.writers = 2
		}
	}
	e.HandleJobs(JobReconcilePayment, e.runReconcile)
	e.registerSubscriptionJobs()
	e.registerPrivacyJobs()
	e.HandleJobs(JobSettleWeek, e.runSettlement)
	e.HandleJobs(JobSettlePayout, e.runPayout)
	return e
}

// MembershipView is a membership with its values derived at a time.
type MembershipView struct {
	Membership
	// At is the time the derived values are computed for.
	At time.Time `json:"at"`
	// Lit is true while the membership is active and within the lit window.
	Lit bool `json:"lit"`
	// RetainedPoints are the points a rejoin now would restore (after decay).
	RetainedPoints int64 `json:"retained_points"`
	// CooldownUntil is when a rejoin is accepted; nil when it is now.
	CooldownUntil *time.Time `json:"cooldown_until"`
	// Tier is the paid tier whose benefits apply at At (an active member
	// with a live subscription inside its benefits); empty otherwise.
	Tier string `json:"tier,omitempty"`
}

// FanView is a fan's account-wide state at a time.
type FanView struct {
	Fan
	At            time.Time `json:"at"`
	GeneralPoints int64     `json:"general_points"`
	Effects       []Effect  `json:"effects"`
	// RecommendationWeight is the factor a search or recommendation system
	// applies to the fan now: the product of the active recommendation_weight
	// effects, 1 when there are none.
	RecommendationWeight float64 `json:"recommendation_weight"`
}

// ExitOutcome is a confirmed exit: the membership after it and what it did.
type ExitOutcome struct {
	Request    *ExitRequest    `json:"request"`
	Membership *MembershipView `json:"membership"`
	Impact     ExitImpact      `json:"impact"`
	// Refund is the refund the exit made, if any.
	Refund *Payment `json:"refund,omitempty"`
	// chargeRef is the provider's id of the charge the refund gives back.
	chargeRef string
}

// clubPolicy is a club with its resolved policy and time zone.
type clubPolicy struct {
	club   *Club
	policy *Policy
	loc    *time.Location
}

// location returns the time zone of a policy, cached by name; an empty name
// is Asia/Shanghai, the default zone of every preset.
func (e *Engine) location(name string) (*time.Location, error) {
	if name == "" {
		name = "Asia/Shanghai"
	}
	e.locMu.Lock()
	defer e.locMu.Unlock()
	if loc, ok := e.locs[name]; ok {
		return loc, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("load policy time zone %q: %w", name, err)
	}
	e.locs[name] = loc
	return loc, nil
}

// resolvePolicy returns a policy by name with its time zone.
func (e *Engine) resolvePolicy(name string) (*Policy, *time.Location, error) {
	if e.policies == nil {
		return nil, nil, Errorf(EINTERNAL, "no policy source configured")
	}
	p, err := e.policies.Policy(name)
	if err != nil {
		return nil, nil, fmt.Errorf("resolve policy %q: %w", name, err)
	}
	loc, err := e.location(p.Metadata.TimeZone)
	if err != nil {
		return nil, nil, err
	}
	return p, loc, nil
}

// loadClub reads a club in tx and resolves its policy.
func (e *Engine) loadClub(ctx context.Context, tx Tx, clubID int64) (*clubPolicy, error) {
	return loadClubWith(ctx, tx, clubID, e.resolvePolicy)
}

// loadClubWith reads a club in tx and resolves its policy with resolve.
func loadClubWith(ctx context.Context, tx Tx, clubID int64, resolve func(string) (*Policy, *time.Location, error)) (*clubPolicy, error) {
	c, err := tx.FindClubByID(ctx, clubID)
	if err != nil {
		return nil, fmt.Errorf("find club %d: %w", clubID, err)
	}
	p, loc, err := resolve(c.Policy)
	if err != nil {
		return nil, err
	}
	return &clubPolicy{club: c, policy: p, loc: loc}, nil
}

// clubCache resolves clubs, and the policies they name, once per
// operation (a batch names hundreds of clubs and a few policies).
type clubCache struct {
	clubs    map[int64]*clubPolicy
	policies map[string]clubPolicy
}

// get returns the club, loading it on first use.
func (cc *clubCache) get(ctx context.Context, e *Engine, tx Tx, clubID int64) (*clubPolicy, error) {
	if c, ok := cc.clubs[clubID]; ok {
		return c, nil
	}
	cp, err := loadClubWith(ctx, tx, clubID, func(name string) (*Policy, *time.Location, error) {
		if r, ok := cc.policies[name]; ok {
			return r.policy, r.loc, nil
		}
		p, loc, err := e.resolvePolicy(name)
		if err != nil {
			return nil, nil, err
		}
		if cc.policies == nil {
			cc.policies = map[string]clubPolicy{}
		}
		cc.policies[name] = clubPolicy{policy: p, loc: loc}
		return p, loc, nil
	})
	if err != nil {
		return nil, err
	}
	if cc.clubs == nil {
		cc.clubs = map[int64]*clubPolicy{}
	}
	cc.clubs[clubID] = cp
	return cp, nil
}

// inTx runs fn in a transaction, committing when fn returns nil. When the
// store reports that the transaction lost a conflict with a concurrent one
// (IsRetryable), it runs fn again in a new transaction, up to
// MaxTxAttempts times with jittered exponential backoff, while ctx lasts:
// this is the one place the engine retries, so fn must keep its effects
// to the transaction (and to variables it sets anew on each run).
func (e *Engine) inTx(ctx context.Context, write bool, fn func(tx Tx) error) error {
	return e.retryTx(ctx, write, false, fn)
}

// inLockingTx is inTx for a write transaction function that keeps the
// rules of LockingStore (the ingest path): it runs in a locking
// transaction when the store offers them, in an ordinary write
// transaction otherwise, retried alike.
func (e *Engine) inLockingTx(ctx context.Context, fn func(tx Tx) error) error {
	return e.retryTx(ctx, true, true, fn)
}

// retryTx is inTx; locking asks for a LockingStore transaction.
func (e *Engine) retryTx(ctx context.Context, write, locking bool, fn func(tx Tx) error) error {
	if e.store == nil {
		return Errorf(EINTERNAL, "no store configured")
	}
	for attempt := 1; ; attempt++ {
		err := e.runTx(ctx, write, locking, fn)
		if err == nil || !IsRetryable(err) || attempt >= MaxTxAttempts {
			return err
		}
		wait := TxBackoff(attempt)
		e.log.Debug("transaction conflict, retrying", "attempt", attempt, "wait", wait, "err", err)
		if werr := waitBackoff(ctx, wait); werr != nil {
			return err
		}
	}
}

// runTx runs fn once in a transaction (a locking one when asked and the
// store offers it), committing when fn returns nil.
func (e *Engine) runTx(ctx context.Context, write, locking bool, fn func(tx Tx) error) error {
	ended := e.obs.TxStarted(write)
	var (
		tx  Tx
		err error
	)
	if ls, ok := e.store.(LockingStore); ok && locking && write {
		tx, err = ls.BeginLockingTx(ctx)
	} else {
		tx, err = e.store.BeginTx(ctx, write)
	}
	if err != nil {
		ended(err)
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		ended(err)
		return err
	}
	if err := tx.Commit(); err != nil {
		ended(err)
		return fmt.Errorf("commit: %w", err)
	}
	ended(nil)
	return nil
}

// isNotFound reports whether err carries ENOTFOUND.
func isNotFound(err error) bool { return ErrorCode(err) == ENOTFOUND }

// asDomain returns the domain error inside err, if any.
func asDomain(err error) (*Error, bool) {
	var de *Error
	ok := errors.As(err, &de)
	return de, ok
}

// view derives a membership's read-time values at now.
func view(m *Membership, cp *clubPolicy, now time.Time) *MembershipView {
	v := &MembershipView{Membership: *m, At: now}
	v.Lit = IsLit(*m, cp.policy.Engagement.LitWindow, cp.loc, now)
	if m.Status == StatusLeft {
		levels := cp.policy.Engagement.Levels
		v.RetainedPoints = RetainedPointsAt(levels, *m, now)
		// A left membership shows the level a rejoin now would restore,
		// so a decaying or expired retention shows its current level.
		v.Level = 0
		if r := m.Retained; r != nil && r.Restore != RestoreNone && (r.Forever || now.Before(r.Until)) {
			v.Level, _ = RestoreAt(levels, *m, now)
		}
		if m.RejoinAfter.After(now) {
			t := m.RejoinAfter
			v.CooldownUntil = &t
		}
	}
	return v
}

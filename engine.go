package fanclub

import (
	"context"
	"io"
	"log/slog"
	"time"
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
}

// Engine runs fan-club memberships under their clubs' policies.
type Engine struct {
	store     Store
	policies  PolicySource
	passwords PasswordHasher
	random    io.Reader
	log       *slog.Logger
}

// NewEngine returns an engine over its dependencies.
func NewEngine(c EngineConfig) *Engine {
	log := c.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engine{store: c.Store, policies: c.Policies, passwords: c.Passwords, random: c.Random, log: log}
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
	// RejoinFrom is when a rejoin is accepted (zero when it is now).
	CooldownUntil *time.Time `json:"cooldown_until"`
}

// FanView is a fan's account-wide state at a time.
type FanView struct {
	Fan
	At            time.Time `json:"at"`
	GeneralPoints int64     `json:"general_points"`
	Effects       []Effect  `json:"effects"`
}

// ExitOutcome is a confirmed exit: the membership after it and what it did.
type ExitOutcome struct {
	Request    *ExitRequest    `json:"request"`
	Membership *MembershipView `json:"membership"`
	Impact     ExitImpact      `json:"impact"`
}

var errTODO = Errorf(EINTERNAL, "engine operation under construction")

// CreateFan registers a fan with a password.
func (e *Engine) CreateFan(ctx context.Context, handle, password string) (*Fan, error) {
	return nil, errTODO
}

// CreateCreator registers a creator.
func (e *Engine) CreateCreator(ctx context.Context, handle string) (*Creator, error) {
	return nil, errTODO
}

// CreateClub creates a club for a creator, running the named policy.
func (e *Engine) CreateClub(ctx context.Context, creatorID int64, name, policy string) (*Club, error) {
	return nil, errTODO
}

// FindClub returns a club.
func (e *Engine) FindClub(ctx context.Context, clubID int64) (*Club, error) { return nil, errTODO }

// ListClubs lists clubs (creatorID 0: all).
func (e *Engine) ListClubs(ctx context.Context, creatorID int64) ([]*Club, error) {
	return nil, errTODO
}

// IssueToken creates a bearer token for a role and subject and returns its
// plaintext, which is shown once and stored only hashed.
func (e *Engine) IssueToken(ctx context.Context, role Role, subjectID int64) (string, error) {
	return "", errTODO
}

// LoginFan checks a fan's password and issues a fan token.
func (e *Engine) LoginFan(ctx context.Context, handle, password string) (string, *Fan, error) {
	return "", nil, errTODO
}

// Authenticate resolves a bearer token (EUNAUTHORIZED when unknown).
func (e *Engine) Authenticate(ctx context.Context, token string) (Principal, error) {
	return Principal{}, errTODO
}

// Join makes a fan an active member of a club, applying rejoin rules.
func (e *Engine) Join(ctx context.Context, fanID, clubID int64) (*MembershipView, error) {
	return nil, errTODO
}

// Interact records one interaction through the ingest path.
func (e *Engine) Interact(ctx context.Context, fanID, clubID int64, action Action, amount int64) (*MembershipView, *EventResult, error) {
	return nil, nil, errTODO
}

// Ingest applies a batch of interactions exactly once, in one transaction.
func (e *Engine) Ingest(ctx context.Context, b Batch) (*BatchResult, error) {
	return nil, errTODO
}

// Membership returns a fan's membership in a club as of now.
func (e *Engine) Membership(ctx context.Context, fanID, clubID int64) (*MembershipView, error) {
	return nil, errTODO
}

// ListMemberships lists a fan's memberships (clubID 0) or a club's members (fanID 0).
func (e *Engine) ListMemberships(ctx context.Context, fanID, clubID int64) ([]*MembershipView, error) {
	return nil, errTODO
}

// FanView returns a fan's general points and active effects.
func (e *Engine) FanView(ctx context.Context, fanID int64) (*FanView, error) {
	return nil, errTODO
}

// RequestExit starts an exit: it returns the challenges and the impact preview.
func (e *Engine) RequestExit(ctx context.Context, fanID, clubID int64, choices map[string]string) (*ExitRequest, error) {
	return nil, errTODO
}

// ExitCaptcha returns the digits of an exit request's captcha, for an
// adapter to render as an image for the fan who owns the request.
func (e *Engine) ExitCaptcha(ctx context.Context, fanID int64, requestID string) (string, error) {
	return "", errTODO
}

// ConfirmExit checks the answers and executes the exit; a failed confirm
// changes nothing but the attempt count.
func (e *Engine) ConfirmExit(ctx context.Context, fanID int64, requestID string, answers ExitAnswers) (*ExitOutcome, error) {
	return nil, errTODO
}

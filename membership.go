package fanclub

import "time"

// Role is what a bearer token lets its holder act as.
type Role string

// Roles.
const (
	RoleFan     Role = "fan"
	RoleCreator Role = "creator"
	RoleAdmin   Role = "admin"
)

// Fan is a person who joins clubs.
type Fan struct {
	ID     int64  `json:"id"`
	Handle string `json:"handle"`
	// PasswordHash is an encoded argon2id hash; never rendered.
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// Creator is a person who runs clubs.
type Creator struct {
	ID        int64     `json:"id"`
	Handle    string    `json:"handle"`
	CreatedAt time.Time `json:"created_at"`
}

// Club is a creator's fan club; it runs exactly one policy, by name, in
// the version the policy had when the club was created.
type Club struct {
	ID        int64  `json:"id"`
	CreatorID int64  `json:"creator_id"`
	Name      string `json:"name"`
	Policy    string `json:"policy"`
	// PolicyVersion is the policy's metadata.version when the club was
	// created; empty for clubs created before versions were recorded and
	// for policies without a version.
	PolicyVersion string    `json:"policy_version"`
	CreatedAt     time.Time `json:"created_at"`
}

// MembershipStatus is where a membership is in its lifecycle.
type MembershipStatus string

// Membership statuses.
const (
	StatusNone   MembershipStatus = "none"
	StatusActive MembershipStatus = "active"
	StatusLeft   MembershipStatus = "left"
)

// Membership is a fan's standing in one club, as stored. Derived values
// (lit, decayed retention, cooldown state) are computed when read, from
// these timestamps and the club's policy.
type Membership struct {
	FanID       int64            `json:"fan_id"`
	ClubID      int64            `json:"club_id"`
	Status      MembershipStatus `json:"status"`
	Level       int              `json:"level"`
	LevelPoints int64            `json:"level_points"`
	// JoinedAt is the start of the current (or last) active period.
	JoinedAt time.Time `json:"joined_at"`
	// LastInteractionAt is the last interaction, or the join if later.
	LastInteractionAt time.Time `json:"last_interaction_at"`
	// LeftAt is the last exit (zero if the fan never left).
	LeftAt time.Time `json:"left_at,omitzero"`
	// Exits counts the fan's exits from this club.
	Exits int `json:"exits"`
	// Retained is what the last exit left restorable (nil: nothing).
	Retained *Retained `json:"retained,omitempty"`
	// RejoinAfter is when the cooldown of the last exit ends (zero: none).
	RejoinAfter time.Time `json:"rejoin_after,omitzero"`
	// Version increments on every change; used to detect stale previews.
	Version int64 `json:"version"`
}

// Retained is progress kept after an exit, restorable by a rejoin.
type Retained struct {
	// Option is the progress option that was applied.
	Option string `json:"option"`
	// Points are the level points at exit (P0), before any decay.
	Points int64 `json:"points"`
	// Level is the level at exit.
	Level int `json:"level"`
	// Until is when the retention ends; zero with Forever set never ends.
	Until   time.Time `json:"until"`
	Forever bool      `json:"forever"`
	// Decay and DecayDays describe how Points shrink until Until.
	Decay     Decay `json:"decay"`
	DecayDays int   `json:"decay_days"`
	// Restore is what a rejoin gives back.
	Restore Restore `json:"restore"`
}

// Effect is a consequence of an exit on the leaver's account.
type Effect struct {
	FanID  int64      `json:"-"`
	ClubID int64      `json:"club_id"`
	Kind   EffectKind `json:"kind"`
	Scope  Scope      `json:"scope"`
	Start  time.Time  `json:"start"`
	// Until is when the effect ends; nil while it lasts until a rejoin or for ever.
	Until        *time.Time `json:"until"`
	EndsOnRejoin bool       `json:"ends_on_rejoin"`
	Factor       float64    `json:"factor,omitempty"`
	Actions      []Action   `json:"actions,omitempty"`
}

// ActiveAt reports whether the effect applies at t.
func (e Effect) ActiveAt(t time.Time) bool {
	return !t.Before(e.Start) && (e.Until == nil || t.Before(*e.Until))
}

// Event is one fan interaction as kept in the behaviour log.
type Event struct {
	// ID is the producer's unique id of the event; a repeated id is a retry.
	ID     string    `json:"id"`
	FanID  int64     `json:"fan_id"`
	ClubID int64     `json:"club_id"`
	Action Action    `json:"action"`
	Amount int64     `json:"amount"`
	At     time.Time `json:"at"`
}

// MemberKey identifies a membership.
type MemberKey struct {
	FanID  int64
	ClubID int64
}

// CounterKey identifies a daily points counter: the points one action has
// earned one fan in one club on one day (YYYY-MM-DD in the policy's zone).
type CounterKey struct {
	FanID  int64
	ClubID int64
	Day    string
	Action Action
}

// Token is a stored bearer token; only its hash is kept. A token is live
// from CreatedAt until ExpiresAt unless revoked (RevokedAt set).
type Token struct {
	// ID names the token for revocation; the store assigns it.
	ID        int64      `json:"id"`
	Hash      string     `json:"-"`
	Role      Role       `json:"role"`
	SubjectID int64      `json:"subject_id"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Principal is the authenticated caller of an operation.
type Principal struct {
	Role Role  `json:"role"`
	ID   int64 `json:"id"`
	// TokenID is the id of the token the caller presented.
	TokenID int64 `json:"-"`
}

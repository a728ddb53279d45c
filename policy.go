package fanclub

// PolicyAPIVersion and PolicyKind identify a policy document.
const (
	PolicyAPIVersion = "fanclub/v1"
	PolicyKind       = "Policy"
)

// Policy is a declared exit policy: everything that joining, engaging and
// leaving a fan club costs a fan, as structured values. The engine executes
// it, previews it, compares it with others and audits it.
type Policy struct {
	APIVersion  string          `yaml:"apiVersion" json:"apiVersion"`
	Kind        string          `yaml:"kind" json:"kind"`
	Metadata    PolicyMetadata  `yaml:"metadata" json:"metadata"`
	Engagement  Engagement      `yaml:"engagement" json:"engagement"`
	Join        JoinRule        `yaml:"join" json:"join"`
	Exit        ExitRule        `yaml:"exit" json:"exit"`               // dimension 1
	Progress    ProgressRule    `yaml:"progress" json:"progress"`       // dimension 2
	Paid        PaidRule        `yaml:"paid" json:"paid"`               // dimension 3
	Effects     []EffectRule    `yaml:"effects" json:"effects"`         // dimension 4
	Data        DataRule        `yaml:"data" json:"data"`               // dimension 5
	Revenue     RevenueRule     `yaml:"revenue" json:"revenue"`         // dimension 6
	Minors      MinorsRule      `yaml:"minors" json:"minors"`           // dimension 7
	Portability PortabilityRule `yaml:"portability" json:"portability"` // dimension 8
}

// Localized is a text in Simplified Chinese and English.
type Localized struct {
	ZH string `yaml:"zh-CN" json:"zh-CN"`
	EN string `yaml:"en" json:"en"`
}

// In returns the text for a language tag ("zh", "zh-CN" or "en"), falling
// back to the other language when one is empty.
func (l Localized) In(lang string) string {
	if lang == "en" {
		if l.EN != "" {
			return l.EN
		}
		return l.ZH
	}
	if l.ZH != "" {
		return l.ZH
	}
	return l.EN
}

// Jurisdiction selects the body of law a policy is audited against.
type Jurisdiction string

// Jurisdictions.
const (
	JurisdictionCN   Jurisdiction = "CN"
	JurisdictionEU   Jurisdiction = "EU"
	JurisdictionUS   Jurisdiction = "US"
	JurisdictionNone Jurisdiction = "none"
)

// Jurisdictions lists the allowed jurisdiction values.
var Jurisdictions = []Jurisdiction{JurisdictionCN, JurisdictionEU, JurisdictionUS, JurisdictionNone}

// PolicyMetadata identifies a policy.
type PolicyMetadata struct {
	// Name is the policy's slug: lower-case letters, digits and hyphens.
	Name string `yaml:"name" json:"name"`
	// Version is a free-form version label, e.g. "2026-11".
	Version string `yaml:"version,omitempty" json:"version,omitempty"`
	// DisplayName is the policy's name for people.
	DisplayName Localized `yaml:"displayName" json:"displayName"`
	// TimeZone is an IANA zone name; day boundaries and calendar days use it.
	TimeZone string `yaml:"timeZone" json:"timeZone"`
	// Jurisdiction is the body of law the audit applies.
	Jurisdiction Jurisdiction `yaml:"jurisdiction" json:"jurisdiction"`
	// Provenance says where the policy's rules come from.
	Provenance string `yaml:"provenance,omitempty" json:"provenance,omitempty"`
}

// Action is a kind of fan interaction that earns level points.
type Action string

// Actions.
const (
	ActionWatchMinutes Action = "watch_minutes"
	ActionLike         Action = "like"
	ActionComment      Action = "comment"
	ActionShare        Action = "share"
	ActionGift         Action = "gift"
)

// Actions lists every action in a stable order.
var Actions = []Action{ActionWatchMinutes, ActionLike, ActionComment, ActionShare, ActionGift}

// Engagement is how fans earn level points and levels.
type Engagement struct {
	// Actions gives points per unit and the daily cap for each action.
	Actions []ActionRule `yaml:"actions" json:"actions"`
	// Levels holds the level-point threshold of each level: Levels[0] is
	// level 1 and must be 0; thresholds strictly increase.
	Levels []int64 `yaml:"levels" json:"levels"`
	// LitWindow is how long after the last interaction a membership stays lit.
	LitWindow Span `yaml:"litWindow" json:"litWindow"`
	// TierMultipliers multiply earned points for members of a paid tier.
	TierMultipliers []TierMultiplier `yaml:"tierMultipliers,omitempty" json:"tierMultipliers,omitempty"`
}

// ActionRule is the reward for one action.
type ActionRule struct {
	Action Action `yaml:"action" json:"action"`
	// Points earned per unit (a minute, a like, a coin of gift value…).
	Points int64 `yaml:"points" json:"points"`
	// DailyCap is the most points the action earns per fan, club and day;
	// 0 means no cap.
	DailyCap int64 `yaml:"dailyCap" json:"dailyCap"`
}

// TierMultiplier scales earned points for members of a paid tier.
type TierMultiplier struct {
	Tier       string  `yaml:"tier" json:"tier"`
	Multiplier float64 `yaml:"multiplier" json:"multiplier"`
}

// Surface is a place in an app where a path starts.
type Surface string

// Surfaces.
const (
	SurfaceClubPage     Surface = "club_page"
	SurfaceProfile      Surface = "profile"
	SurfaceCreatorPage  Surface = "creator_page"
	SurfaceSettings     Surface = "settings"
	SurfaceLiveRoom     Surface = "live_room"
	SurfaceAccountPages Surface = "account_management"
)

// Surfaces lists the allowed surfaces.
var Surfaces = []Surface{SurfaceClubPage, SurfaceProfile, SurfaceCreatorPage, SurfaceSettings, SurfaceLiveRoom, SurfaceAccountPages}

// Challenge is a check a fan must pass to confirm an exit.
type Challenge string

// Challenges.
const (
	ChallengeConfirm  Challenge = "confirm"  // an explicit confirmation
	ChallengeSlider   Challenge = "slider"   // drag to a server-issued position
	ChallengePassword Challenge = "password" // re-authenticate (step-up)
	ChallengeCaptcha  Challenge = "captcha"  // type a server-generated image code
)

// Challenges lists the allowed challenges.
var Challenges = []Challenge{ChallengeConfirm, ChallengeSlider, ChallengePassword, ChallengeCaptcha}

// JoinRule is how a fan joins a club.
type JoinRule struct {
	// Entry is where the join path starts.
	Entry Surface `yaml:"entry" json:"entry"`
	// Path is the sequence of screens and buttons, the last being the action.
	Path []Localized `yaml:"path" json:"path"`
	// Challenges are what joining asks for (usually none).
	Challenges []Challenge `yaml:"challenges,omitempty" json:"challenges,omitempty"`
	// CostCoins is what joining costs in coins (0 for free).
	CostCoins int64 `yaml:"costCoins" json:"costCoins"`
}

// ExitRule is dimension 1: how a fan leaves.
type ExitRule struct {
	// Entry is where the exit path starts.
	Entry Surface `yaml:"entry" json:"entry"`
	// Path is the sequence of screens and buttons, the last being the action.
	Path []Localized `yaml:"path" json:"path"`
	// Challenges must all be passed, in order, to confirm the exit.
	Challenges []Challenge `yaml:"challenges" json:"challenges"`
	// ShowsImpact is true when the confirmation screen shows the impact preview.
	ShowsImpact bool `yaml:"showsImpact" json:"showsImpact"`
	// Receipt is true when a confirmed exit produces a receipt for the fan.
	Receipt bool `yaml:"receipt" json:"receipt"`
	// ClaimedTime is the exit time the source document claims (0: none).
	ClaimedTime Span `yaml:"claimedTime,omitempty" json:"claimedTime,omitempty"`
	// ChallengeTTL is how long a requested exit can be confirmed.
	ChallengeTTL Span `yaml:"challengeTTL" json:"challengeTTL"`
	// MaxAttempts is how many wrong confirmations void the request.
	MaxAttempts int `yaml:"maxAttempts" json:"maxAttempts"`
	// SliderTolerance is how far, in pixels, a slider answer may miss.
	SliderTolerance int `yaml:"sliderTolerance,omitempty" json:"sliderTolerance,omitempty"`
}

// Decay is how retained level points shrink while a fan is away.
type Decay string

// Decays.
const (
	DecayNone        Decay = "none"
	DecayLinearDaily Decay = "linear_daily" // floor(P0 × (N − d) / N) after d whole days of N
)

// Decays lists the allowed decay rules.
var Decays = []Decay{DecayNone, DecayLinearDaily}

// Restore is what a rejoin within the retention window gives back.
type Restore string

// Restores.
const (
	RestoreNone           Restore = "none"            // start again at L1 with 0 points
	RestorePoints         Restore = "points"          // the retained points; level recomputed
	RestoreLevelThreshold Restore = "level_threshold" // the kept level; points set to its threshold
)

// Restores lists the allowed restore rules.
var Restores = []Restore{RestoreNone, RestorePoints, RestoreLevelThreshold}

// ProgressRule is dimension 2: level and contribution on exit, and rejoin.
type ProgressRule struct {
	// Default names the option applied when the fan makes no choice.
	Default string `yaml:"default" json:"default"`
	// Options are the outcomes a fan may choose between at exit; a policy
	// without a choice has exactly one.
	Options []ProgressOption `yaml:"options" json:"options"`
	// RejoinCooldown is how long after an exit rejoining is refused.
	RejoinCooldown Span `yaml:"rejoinCooldown" json:"rejoinCooldown"`
}

// ProgressOption is one outcome for a member's progress at exit.
type ProgressOption struct {
	// Name identifies the option, e.g. "erase" or "keep".
	Name string `yaml:"name" json:"name"`
	// Label describes the option to the fan.
	Label Localized `yaml:"label" json:"label"`
	// Retention is how long progress stays restorable (0: lost at exit).
	Retention Span `yaml:"retention" json:"retention"`
	// Decay shrinks retained points during Retention.
	Decay Decay `yaml:"decay" json:"decay"`
	// ConvertToGeneral is the fraction of level points turned into general
	// points at exit (0..1).
	ConvertToGeneral float64 `yaml:"convertToGeneral" json:"convertToGeneral"`
	// Restore is what a rejoin within Retention gives back.
	Restore Restore `yaml:"restore" json:"restore"`
	// DeleteHistory erases the fan's engagement history in the club at exit.
	DeleteHistory bool `yaml:"deleteHistory" json:"deleteHistory"`
}

// Option returns the progress option with the given name ("" for the default).
func (r ProgressRule) Option(name string) (ProgressOption, bool) {
	if name == "" {
		name = r.Default
	}
	for _, o := range r.Options {
		if o.Name == name {
			return o, true
		}
	}
	return ProgressOption{}, false
}

package export

import (
	"strconv"
	"time"

	"fanclub"
)

// Tables lists the export's tables in the order they are written.
var Tables = []string{"memberships", "points", "purchases", "subscriptions", "gifts", "interactions", "receipts"}

// Header is what an export says about itself and the fan.
type Header struct {
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	Schema     string    `json:"schema"`
	Instance   string    `json:"instance"`
	KeyID      string    `json:"key_id"`
	ExportedAt time.Time `json:"exported_at"`
	Fan        Fan       `json:"fan"`
	Clubs      []Club    `json:"clubs"`
	// Withheld are the fan's clubs whose policy offers no export in this
	// format.
	Withheld []fanclub.WithheldClub `json:"withheld"`
}

// Format names and the version this package writes.
const (
	FormatName = "fanclub-export"
	Version    = 1
	SchemaPath = "/v1/schemas/export.json"
)

// Fan is the exported account.
type Fan struct {
	ID        int64     `json:"id"`
	Handle    string    `json:"handle"`
	CreatedAt time.Time `json:"created_at"`
}

// Club is a club whose records the export holds.
type Club struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	CreatorID     int64  `json:"creator_id"`
	Policy        string `json:"policy"`
	PolicyVersion string `json:"policy_version"`
}

// Membership is one row of the memberships table.
type Membership struct {
	ClubID            int64                    `json:"club_id"`
	Status            fanclub.MembershipStatus `json:"status"`
	Level             int                      `json:"level"`
	LevelPoints       int64                    `json:"level_points"`
	JoinedAt          time.Time                `json:"joined_at"`
	LastInteractionAt time.Time                `json:"last_interaction_at"`
	LeftAt            *time.Time               `json:"left_at"`
	Exits             int                      `json:"exits"`
	// Retained is the progress the fan's last exit kept for a rejoin
	// (null: none). A document written before this member existed has
	// none, which reads as null.
	Retained *Retained `json:"retained"`
}

// Retained is the progress an exit left restorable by a rejoin
// (fanclub.Retained): the progress option applied, the level points at
// the exit before any decay, the level kept, until when (null: for
// ever), how the points decay, and what a rejoin restores.
type Retained struct {
	Option    string          `json:"option"`
	Points    int64           `json:"points"`
	Level     int             `json:"level"`
	Until     *time.Time      `json:"until"`
	Forever   bool            `json:"forever"`
	Decay     fanclub.Decay   `json:"decay"`
	DecayDays int             `json:"decay_days"`
	Restore   fanclub.Restore `json:"restore"`
}

// Point is one row of the points table: a general points entry.
type Point struct {
	ID     int64     `json:"id"`
	Delta  int64     `json:"delta"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// Purchase is one row of the purchases table: a charge or refund.
type Purchase struct {
	ID        int64                 `json:"id"`
	ClubID    int64                 `json:"club_id"`
	Kind      fanclub.PaymentKind   `json:"kind"`
	Purpose   string                `json:"purpose"`
	Amount    int64                 `json:"amount"`
	Currency  string                `json:"currency"`
	Coins     int64                 `json:"coins"`
	Status    fanclub.PaymentStatus `json:"status"`
	CreatedAt time.Time             `json:"created_at"`
	SettledAt *time.Time            `json:"settled_at"`
}

// Subscription is one row of the subscriptions table.
type Subscription struct {
	ID            int64                      `json:"id"`
	ClubID        int64                      `json:"club_id"`
	Tier          string                     `json:"tier"`
	Plan          fanclub.Plan               `json:"plan"`
	Price         int64                      `json:"price"`
	Currency      string                     `json:"currency"`
	Status        fanclub.SubscriptionStatus `json:"status"`
	AutoRenew     bool                       `json:"auto_renew"`
	PeriodStart   time.Time                  `json:"period_start"`
	PeriodEnd     time.Time                  `json:"period_end"`
	BenefitsUntil time.Time                  `json:"benefits_until"`
	CreatedAt     time.Time                  `json:"created_at"`
}

// Gift is one row of the gifts table.
type Gift struct {
	ID       int64     `json:"id"`
	ClubID   int64     `json:"club_id"`
	Coins    int64     `json:"coins"`
	Value    int64     `json:"value"`
	Currency string    `json:"currency"`
	Points   int64     `json:"points"`
	EventID  string    `json:"event_id"`
	At       time.Time `json:"at"`
}

// Interaction is one row of the interactions table: an event of the
// behaviour log.
type Interaction struct {
	ID     string         `json:"id"`
	ClubID int64          `json:"club_id"`
	Action fanclub.Action `json:"action"`
	Amount int64          `json:"amount"`
	At     time.Time      `json:"at"`
}

// Receipt is one row of the receipts table: a deletion receipt (which
// category of data, what was done to it — erase, hold, anonymise — how
// many records, how many the policy kept, when, until when a hold lasts,
// under which rule and basis; never the data).
type Receipt struct {
	At       time.Time `json:"at"`
	ClubID   int64     `json:"club_id"`
	Category string    `json:"category"`
	Action   string    `json:"action"`
	Count    int64     `json:"count"`
	// Kept is how many records of the category the action left in place
	// because the policy keeps them (fanclub.DeletionReceipt.Kept). A
	// document written before this member existed reads as 0.
	Kept  int64      `json:"kept"`
	Until *time.Time `json:"until"`
	Rule  string     `json:"rule"`
	Basis string     `json:"basis"`
}

// optTime returns nil for the zero time.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func membershipOf(m *fanclub.Membership) Membership {
	return Membership{ClubID: m.ClubID, Status: m.Status, Level: m.Level, LevelPoints: m.LevelPoints, JoinedAt: m.JoinedAt,
		LastInteractionAt: m.LastInteractionAt, LeftAt: optTime(m.LeftAt), Exits: m.Exits, Retained: retainedOf(m.Retained)}
}

// retainedOf is a membership's kept progress as exported (nil: none).
func retainedOf(r *fanclub.Retained) *Retained {
	if r == nil {
		return nil
	}
	out := &Retained{Option: r.Option, Points: r.Points, Level: r.Level, Forever: r.Forever, Decay: r.Decay, DecayDays: r.DecayDays,
		Restore: r.Restore}
	if !r.Forever {
		out.Until = optTime(r.Until)
	}
	return out
}

// keptProgress is the exported kept progress as the engine holds it.
func (r *Retained) keptProgress() *fanclub.Retained {
	if r == nil {
		return nil
	}
	out := &fanclub.Retained{Option: r.Option, Points: r.Points, Level: r.Level, Forever: r.Forever, Decay: r.Decay,
		DecayDays: r.DecayDays, Restore: r.Restore}
	if r.Until != nil {
		out.Until = r.Until.UTC()
	}
	return out
}

func purchaseOf(p *fanclub.Payment) Purchase {
	return Purchase{ID: p.ID, ClubID: p.ClubID, Kind: p.Kind, Purpose: p.Purpose, Amount: p.Amount, Currency: p.Currency,
		Coins: p.Coins, Status: p.Status, CreatedAt: p.CreatedAt, SettledAt: p.SettledAt}
}

func subscriptionOf(s *fanclub.Subscription) Subscription {
	return Subscription{ID: s.ID, ClubID: s.ClubID, Tier: s.Tier, Plan: s.Plan, Price: s.Price, Currency: s.Currency,
		Status: s.Status, AutoRenew: s.AutoRenew, PeriodStart: s.PeriodStart, PeriodEnd: s.PeriodEnd,
		BenefitsUntil: s.BenefitsUntil, CreatedAt: s.CreatedAt}
}

func giftOf(g *fanclub.Gift) Gift {
	return Gift{ID: g.ID, ClubID: g.ClubID, Coins: g.Coins, Value: g.Value, Currency: g.Currency, Points: g.Points,
		EventID: g.EventID, At: g.At}
}

func receiptOf(r fanclub.DeletionReceipt) Receipt {
	return Receipt{At: r.At, ClubID: r.ClubID, Category: string(r.Category), Action: r.Action, Count: r.Count, Kept: r.Kept, Until: r.Until,
		Rule: r.Rule, Basis: r.Basis}
}

func interactionOf(e fanclub.Event) Interaction {
	return Interaction{ID: e.ID, ClubID: e.ClubID, Action: e.Action, Amount: e.Amount, At: e.At}
}

// csvTime renders a time for CSV (RFC 3339 with nanoseconds; "" for none).
func csvTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// csvHeader is the column row of each CSV file.
var csvHeader = map[string][]string{
	"memberships": {"club_id", "status", "level", "level_points", "joined_at", "last_interaction_at", "left_at", "exits",
		"retained_option", "retained_points", "retained_level", "retained_until", "retained_forever", "retained_decay",
		"retained_decay_days", "retained_restore"},
	"points":        {"id", "delta", "reason", "at"},
	"purchases":     {"id", "club_id", "kind", "purpose", "amount", "currency", "coins", "status", "created_at", "settled_at"},
	"subscriptions": {"id", "club_id", "tier", "plan", "price", "currency", "status", "auto_renew", "period_start", "period_end", "benefits_until", "created_at"},
	"gifts":         {"id", "club_id", "coins", "value", "currency", "points", "event_id", "at"},
	"interactions":  {"id", "club_id", "action", "amount", "at"},
	"receipts":      {"at", "club_id", "category", "action", "count", "kept", "until", "rule", "basis"},
}

// csvRow renders a record as a CSV row in csvHeader's column order.
func csvRow(rec any) []string {
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	switch r := rec.(type) {
	case Membership:
		row := []string{i(r.ClubID), string(r.Status), i(int64(r.Level)), i(r.LevelPoints), csvTime(&r.JoinedAt),
			csvTime(&r.LastInteractionAt), csvTime(r.LeftAt), i(int64(r.Exits))}
		if k := r.Retained; k != nil {
			return append(row, k.Option, i(k.Points), i(int64(k.Level)), csvTime(k.Until), strconv.FormatBool(k.Forever), string(k.Decay),
				i(int64(k.DecayDays)), string(k.Restore))
		}
		return append(row, "", "", "", "", "", "", "", "")
	case Point:
		return []string{i(r.ID), i(r.Delta), r.Reason, csvTime(&r.At)}
	case Purchase:
		return []string{i(r.ID), i(r.ClubID), string(r.Kind), r.Purpose, i(r.Amount), r.Currency, i(r.Coins), string(r.Status),
			csvTime(&r.CreatedAt), csvTime(r.SettledAt)}
	case Subscription:
		return []string{i(r.ID), i(r.ClubID), r.Tier, string(r.Plan), i(r.Price), r.Currency, string(r.Status),
			strconv.FormatBool(r.AutoRenew), csvTime(&r.PeriodStart), csvTime(&r.PeriodEnd), csvTime(&r.BenefitsUntil), csvTime(&r.CreatedAt)}
	case Gift:
		return []string{i(r.ID), i(r.ClubID), i(r.Coins), i(r.Value), r.Currency, i(r.Points), r.EventID, csvTime(&r.At)}
	case Interaction:
		return []string{r.ID, i(r.ClubID), string(r.Action), i(r.Amount), csvTime(&r.At)}
	case Receipt:
		return []string{csvTime(&r.At), i(r.ClubID), r.Category, r.Action, i(r.Count), i(r.Kept), csvTime(r.Until), r.Rule, r.Basis}
	}
	panic("export: no CSV row for a record of another type")
}

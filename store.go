package fanclub

import (
	"context"
	"time"
)

// Store opens transactions on a persistent store. Each transaction carries
// the time it started, read from the store's injected clock; domain code
// uses that time instead of the wall clock.
type Store interface {
	// BeginTx starts a transaction. Write transactions are serializable:
	// a store either runs them one at a time (SQLite: BEGIN IMMEDIATE) or
	// fails one of two that conflict, at any call or at Commit, with an
	// error IsRetryable recognises, keeping nothing of it (PostgreSQL at
	// SERIALIZABLE); the caller then runs the transaction again
	// (Engine.inTx). A store may also offer locking write transactions
	// for the ingest path (LockingStore), which wait on row locks instead.
	BeginTx(ctx context.Context, write bool) (Tx, error)
	// Close releases the store.
	Close() error
}

// Tx is one transaction. Finders return an *Error with code ENOTFOUND when
// nothing matches; they never return nil, nil. Rollback after Commit is a
// no-op, so callers may always defer it.
type Tx interface {
	// Now is the transaction's time.
	Now() time.Time
	Commit() error
	Rollback() error

	CreateFan(ctx context.Context, f *Fan) error
	FindFanByID(ctx context.Context, id int64) (*Fan, error)
	FindFanByHandle(ctx context.Context, handle string) (*Fan, error)

	CreateCreator(ctx context.Context, c *Creator) error
	FindCreatorByID(ctx context.Context, id int64) (*Creator, error)

	CreateClub(ctx context.Context, c *Club) error
	FindClubByID(ctx context.Context, id int64) (*Club, error)
	// ListClubs lists clubs by id; creatorID 0 lists all.
	ListClubs(ctx context.Context, creatorID int64) ([]*Club, error)

	// FindMembership returns ENOTFOUND when the fan never joined the club.
	FindMembership(ctx context.Context, fanID, clubID int64) (*Membership, error)
	// FindMemberships returns the memberships that exist among keys.
	FindMemberships(ctx context.Context, keys []MemberKey) (map[MemberKey]*Membership, error)
	// ListMemberships lists a fan's memberships (clubID 0) or a club's (fanID 0).
	ListMemberships(ctx context.Context, fanID, clubID int64) ([]*Membership, error)
	// SaveMemberships inserts or replaces memberships.
	SaveMemberships(ctx context.Context, ms []*Membership) error

	// DailyPoints returns the stored counters among keys (missing ones are 0).
	DailyPoints(ctx context.Context, keys []CounterKey) (map[CounterKey]int64, error)
	// AddDailyPoints adds to counters, creating them as needed; each sum
	// is bounded like AddPoints. A delta beyond ±MaxPoints may be clamped
	// to it first (the engine's deltas, AddPoints sums, never are).
	AddDailyPoints(ctx context.Context, deltas map[CounterKey]int64) error
	// DeleteHistory erases a fan's engagement history in a club (daily counters).
	DeleteHistory(ctx context.Context, fanID, clubID int64) error

	// InsertEvents appends events to the behaviour log, skipping ids already
	// stored; fresh[i] reports whether events[i] was new. An id is
	// recognised for at least the store's dedupe window after its event's
	// time (DefaultDedupeWindow) and may be forgotten afterwards.
	InsertEvents(ctx context.Context, events []Event) (fresh []bool, err error)
	// ListEvents lists a fan's events in a club, oldest first.
	ListEvents(ctx context.Context, fanID, clubID int64) ([]Event, error)

	// AddGeneralPoints books a change to a fan's general points; key makes
	// it idempotent (a second entry with the same key is ignored).
	AddGeneralPoints(ctx context.Context, fanID int64, delta int64, reason, key string) error
	// GeneralPoints is the fan's balance, derived from the entries with
	// SumPoints (bounded; never an overflow error).
	GeneralPoints(ctx context.Context, fanID int64) (int64, error)

	InsertEffects(ctx context.Context, effects []Effect) error
	// ListEffects lists a fan's effects that have not ended by at.
	ListEffects(ctx context.Context, fanID int64, at time.Time) ([]Effect, error)
	// EndRejoinEffects ends, at at, a fan's effects in a club that end on rejoin.
	EndRejoinEffects(ctx context.Context, fanID, clubID int64, at time.Time) error

	CreateExitRequest(ctx context.Context, r *ExitRequest) error
	FindExitRequest(ctx context.Context, id string) (*ExitRequest, error)
	UpdateExitRequest(ctx context.Context, r *ExitRequest) error

	// FindBatch returns the stored result of a producer's batch (ENOTFOUND if
	// unseen). A result is kept for at least the dedupe window after it
	// was saved (DefaultDedupeWindow) and may be gone afterwards.
	FindBatch(ctx context.Context, producer string, seq int64) (*BatchResult, error)
	SaveBatch(ctx context.Context, producer string, seq int64, r *BatchResult) error

	CreateToken(ctx context.Context, t *Token) error
	FindToken(ctx context.Context, hash string) (*Token, error)
	IdempotencyTx
	SubscriptionTx
	TokenTx
	ExitRequestTx
	PageTx
	MemberCountTx
	LedgerTx
	JobTx
	PaymentRecordTx
	PaymentTx
	GiftTx
	NotificationTx
	MinorsTx
	ExportTx
	SigningKeyTx
	ImportTx
	PrivacyTx
	EventPurgeTx
	RevenueTx
}

// Batch is a batch of interaction events from one producer. Producer and
// Seq, when set, make the whole batch idempotent: a retried batch returns
// the stored result. Each event id is also idempotent on its own.
type Batch struct {
	Producer string       `json:"producer,omitempty"`
	Seq      int64        `json:"seq,omitempty"`
	Events   []EventInput `json:"events"`
}

// EventInput is one interaction in a batch.
type EventInput struct {
	ID     string `json:"id"`
	FanID  int64  `json:"fan_id"`
	ClubID int64  `json:"club_id"`
	Action Action `json:"action"`
	// Amount defaults to 1.
	Amount int64 `json:"amount,omitempty"`
	// At defaults to the transaction's time.
	At *time.Time `json:"at,omitempty"`
	// DeviceID, when set, is a sighting of the fan's device (PrivacyTx).
	DeviceID string `json:"device_id,omitempty"`
}

// BatchResult is what a batch did, event by event.
type BatchResult struct {
	Accepted   int           `json:"accepted"`
	Duplicates int           `json:"duplicates"`
	Rejected   int           `json:"rejected"`
	Results    []EventResult `json:"results,omitempty"`
}

// EventResult is the outcome of one event: "accepted", "duplicate" or
// "rejected" (with an error code), and the level points it earned.
type EventResult struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Code   string `json:"code,omitempty"`
	Points int64  `json:"points"`
}

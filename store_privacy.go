package fanclub

import (
	"context"
	"time"
)

// PrivacyTx stores the personal data dimension 5 governs besides the
// behaviour log: device identifiers, follows, deletion receipts, and the
// anonymisation of transaction records when a legal hold ends.
type PrivacyTx interface {
	// SeeDevices records device sightings in order. A sighting with a
	// ClubID stores (fan, club, device) live, first and last seen at its
	// time, or, when stored already, makes it live and moves its last
	// seen forward (never back). Every sighting then moves forward the
	// last seen of the fan's other records of the device that are live
	// or refreshed (DeviceRefreshed); frozen records stay as they are.
	SeeDevices(ctx context.Context, sightings []DeviceSighting) error
	// ListDevices lists a fan's device records in a club (clubID 0: in
	// every club), by club then device id.
	ListDevices(ctx context.Context, fanID, clubID int64) ([]Device, error)
	// SetDeviceState sets the state of a fan's device records in a club.
	SetDeviceState(ctx context.Context, fanID, clubID int64, state DeviceState) error
	// DeleteDevices deletes a fan's device records in a club (clubID 0:
	// in every club) and returns how many went.
	DeleteDevices(ctx context.Context, fanID, clubID int64) (int64, error)

	// SaveFollow records that a fan follows a creator since at; it
	// returns false, changing nothing, when the fan follows already.
	SaveFollow(ctx context.Context, fanID, creatorID int64, at time.Time) (bool, error)
	// DeleteFollow removes a follow; it returns false when there was none.
	DeleteFollow(ctx context.Context, fanID, creatorID int64) (bool, error)
	// ListFollows lists the creators a fan follows, by creator id.
	ListFollows(ctx context.Context, fanID int64) ([]Follow, error)

	// AddReceipts stores deletion receipts and sets their IDs.
	AddReceipts(ctx context.Context, rs []*DeletionReceipt) error
	// ListReceipts lists a fan's deletion receipts, oldest first.
	ListReceipts(ctx context.Context, fanID int64) ([]DeletionReceipt, error)

	// AnonymiseTransactions replaces the fan id of a fan's payments and
	// gifts with pseudonym (a negative number) and their idempotency keys,
	// which name the fan, with "anonymised/<row id>"; it returns how many
	// records changed. Ledger transfers and balances are not touched.
	AnonymiseTransactions(ctx context.Context, fanID, pseudonym int64) (int64, error)

	// EraseFan erases a fan's account identity: the handle becomes
	// ErasedHandle(id) ("erased:<id>", which no other account can hold)
	// and the password hash empty (no login matches it), every live
	// session token of the fan is revoked, the fan's notifications (with
	// their webhook deliveries) are deleted, and so are the fan's birth
	// date record (birth date, verification method, verifier reference)
	// and imported histories. The fan's row stays, as other records refer
	// to its id. It returns how many records of each category went or
	// changed; ENOTFOUND for an unknown fan.
	EraseFan(ctx context.Context, fanID int64) (FanErasure, error)
}

// FanErasure is what EraseFan erased, by category (DataAccount, DataAge,
// DataImports).
type FanErasure struct {
	// Account counts the fan's row (handle and password erased), the
	// tokens revoked and the notifications deleted.
	Account int64
	// Age counts the birth date records deleted (0 or 1).
	Age int64
	// Imports counts the imported histories deleted.
	Imports int64
}

// DeviceState is how a stored device record reacts to later sightings.
type DeviceState string

// Device states.
const (
	// DeviceLive: the membership is active; every sighting moves last seen.
	DeviceLive DeviceState = "live"
	// DeviceRefreshed: kept after an exit under deviceIds: refresh; every
	// later sighting still moves last seen.
	DeviceRefreshed DeviceState = "refresh"
	// DeviceFrozen: kept after an exit as it was (deviceIds: keep), or
	// awaiting a deferred erasure; sightings leave it alone.
	DeviceFrozen DeviceState = "frozen"
)

// Device is a device identifier recorded for a fan in a club.
type Device struct {
	FanID     int64       `json:"fan_id"`
	ClubID    int64       `json:"club_id"`
	DeviceID  string      `json:"device_id"`
	FirstSeen time.Time   `json:"first_seen"`
	LastSeen  time.Time   `json:"last_seen"`
	State     DeviceState `json:"state"`
}

// DeviceSighting is one sighting of a fan's device: at a login (ClubID 0:
// the engine adds one sighting per active membership) or in an event.
type DeviceSighting struct {
	FanID    int64
	ClubID   int64
	DeviceID string
	At       time.Time
}

// Follow is a fan following a creator.
type Follow struct {
	FanID     int64     `json:"fan_id"`
	CreatorID int64     `json:"creator_id"`
	At        time.Time `json:"at"`
}

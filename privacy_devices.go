package fanclub

import (
	"context"
	"fmt"
	"time"
)

// MaxDeviceIDLen is the longest device identifier, in bytes.
const MaxDeviceIDLen = 128

// CheckDeviceID checks a device identifier (empty: none) under path.
func CheckDeviceID(id, path string) *FieldError {
	if len(id) > MaxDeviceIDLen {
		return &FieldError{Path: path, Found: fmt.Sprintf("%d bytes", len(id)), Allowed: "at most 128 bytes", Message: "device id too long"}
	}
	return nil
}

// seeLoginDevice records a login's device sighting in tx: a live record
// in every club where the fan is an active member, and a later sighting
// for the fan's kept records that are refreshed.
func seeLoginDevice(ctx context.Context, tx Tx, fanID int64, deviceID string, at time.Time) error {
	ms, err := tx.ListMemberships(ctx, fanID, 0)
	if err != nil {
		return fmt.Errorf("list memberships: %w", err)
	}
	sightings := make([]DeviceSighting, 0, len(ms)+1)
	for _, m := range ms {
		if m.Status == StatusActive {
			sightings = append(sightings, DeviceSighting{FanID: fanID, ClubID: m.ClubID, DeviceID: deviceID, At: at})
		}
	}
	if len(sightings) == 0 {
		sightings = append(sightings, DeviceSighting{FanID: fanID, DeviceID: deviceID, At: at})
	}
	if err := tx.SeeDevices(ctx, sightings); err != nil {
		return fmt.Errorf("see devices: %w", err)
	}
	return nil
}

// eventSightings returns the device sightings of a batch's accepted
// events that carry a device id; nil (and no allocation) when none does.
func eventSightings(b Batch, res *BatchResult, work []ingestWork) []DeviceSighting {
	var out []DeviceSighting
	for i := range b.Events {
		ev := &b.Events[i]
		if ev.DeviceID == "" || res.Results[i].Status != EventAccepted {
			continue
		}
		out = append(out, DeviceSighting{FanID: ev.FanID, ClubID: ev.ClubID, DeviceID: ev.DeviceID, At: work[i].at})
	}
	return out
}

// Follow has a fan follow a creator (idempotent: following again keeps
// the first time) and returns the follow.
func (e *Engine) Follow(ctx context.Context, fanID, creatorID int64) (*Follow, error) {
	var f *Follow
	err := e.inTx(ctx, true, func(tx Tx) error {
		if _, err := tx.FindCreatorByID(ctx, creatorID); err != nil {
			return fmt.Errorf("find creator %d: %w", creatorID, err)
		}
		if _, err := tx.SaveFollow(ctx, fanID, creatorID, tx.Now()); err != nil {
			return fmt.Errorf("save follow: %w", err)
		}
		fs, err := tx.ListFollows(ctx, fanID)
		if err != nil {
			return fmt.Errorf("list follows: %w", err)
		}
		for i := range fs {
			if fs[i].CreatorID == creatorID {
				f = &fs[i]
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Unfollow removes a fan's follow of a creator; unfollowing a creator
// the fan does not follow changes nothing.
func (e *Engine) Unfollow(ctx context.Context, fanID, creatorID int64) error {
	return e.inTx(ctx, true, func(tx Tx) error {
		if _, err := tx.FindCreatorByID(ctx, creatorID); err != nil {
			return fmt.Errorf("find creator %d: %w", creatorID, err)
		}
		_, err := tx.DeleteFollow(ctx, fanID, creatorID)
		return err
	})
}

// PersonalData is what the engine holds of a fan in a club under
// dimension 5: the stored events, the device records, whether the fan
// follows the club's creator, and the fan's deletion receipts.
type PersonalData struct {
	Events    int               `json:"events"`
	Devices   []Device          `json:"devices"`
	Following bool              `json:"following"`
	Receipts  []DeletionReceipt `json:"receipts"`
}

// PersonalDataIn reads a fan's personal data in a club (receipts: all the
// fan's, oldest first).
func (e *Engine) PersonalDataIn(ctx context.Context, fanID, clubID int64) (*PersonalData, error) {
	var d PersonalData
	err := e.inTx(ctx, false, func(tx Tx) error {
		c, err := tx.FindClubByID(ctx, clubID)
		if err != nil {
			return fmt.Errorf("find club %d: %w", clubID, err)
		}
		evs, err := tx.ListEvents(ctx, fanID, clubID)
		if err != nil {
			return fmt.Errorf("list events: %w", err)
		}
		d.Events = len(evs)
		if d.Devices, err = tx.ListDevices(ctx, fanID, clubID); err != nil {
			return fmt.Errorf("list devices: %w", err)
		}
		fs, err := tx.ListFollows(ctx, fanID)
		if err != nil {
			return fmt.Errorf("list follows: %w", err)
		}
		for _, f := range fs {
			d.Following = d.Following || f.CreatorID == c.CreatorID
		}
		d.Receipts, err = tx.ListReceipts(ctx, fanID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// Receipts lists a fan's deletion receipts, oldest first.
func (e *Engine) Receipts(ctx context.Context, fanID int64) ([]DeletionReceipt, error) {
	var rs []DeletionReceipt
	err := e.inTx(ctx, false, func(tx Tx) (err error) {
		rs, err = tx.ListReceipts(ctx, fanID)
		return err
	})
	return rs, err
}

package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"fanclub"
)

// SeeDevices records device sightings (see fanclub.PrivacyTx).
func (t *Tx) SeeDevices(ctx context.Context, sightings []fanclub.DeviceSighting) error {
	for _, s := range sightings {
		at := ts(s.At)
		if s.ClubID != 0 {
			if _, err := t.exec(ctx, "device", qSeeDeviceInClub, s.FanID, s.ClubID, s.DeviceID, at); err != nil {
				return err
			}
		}
		if _, err := t.exec(ctx, "device", qSeeDevice, s.FanID, s.DeviceID, at); err != nil {
			return err
		}
	}
	return nil
}

// ListDevices lists a fan's device records in a club (0: every club).
func (t *Tx) ListDevices(ctx context.Context, fanID, clubID int64) ([]fanclub.Device, error) {
	return collect(t, ctx, "devices", qListDevices, []any{fanID, clubID}, func(r pgx.Rows) (fanclub.Device, error) {
		var d fanclub.Device
		var first, last int64
		var state string
		err := r.Scan(&d.FanID, &d.ClubID, &d.DeviceID, &first, &last, &state)
		d.FirstSeen, d.LastSeen, d.State = fromTS(first), fromTS(last), fanclub.DeviceState(state)
		return d, err
	})
}

// SetDeviceState sets the state of a fan's device records in a club.
func (t *Tx) SetDeviceState(ctx context.Context, fanID, clubID int64, state fanclub.DeviceState) error {
	_, err := t.exec(ctx, "devices", qSetDeviceState, fanID, clubID, string(state))
	return err
}

// DeleteDevices deletes a fan's device records in a club (0: every club).
func (t *Tx) DeleteDevices(ctx context.Context, fanID, clubID int64) (int64, error) {
	tag, err := t.exec(ctx, "devices", qDeleteDevices, fanID, clubID)
	return tag.RowsAffected(), err
}

// SaveFollow records a follow; false when it exists already.
func (t *Tx) SaveFollow(ctx context.Context, fanID, creatorID int64, at time.Time) (bool, error) {
	tag, err := t.exec(ctx, "follow", qSaveFollow, fanID, creatorID, ts(at))
	return tag.RowsAffected() > 0, err
}

// DeleteFollow removes a follow; false when there was none.
func (t *Tx) DeleteFollow(ctx context.Context, fanID, creatorID int64) (bool, error) {
	tag, err := t.exec(ctx, "follow", qDeleteFollow, fanID, creatorID)
	return tag.RowsAffected() > 0, err
}

// ListFollows lists the creators a fan follows.
func (t *Tx) ListFollows(ctx context.Context, fanID int64) ([]fanclub.Follow, error) {
	return collect(t, ctx, "follows", qListFollows, []any{fanID}, func(r pgx.Rows) (fanclub.Follow, error) {
		var f fanclub.Follow
		var at int64
		err := r.Scan(&f.FanID, &f.CreatorID, &at)
		f.At = fromTS(at)
		return f, err
	})
}

// AddReceipts stores deletion receipts and sets their IDs.
func (t *Tx) AddReceipts(ctx context.Context, rs []*fanclub.DeletionReceipt) error {
	for _, r := range rs {
		var until int64
		if r.Until != nil {
			until = ts(*r.Until)
		}
		if err := t.queryRow(ctx, "deletion receipt", qAddReceipt, []any{r.FanID, r.ClubID, string(r.Category), r.Action, r.Count, r.Kept,
			ts(r.At), until, r.Rule, r.Basis}, &r.ID); err != nil {
			return err
		}
	}
	return nil
}

// ListReceipts lists a fan's deletion receipts, oldest first.
func (t *Tx) ListReceipts(ctx context.Context, fanID int64) ([]fanclub.DeletionReceipt, error) {
	return collect(t, ctx, "deletion receipts", qListReceipts, []any{fanID}, func(rows pgx.Rows) (fanclub.DeletionReceipt, error) {
		var r fanclub.DeletionReceipt
		var at, until int64
		var category string
		if err := rows.Scan(&r.ID, &r.FanID, &r.ClubID, &category, &r.Action, &r.Count, &r.Kept, &at, &until, &r.Rule, &r.Basis); err != nil {
			return r, err
		}
		r.Category, r.At = fanclub.DataCategory(category), fromTS(at)
		if until != 0 {
			u := fromTS(until)
			r.Until = &u
		}
		return r, nil
	})
}

// AnonymiseTransactions gives a fan's payments and gifts a pseudonym.
func (t *Tx) AnonymiseTransactions(ctx context.Context, fanID, pseudonym int64) (int64, error) {
	var total int64
	for _, q := range []string{qAnonymisePayments, qAnonymiseGifts} {
		tag, err := t.exec(ctx, "anonymise transactions", q, fanID, pseudonym)
		if err != nil {
			return 0, err
		}
		total += tag.RowsAffected()
	}
	return total, nil
}

// EraseFan erases a fan's account identity (see fanclub.PrivacyTx).
func (t *Tx) EraseFan(ctx context.Context, fanID int64) (fanclub.FanErasure, error) {
	var out fanclub.FanErasure
	tag, err := t.exec(ctx, "erase fan", qEraseFan, fanID, fanclub.ErasedHandle(fanID))
	if err != nil {
		return out, err
	}
	if tag.RowsAffected() == 0 {
		return out, fanclub.Errorf(fanclub.ENOTFOUND, "Fan %d not found.", fanID)
	}
	out.Account = tag.RowsAffected()
	steps := []struct {
		what, q string
		args    []any
		count   *int64
	}{
		{"revoke tokens", qRevokeFanTokens, []any{fanID, ts(t.now)}, &out.Account},
		{"webhook deliveries", qDeleteFanDeliveries, []any{fanID}, nil},
		{"notifications", qDeleteFanNotifications, []any{fanID}, &out.Account},
		{"fan age", qDeleteFanAge, []any{fanID}, &out.Age},
		{"imports", qDeleteFanImports, []any{fanID}, &out.Imports},
	}
	for _, s := range steps {
		tag, err := t.exec(ctx, s.what, s.q, s.args...)
		if err != nil {
			return fanclub.FanErasure{}, err
		}
		if s.count != nil {
			*s.count += tag.RowsAffected()
		}
	}
	return out, nil
}

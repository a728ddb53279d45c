package sqlite

import (
	"context"
	"time"

	"fanclub"
)

// SeeDevices records device sightings (see fanclub.PrivacyTx). The two
// statements are prepared once per call: a batch may carry many sightings.
func (t *Tx) SeeDevices(ctx context.Context, sightings []fanclub.DeviceSighting) error {
	if len(sightings) == 0 {
		return nil
	}
	stx, err := t.sqlTx(ctx)
	if err != nil {
		return err
	}
	upsert, err := stx.PrepareContext(ctx, `INSERT INTO devices(fan_id, club_id, device_id, first_seen, last_seen, state) VALUES (?, ?, ?, ?, ?, 'live')
 ON CONFLICT(fan_id, club_id, device_id) DO UPDATE SET state = 'live', last_seen = max(last_seen, excluded.last_seen)`)
	if err != nil {
		return wrap("device", err)
	}
	defer upsert.Close()
	refresh, err := stx.PrepareContext(ctx, `UPDATE devices SET last_seen = ? WHERE fan_id = ? AND device_id = ? AND state IN ('live', 'refresh') AND last_seen < ?`)
	if err != nil {
		return wrap("device", err)
	}
	defer refresh.Close()
	for _, s := range sightings {
		at := ts(s.At)
		if s.ClubID != 0 {
			if _, err := upsert.ExecContext(ctx, s.FanID, s.ClubID, s.DeviceID, at, at); err != nil {
				return wrap("device", err)
			}
		}
		if _, err := refresh.ExecContext(ctx, at, s.FanID, s.DeviceID, at); err != nil {
			return wrap("device", err)
		}
	}
	return nil
}

// scanDevice scans a devices row.
func scanDevice(s scanner) (fanclub.Device, error) {
	var d fanclub.Device
	var first, last int64
	if err := s.Scan(&d.FanID, &d.ClubID, &d.DeviceID, &first, &last, &d.State); err != nil {
		return d, err
	}
	d.FirstSeen, d.LastSeen = fromTS(first), fromTS(last)
	return d, nil
}

// ListDevices lists a fan's device records in a club (0: every club).
func (t *Tx) ListDevices(ctx context.Context, fanID, clubID int64) ([]fanclub.Device, error) {
	return queryAll(ctx, t, "devices", scanDevice, `SELECT fan_id, club_id, device_id, first_seen, last_seen, state FROM devices
 WHERE fan_id = ? AND (? = 0 OR club_id = ?) ORDER BY club_id, device_id`, fanID, clubID, clubID)
}

// SetDeviceState sets the state of a fan's device records in a club.
func (t *Tx) SetDeviceState(ctx context.Context, fanID, clubID int64, state fanclub.DeviceState) error {
	_, err := t.affected(ctx, "devices", `UPDATE devices SET state = ? WHERE fan_id = ? AND club_id = ?`, state, fanID, clubID)
	return err
}

// DeleteDevices deletes a fan's device records in a club (0: every club).
func (t *Tx) DeleteDevices(ctx context.Context, fanID, clubID int64) (int64, error) {
	return t.affected(ctx, "devices", `DELETE FROM devices WHERE fan_id = ? AND (? = 0 OR club_id = ?)`, fanID, clubID, clubID)
}

// SaveFollow records a follow; false when it exists already.
func (t *Tx) SaveFollow(ctx context.Context, fanID, creatorID int64, at time.Time) (bool, error) {
	n, err := t.affected(ctx, "follow", `INSERT INTO follows(fan_id, creator_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, fanID, creatorID, ts(at))
	return n > 0, err
}

// DeleteFollow removes a follow; false when there was none.
func (t *Tx) DeleteFollow(ctx context.Context, fanID, creatorID int64) (bool, error) {
	n, err := t.affected(ctx, "follow", `DELETE FROM follows WHERE fan_id = ? AND creator_id = ?`, fanID, creatorID)
	return n > 0, err
}

// ListFollows lists the creators a fan follows.
func (t *Tx) ListFollows(ctx context.Context, fanID int64) ([]fanclub.Follow, error) {
	return queryAll(ctx, t, "follows", func(s scanner) (fanclub.Follow, error) {
		var f fanclub.Follow
		var at int64
		err := s.Scan(&f.FanID, &f.CreatorID, &at)
		f.At = fromTS(at)
		return f, err
	}, `SELECT fan_id, creator_id, at FROM follows WHERE fan_id = ? ORDER BY creator_id`, fanID)
}

// AddReceipts stores deletion receipts and sets their IDs.
func (t *Tx) AddReceipts(ctx context.Context, rs []*fanclub.DeletionReceipt) error {
	for _, r := range rs {
		var until int64
		if r.Until != nil {
			until = ts(*r.Until)
		}
		if err := t.queryRow(ctx, `INSERT INTO deletion_receipts(fan_id, club_id, category, action, count, kept, at, until, rule, basis)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.FanID, r.ClubID, r.Category, r.Action, r.Count, r.Kept, ts(r.At), until, r.Rule, r.Basis).Scan(&r.ID); err != nil {
			return wrap("deletion receipt", err)
		}
	}
	return nil
}

// ListReceipts lists a fan's deletion receipts, oldest first.
func (t *Tx) ListReceipts(ctx context.Context, fanID int64) ([]fanclub.DeletionReceipt, error) {
	return queryAll(ctx, t, "deletion receipts", func(s scanner) (fanclub.DeletionReceipt, error) {
		var r fanclub.DeletionReceipt
		var at, until int64
		if err := s.Scan(&r.ID, &r.FanID, &r.ClubID, &r.Category, &r.Action, &r.Count, &r.Kept, &at, &until, &r.Rule, &r.Basis); err != nil {
			return r, err
		}
		r.At = fromTS(at)
		if until != 0 {
			u := fromTS(until)
			r.Until = &u
		}
		return r, nil
	}, `SELECT id, fan_id, club_id, category, action, count, kept, at, until, rule, basis FROM deletion_receipts WHERE fan_id = ? ORDER BY id`, fanID)
}

// AnonymiseTransactions gives a fan's payments and gifts a pseudonym: the
// rows of the tables, and the gifts only the journal holds yet (the
// commit then checkpoints, so no journal row keeps the fan's id).
func (t *Tx) AnonymiseTransactions(ctx context.Context, fanID, pseudonym int64) (int64, error) {
	var total int64
	for _, table := range []string{"payments", "gifts"} {
		n, err := t.affected(ctx, table, `UPDATE `+table+` SET fan_id = ?, key = 'anonymised/' || id WHERE fan_id = ?`, pseudonym, fanID)
		if err != nil {
			return 0, err
		}
		total += n
	}
	total += t.db.ov.unflushedGifts(fanID)
	c := t.led()
	for i := range c.gifts {
		if g := &c.gifts[i]; g.FanID == fanID {
			delete(c.giftByKey, g.Key)
			anonymiseGift(g, pseudonym)
			c.giftByKey[g.Key] = i
			total++
		}
	}
	c.anon = append(c.anon, anonymised{fan: fanID, pseudonym: pseudonym})
	t.checkpoint = true
	return total, nil
}

// EraseFan erases a fan's account identity (see fanclub.PrivacyTx).
func (t *Tx) EraseFan(ctx context.Context, fanID int64) (fanclub.FanErasure, error) {
	var out fanclub.FanErasure
	n, err := t.affected(ctx, "fan", `UPDATE fans SET handle = ?, password_hash = '' WHERE id = ?`, fanclub.ErasedHandle(fanID), fanID)
	if err != nil {
		return out, err
	}
	if n == 0 {
		return out, notFound("Fan", fanID)
	}
	out.Account = n
	steps := []struct {
		what, q string
		args    []any
		count   *int64
	}{
		{"tokens", `UPDATE tokens SET revoked_at = ? WHERE role = 'fan' AND subject_id = ? AND revoked_at IS NULL`, []any{ts(t.now), fanID}, &out.Account},
		{"webhook deliveries", `DELETE FROM webhook_deliveries WHERE notification_id IN
 (SELECT id FROM notifications WHERE recipient_kind = 'fan' AND recipient_id = ?)`, []any{fanID}, nil},
		{"notifications", `DELETE FROM notifications WHERE recipient_kind = 'fan' AND recipient_id = ?`, []any{fanID}, &out.Account},
		{"fan age", `DELETE FROM fan_ages WHERE fan_id = ?`, []any{fanID}, &out.Age},
		{"imports", `DELETE FROM imports WHERE fan_id = ?`, []any{fanID}, &out.Imports},
	}
	for _, s := range steps {
		m, err := t.affected(ctx, s.what, s.q, s.args...)
		if err != nil {
			return fanclub.FanErasure{}, err
		}
		if s.count != nil {
			*s.count += m
		}
	}
	return out, nil
}

// affected runs a statement and returns the rows it changed.
func (t *Tx) affected(ctx context.Context, what, q string, args ...any) (int64, error) {
	res, err := t.execOne(ctx, q, args...)
	if err != nil {
		return 0, wrap(what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, wrap(what, err)
	}
	return n, nil
}

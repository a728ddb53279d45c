package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"fanclub"
)

// notificationCols are the notification columns scanNotification reads.
const notificationCols = `n.seq, n.id, n.recipient_kind, n.recipient_id, n.club_id, n.kind, n.at, n.data,
 n.title_zh, n.title_en, n.body_zh, n.body_en`

// scanNotification scans notificationCols.
func scanNotification(s scanner) (*fanclub.Notification, error) {
	var n fanclub.Notification
	var at int64
	var data string
	if err := s.Scan(&n.Seq, &n.ID, &n.Recipient.Kind, &n.Recipient.ID, &n.ClubID, &n.Kind, &at, &data,
		&n.Title.ZH, &n.Title.EN, &n.Body.ZH, &n.Body.EN); err != nil {
		return nil, err
	}
	n.At, n.Data = fromTS(at), []byte(data)
	return &n, nil
}

// AddNotifications stores the notifications whose id is new, in order,
// and sets every Seq to the stored one.
func (t *Tx) AddNotifications(ctx context.Context, ns []*fanclub.Notification) error {
	for _, n := range ns {
		data := string(n.Data)
		if data == "" {
			data = "{}"
		}
		if _, err := t.execOne(ctx, `INSERT INTO notifications(id, recipient_kind, recipient_id, club_id, kind, at, data,
 title_zh, title_en, body_zh, body_en) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
			n.ID, n.Recipient.Kind, n.Recipient.ID, n.ClubID, n.Kind, ts(n.At), data, n.Title.ZH, n.Title.EN, n.Body.ZH, n.Body.EN); err != nil {
			return wrap("notification", err)
		}
		if err := t.queryRow(ctx, `SELECT seq FROM notifications WHERE id = ?`, n.ID).Scan(&n.Seq); err != nil {
			return wrap("notification", err)
		}
	}
	return nil
}

// ListNotifications lists up to limit of a recipient's notifications
// after the seq after, by seq.
func (t *Tx) ListNotifications(ctx context.Context, to fanclub.Recipient, after int64, limit int) ([]*fanclub.Notification, error) {
	return queryAll(ctx, t, "notifications", scanNotification, `SELECT `+notificationCols+` FROM notifications AS n
 WHERE n.recipient_kind = ? AND n.recipient_id = ? AND n.seq > ? ORDER BY n.seq LIMIT ?`, to.Kind, to.ID, after, limit)
}

// AddWebhookDeliveries creates a pending delivery for each id without one.
func (t *Tx) AddWebhookDeliveries(ctx context.Context, ids []string) error {
	now := ts(t.now)
	for _, id := range ids {
		res, err := t.execOne(ctx, `INSERT INTO webhook_deliveries(notification_id, state, attempts, next_at, lease_owner, lease_until, last_error, updated_at)
 SELECT id, 'pending', 0, ?, '', 0, '', ? FROM notifications WHERE id = ? ON CONFLICT(notification_id) DO NOTHING`, now, now, id)
		if err != nil {
			return wrap("webhook delivery", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			if _, err := t.FindWebhookDelivery(ctx, id); fanclub.ErrorCode(err) == fanclub.ENOTFOUND {
				return fanclub.Errorf(fanclub.EINVALID, "No notification %q to deliver.", id)
			} else if err != nil {
				return err
			}
		}
	}
	return nil
}

// deliveryCols are the delivery columns scanDelivery reads, after the
// notification's.
const deliveryCols = notificationCols + `, d.state, d.attempts, d.next_at, d.lease_owner, d.lease_until, d.last_error`

// scanDelivery scans deliveryCols.
func scanDelivery(s scanner) (*fanclub.WebhookDelivery, error) {
	var n fanclub.Notification
	var d fanclub.WebhookDelivery
	var at, next, until int64
	var data string
	if err := s.Scan(&n.Seq, &n.ID, &n.Recipient.Kind, &n.Recipient.ID, &n.ClubID, &n.Kind, &at, &data,
		&n.Title.ZH, &n.Title.EN, &n.Body.ZH, &n.Body.EN,
		&d.State, &d.Attempts, &next, &d.LeaseOwner, &until, &d.LastError); err != nil {
		return nil, err
	}
	n.At, n.Data = fromTS(at), []byte(data)
	d.Notification, d.NextAt, d.LeaseUntil = &n, fromTS(next), fromTS(until)
	return &d, nil
}

// FindWebhookDelivery returns a notification's delivery.
func (t *Tx) FindWebhookDelivery(ctx context.Context, id string) (*fanclub.WebhookDelivery, error) {
	d, err := scanDelivery(t.queryRow(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries AS d
 JOIN notifications AS n ON n.id = d.notification_id WHERE d.notification_id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Webhook delivery", id)
	} else if err != nil {
		return nil, wrap("webhook delivery", err)
	}
	return d, nil
}

// ClaimWebhookDeliveries leases due, unleased deliveries to owner. SQLite
// runs one write transaction at a time, so a claim is never concurrent.
func (t *Tx) ClaimWebhookDeliveries(ctx context.Context, owner string, leaseUntil time.Time, limit int) ([]*fanclub.WebhookDelivery, error) {
	now := ts(t.now)
	ids, err := queryAll(ctx, t, "webhook deliveries", func(s scanner) (string, error) {
		var id string
		return id, s.Scan(&id)
	}, `SELECT notification_id FROM webhook_deliveries WHERE state = 'pending' AND next_at <= ? AND lease_until <= ?
 ORDER BY next_at, notification_id LIMIT ?`, now, now, limit)
	if err != nil {
		return nil, err
	}
	out := make([]*fanclub.WebhookDelivery, 0, len(ids))
	for _, id := range ids {
		if _, err := t.execOne(ctx, `UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
 WHERE notification_id = ?`, owner, ts(leaseUntil), now, id); err != nil {
			return nil, wrap("webhook delivery", err)
		}
		d, err := t.FindWebhookDelivery(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// MarkWebhookDelivered records owner's delivery of id.
func (t *Tx) MarkWebhookDelivered(ctx context.Context, id, owner string) error {
	return t.endAttempt(ctx, id, owner, `UPDATE webhook_deliveries SET state = 'delivered', lease_owner = '', lease_until = 0,
 last_error = '', updated_at = ? WHERE notification_id = ? AND state = 'pending' AND lease_owner = ?`, ts(t.now), id, owner)
}

// RetryWebhookDelivery records owner's failed attempt at id.
func (t *Tx) RetryWebhookDelivery(ctx context.Context, id, owner string, nextAt time.Time, lastErr string) error {
	return t.endAttempt(ctx, id, owner, `UPDATE webhook_deliveries SET state = CASE WHEN attempts >= ? THEN 'failed' ELSE 'pending' END,
 next_at = ?, lease_owner = '', lease_until = 0, last_error = ?, updated_at = ?
 WHERE notification_id = ? AND state = 'pending' AND lease_owner = ?`,
		fanclub.WebhookMaxAttempts, ts(nextAt), lastErr, ts(t.now), id, owner)
}

// endAttempt runs the update q of owner's attempt at id: ENOTFOUND
// without the delivery, ECONFLICT when owner does not hold it.
func (t *Tx) endAttempt(ctx context.Context, id, owner, q string, args ...any) error {
	res, err := t.execOne(ctx, q, args...)
	if err != nil {
		return wrap("webhook delivery", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return wrap("webhook delivery", err)
	} else if n == 1 {
		return nil
	}
	if _, err := t.FindWebhookDelivery(ctx, id); err != nil {
		return err
	}
	return fanclub.Errorf(fanclub.ECONFLICT, "Webhook delivery %q is not held by %q.", id, owner)
}

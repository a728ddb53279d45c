package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"fanclub"
)

// notificationCols are the notification columns scanNotification reads.
const notificationCols = `n.seq, n.id, n.recipient_kind, n.recipient_id, n.club_id, n.kind, n.at, n.data,
 n.title_zh, n.title_en, n.body_zh, n.body_en`

// notificationDest returns the scan destinations of notificationCols for
// n, and a function that decodes the columns held aside.
func notificationDest(n *fanclub.Notification) ([]any, func()) {
	var at int64
	var data string
	return []any{&n.Seq, &n.ID, &n.Recipient.Kind, &n.Recipient.ID, &n.ClubID, &n.Kind, &at, &data,
			&n.Title.ZH, &n.Title.EN, &n.Body.ZH, &n.Body.EN},
		func() { n.At, n.Data = fromTS(at), []byte(data) }
}

// scanNotification scans notificationCols.
func scanNotification(rows pgx.Rows) (*fanclub.Notification, error) {
	var n fanclub.Notification
	dest, done := notificationDest(&n)
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	done()
	return &n, nil
}

// lockRecipients takes a transaction advisory lock on each recipient of
// ns, in order, so that one recipient's notifications get their seqs in
// commit order (a reader paging by seq never misses one committed late).
func (t *Tx) lockRecipients(ctx context.Context, ns []*fanclub.Notification) error {
	keys := make([]string, 0, len(ns))
	for _, n := range ns {
		// Advisory locks are database-wide: the schema keeps other
		// stores' recipients apart.
		keys = append(keys, fmt.Sprintf("fanclub.notifications:%s:%s:%d", t.db.schema, n.Recipient.Kind, n.Recipient.ID))
	}
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if _, err := t.exec(ctx, "notification", `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, k); err != nil {
			return err
		}
	}
	return nil
}

// AddNotifications stores the notifications whose id is new, in order,
// and sets every Seq to the stored one.
func (t *Tx) AddNotifications(ctx context.Context, ns []*fanclub.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	if err := t.lockRecipients(ctx, ns); err != nil {
		return err
	}
	for _, n := range ns {
		data := string(n.Data)
		if data == "" {
			data = "{}"
		}
		err := t.queryRow(ctx, "notification", `WITH ins AS (INSERT INTO notifications(id, recipient_kind, recipient_id, club_id, kind, at, data,
 title_zh, title_en, body_zh, body_en) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING RETURNING seq)
 SELECT seq FROM ins UNION ALL SELECT seq FROM notifications WHERE id = $1 LIMIT 1`,
			[]any{n.ID, string(n.Recipient.Kind), n.Recipient.ID, n.ClubID, string(n.Kind), ts(n.At), data,
				n.Title.ZH, n.Title.EN, n.Body.ZH, n.Body.EN}, &n.Seq)
		if err != nil {
			return err
		}
	}
	return nil
}

// ListNotifications lists up to limit of a recipient's notifications
// after the seq after, by seq.
func (t *Tx) ListNotifications(ctx context.Context, to fanclub.Recipient, after int64, limit int) ([]*fanclub.Notification, error) {
	return collect(t, ctx, "notifications", `SELECT `+notificationCols+` FROM notifications AS n
 WHERE n.recipient_kind = $1 AND n.recipient_id = $2 AND n.seq > $3 ORDER BY n.seq LIMIT $4`,
		[]any{string(to.Kind), to.ID, after, limit}, scanNotification)
}

// AddWebhookDeliveries creates a pending delivery for each id without one.
func (t *Tx) AddWebhookDeliveries(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	now := ts(t.now)
	var missing []string
	err := t.queryRow(ctx, "webhook delivery", `WITH want AS (SELECT unnest($1::text[]) COLLATE "C" AS id),
 ins AS (INSERT INTO webhook_deliveries(notification_id, state, attempts, next_at, lease_owner, lease_until, last_error, updated_at)
 SELECT n.id, 'pending', 0, $2, '', 0, '', $2 FROM notifications n JOIN want w ON w.id = n.id ORDER BY n.id
 ON CONFLICT (notification_id) DO NOTHING)
 SELECT coalesce(array_agg(w.id), '{}') FROM want w WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = w.id)`,
		[]any{ids, now}, &missing)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return fanclub.Errorf(fanclub.EINVALID, "No notification %q to deliver.", missing[0])
	}
	return nil
}

// deliveryCols are the delivery columns scanDelivery reads, after the
// notification's.
const deliveryCols = notificationCols + `, d.state, d.attempts, d.next_at, d.lease_owner, d.lease_until, d.last_error`

// scanDelivery scans deliveryCols.
func scanDelivery(rows pgx.Rows) (*fanclub.WebhookDelivery, error) {
	var n fanclub.Notification
	var d fanclub.WebhookDelivery
	var next, until int64
	dest, done := notificationDest(&n)
	if err := rows.Scan(append(dest, &d.State, &d.Attempts, &next, &d.LeaseOwner, &until, &d.LastError)...); err != nil {
		return nil, err
	}
	done()
	d.Notification, d.NextAt, d.LeaseUntil = &n, fromTS(next), fromTS(until)
	return &d, nil
}

// FindWebhookDelivery returns a notification's delivery.
func (t *Tx) FindWebhookDelivery(ctx context.Context, id string) (*fanclub.WebhookDelivery, error) {
	ds, err := collect(t, ctx, "webhook delivery", `SELECT `+deliveryCols+` FROM webhook_deliveries AS d
 JOIN notifications AS n ON n.id = d.notification_id WHERE d.notification_id = $1`, []any{id}, scanDelivery)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, notFound("Webhook delivery", id)
	}
	return ds[0], nil
}

// ClaimWebhookDeliveries leases due, unleased deliveries to owner. It
// locks them with FOR UPDATE SKIP LOCKED: a concurrent claimer passes
// over rows another is claiming instead of waiting for them.
func (t *Tx) ClaimWebhookDeliveries(ctx context.Context, owner string, leaseUntil time.Time, limit int) ([]*fanclub.WebhookDelivery, error) {
	now := ts(t.now)
	return collect(t, ctx, "webhook deliveries", `WITH due AS (SELECT notification_id FROM webhook_deliveries
 WHERE state = 'pending' AND next_at <= $1 AND lease_until <= $1 ORDER BY next_at, notification_id LIMIT $2 FOR UPDATE SKIP LOCKED),
 d AS (UPDATE webhook_deliveries w SET lease_owner = $3, lease_until = $4, attempts = w.attempts + 1, updated_at = $1
 FROM due WHERE w.notification_id = due.notification_id
 RETURNING w.notification_id, w.state, w.attempts, w.next_at, w.lease_owner, w.lease_until, w.last_error)
 SELECT `+deliveryCols+` FROM d JOIN notifications AS n ON n.id = d.notification_id ORDER BY d.next_at, d.notification_id`,
		[]any{now, limit, owner, ts(leaseUntil)}, scanDelivery)
}

// MarkWebhookDelivered records owner's delivery of id.
func (t *Tx) MarkWebhookDelivered(ctx context.Context, id, owner string) error {
	return t.endAttempt(ctx, id, owner, `UPDATE webhook_deliveries SET state = 'delivered', lease_owner = '', lease_until = 0,
 last_error = '', updated_at = $1 WHERE notification_id = $2 AND state = 'pending' AND lease_owner = $3`, ts(t.now), id, owner)
}

// RetryWebhookDelivery records owner's failed attempt at id.
func (t *Tx) RetryWebhookDelivery(ctx context.Context, id, owner string, nextAt time.Time, lastErr string) error {
	return t.endAttempt(ctx, id, owner, `UPDATE webhook_deliveries SET state = CASE WHEN attempts >= $1 THEN 'failed' ELSE 'pending' END,
 next_at = $2, lease_owner = '', lease_until = 0, last_error = $3, updated_at = $4
 WHERE notification_id = $5 AND state = 'pending' AND lease_owner = $6`,
		fanclub.WebhookMaxAttempts, ts(nextAt), lastErr, ts(t.now), id, owner)
}

// endAttempt runs the update q of owner's attempt at id: ENOTFOUND
// without the delivery, ECONFLICT when owner does not hold it.
func (t *Tx) endAttempt(ctx context.Context, id, owner, q string, args ...any) error {
	tag, err := t.exec(ctx, "webhook delivery", q, args...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	if _, err := t.FindWebhookDelivery(ctx, id); err != nil {
		return err
	}
	return fanclub.Errorf(fanclub.ECONFLICT, "Webhook delivery %q is not held by %q.", id, owner)
}

package fanclub

import (
	"context"
	"time"
)

// NotificationTx stores the notification outbox: the notifications a
// recipient lists, and the webhook deliveries of those sent out.
type NotificationTx interface {
	// AddNotifications stores notifications by ID, assigning each new one
	// its Seq; a notification whose ID is stored already is left as it is
	// (its Seq in ns is then the stored one).
	AddNotifications(ctx context.Context, ns []*Notification) error
	// ListNotifications lists up to limit of a recipient's notifications
	// with a Seq greater than after, by Seq (keyset pagination, PageTx).
	ListNotifications(ctx context.Context, to Recipient, after int64, limit int) ([]*Notification, error)

	// AddWebhookDeliveries creates a pending delivery, due at once, for
	// each stored notification id that has none; existing deliveries are
	// left as they are. An id with no stored notification is EINVALID.
	AddWebhookDeliveries(ctx context.Context, ids []string) error
	// FindWebhookDelivery returns the delivery of a notification, ENOTFOUND
	// when it has none.
	FindWebhookDelivery(ctx context.Context, id string) (*WebhookDelivery, error)
	// ClaimWebhookDeliveries leases up to limit pending deliveries that are
	// due (NextAt not after the transaction's time) and not leased (no
	// lease or one that has expired) to owner until leaseUntil, counting
	// an attempt on each, by NextAt then id. Concurrent claimers never
	// claim one delivery twice while its lease lasts (PostgreSQL: FOR
	// UPDATE SKIP LOCKED).
	ClaimWebhookDeliveries(ctx context.Context, owner string, leaseUntil time.Time, limit int) ([]*WebhookDelivery, error)
	// MarkWebhookDelivered records that owner delivered a delivery it
	// holds. ENOTFOUND when there is no such delivery, ECONFLICT when it is
	// not pending or owner no longer holds it.
	MarkWebhookDelivered(ctx context.Context, id, owner string) error
	// RetryWebhookDelivery records owner's failed attempt at a delivery it
	// holds: it is due again at nextAt, or, once it has been attempted
	// WebhookMaxAttempts times, fails for good. Errors as
	// MarkWebhookDelivered.
	RetryWebhookDelivery(ctx context.Context, id, owner string, nextAt time.Time, lastErr string) error
}

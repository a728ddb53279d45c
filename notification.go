package fanclub

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// NotificationKind names what a notification says. Kinds are an open set:
// each has templates in the notification catalogue (notification_texts.go);
// the store keeps the kind as text.
type NotificationKind string

// Notification kinds.
const (
	// NotifyRenewalReminder announces an upcoming auto-renewal.
	NotifyRenewalReminder NotificationKind = "renewal_reminder"
	// NotifyChargeNotice announces a charge: time, amount and how to cancel.
	NotifyChargeNotice NotificationKind = "charge_notice"
	// NotifyRefundReceipt confirms a refund.
	NotifyRefundReceipt NotificationKind = "refund_receipt"
	// NotifyExitReceipt confirms that a fan left a club.
	NotifyExitReceipt NotificationKind = "exit_receipt"
)

// RecipientKind is who receives a notification.
type RecipientKind string

// Recipient kinds.
const (
	RecipientFan     RecipientKind = "fan"
	RecipientCreator RecipientKind = "creator"
)

// Recipient is the account a notification is for.
type Recipient struct {
	Kind RecipientKind `json:"kind"`
	ID   int64         `json:"id"`
}

// FanRecipient is the recipient fan id.
func FanRecipient(id int64) Recipient { return Recipient{Kind: RecipientFan, ID: id} }

// CreatorRecipient is the recipient creator id.
func CreatorRecipient(id int64) Recipient { return Recipient{Kind: RecipientCreator, ID: id} }

// Notification is one message in a recipient's outbox.
type Notification struct {
	// ID says what the notification is about, e.g.
	// "charge_notice/sub/12/3": it is the deduplication key, in the store
	// and for webhook receivers.
	ID        string           `json:"id"`
	Recipient Recipient        `json:"recipient"`
	ClubID    int64            `json:"club_id"`
	Kind      NotificationKind `json:"kind"`
	// At is when the notification was made.
	At time.Time `json:"at"`
	// Data holds the facts the texts were rendered from (NotificationFacts
	// for the built-in kinds), as JSON.
	Data json.RawMessage `json:"data"`
	// Title and Body are the rendered texts.
	Title Localized `json:"title"`
	Body  Localized `json:"body"`
	// Seq is the store's order of notifications, assigned when stored.
	Seq int64 `json:"seq"`
}

// NotificationFacts is what a notification is about; templates refer to
// its values by placeholder (see notification_texts.go).
type NotificationFacts struct {
	// Club is the club's name ({club}).
	Club string `json:"club,omitempty"`
	// Amount is in minor units of Currency (fen for CNY) ({amount}).
	Amount int64 `json:"amount,omitempty"`
	// Currency is an ISO 4217 code; empty takes the policy's paid.currency.
	Currency string `json:"currency,omitempty"`
	// Time is when the thing notified happens or happened ({time}), shown
	// in the policy's time zone.
	Time time.Time `json:"time,omitzero"`
	// Tier is the paid tier's name ({tier}, its display name when the
	// policy has it).
	Tier string `json:"tier,omitempty"`
	// Reason explains the notification, in both languages ({reason}).
	Reason Localized `json:"reason,omitzero"`
	// Cancel says how to cancel ({cancel}); empty derives it from the
	// policy (paid.autoRenew.stoppedBy and exit.path).
	Cancel Localized `json:"cancel,omitzero"`
}

// NewNotification renders a notification of kind for a recipient from
// facts, with the policy's currency, time zone, tiers and exit path and
// the built-in catalogue. id is the deduplication key; it should start
// with the kind (see NotificationID). at is the time it is made.
func NewNotification(p *Policy, kind NotificationKind, id string, to Recipient, clubID int64, at time.Time, f NotificationFacts) (*Notification, error) {
	if id == "" || to.ID < 1 || (to.Kind != RecipientFan && to.Kind != RecipientCreator) {
		return nil, Errorf(EINVALID, "A notification needs an id and a recipient.")
	}
	if f.Currency == "" {
		f.Currency = p.Paid.Currency
	}
	if f.Cancel == (Localized{}) {
		f.Cancel = cancelText(p)
	}
	title, body, err := renderNotification(p, kind, f)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("notification data: %w", err)
	}
	return &Notification{ID: id, Recipient: to, ClubID: clubID, Kind: kind, At: at, Data: data, Title: title, Body: body}, nil
}

// NotificationID is the deduplication key of a notification of kind about
// the thing named by parts, e.g. NotificationID(NotifyChargeNotice, "sub",
// 12, 3) is "charge_notice/sub/12/3".
func NotificationID(kind NotificationKind, parts ...any) string {
	id := string(kind)
	for _, p := range parts {
		id += "/" + fmt.Sprint(p)
	}
	return id
}

// WebhookState is where a webhook delivery stands.
type WebhookState string

// Webhook delivery states.
const (
	WebhookPending   WebhookState = "pending"
	WebhookDelivered WebhookState = "delivered"
	WebhookFailed    WebhookState = "failed"
)

// WebhookMaxAttempts is how many times a delivery is attempted before it
// fails for good.
const WebhookMaxAttempts = 10

// WebhookDelivery is the sending of one notification to the webhook.
type WebhookDelivery struct {
	Notification *Notification
	State        WebhookState
	// Attempts counts the claims so far, the current one included.
	Attempts int
	// NextAt is when a pending delivery is due.
	NextAt time.Time
	// LeaseOwner holds the delivery until LeaseUntil (empty: nobody).
	LeaseOwner string
	LeaseUntil time.Time
	// LastError is why the last attempt failed.
	LastError string
}

// notify stores notifications in tx and, when webhooks are enabled, their
// webhook deliveries. It is idempotent by notification id: producers call
// it in the transaction that makes what they notify.
func (e *Engine) notify(ctx context.Context, tx Tx, ns []*Notification) error {
	if len(ns) == 0 {
		return nil
	}
	if err := tx.AddNotifications(ctx, ns); err != nil {
		return fmt.Errorf("add notifications: %w", err)
	}
	if !e.webhooks {
		return nil
	}
	ids := make([]string, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	sort.Strings(ids)
	if err := tx.AddWebhookDeliveries(ctx, ids); err != nil {
		return fmt.Errorf("add webhook deliveries: %w", err)
	}
	return nil
}

// Notify stores notifications in a transaction of their own (see notify);
// one already stored is left as it is.
func (e *Engine) Notify(ctx context.Context, ns ...*Notification) error {
	return e.inTx(ctx, true, func(tx Tx) error { return e.notify(ctx, tx, ns) })
}

// NotificationsPage lists up to limit of a recipient's notifications with
// a Seq greater than after, oldest first, and whether more follow.
func (e *Engine) NotificationsPage(ctx context.Context, to Recipient, after int64, limit int) ([]*Notification, bool, error) {
	if err := checkLimit(limit); err != nil {
		return nil, false, err
	}
	var ns []*Notification
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		if ns, err = tx.ListNotifications(ctx, to, after, limit+1); err != nil {
			return fmt.Errorf("list notifications: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	more := len(ns) > limit
	if more {
		ns = ns[:limit]
	}
	if ns == nil {
		ns = []*Notification{}
	}
	return ns, more, nil
}

// ClaimWebhooks leases up to limit due webhook deliveries to owner for
// lease from the store's time.
func (e *Engine) ClaimWebhooks(ctx context.Context, owner string, lease time.Duration, limit int) ([]*WebhookDelivery, error) {
	if owner == "" || lease <= 0 || limit < 1 {
		return nil, Errorf(EINVALID, "A claim needs an owner, a lease and a limit.")
	}
	var ds []*WebhookDelivery
	err := e.inTx(ctx, true, func(tx Tx) error {
		var err error
		ds, err = tx.ClaimWebhookDeliveries(ctx, owner, tx.Now().Add(lease), limit)
		return err
	})
	return ds, err
}

// WebhookDelivered records that owner delivered notification id.
func (e *Engine) WebhookDelivered(ctx context.Context, id, owner string) error {
	return e.inTx(ctx, true, func(tx Tx) error { return tx.MarkWebhookDelivered(ctx, id, owner) })
}

// RetryWebhook records owner's failed attempt at delivering notification
// id: it is due again after wait from the store's time, unless it has
// run out of attempts.
func (e *Engine) RetryWebhook(ctx context.Context, id, owner string, wait time.Duration, lastErr string) error {
	return e.inTx(ctx, true, func(tx Tx) error {
		return tx.RetryWebhookDelivery(ctx, id, owner, tx.Now().Add(wait), lastErr)
	})
}

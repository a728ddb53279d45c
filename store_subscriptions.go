package fanclub

import "context"

// SubscriptionTx stores subscriptions.
type SubscriptionTx interface {
	// CreateSubscription inserts s, assigning ID when zero, CreatedAt and
	// UpdatedAt when zero, and Version 1. A fan has at most one live
	// subscription (Status.Live) per club: another one is ECONFLICT.
	CreateSubscription(ctx context.Context, s *Subscription) error
	// FindSubscription returns a subscription by id (ENOTFOUND if none).
	FindSubscription(ctx context.Context, id int64) (*Subscription, error)
	// FindSubscriptionByMember returns the fan's latest subscription in
	// the club (highest id), live or not; ENOTFOUND if none.
	FindSubscriptionByMember(ctx context.Context, fanID, clubID int64) (*Subscription, error)
	// ListSubscriptions lists a fan's subscriptions, newest first.
	ListSubscriptions(ctx context.Context, fanID int64) ([]*Subscription, error)
	// UpdateSubscription stores s if the stored version is still
	// s.Version, then bumps s.Version and sets UpdatedAt to the
	// transaction's time; ECONFLICT if the version moved, ENOTFOUND if
	// there is no such subscription. Making a second subscription of the
	// same fan and club live is ECONFLICT.
	UpdateSubscription(ctx context.Context, s *Subscription) error
}

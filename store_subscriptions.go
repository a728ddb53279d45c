package fanclub

import (
	"context"
	"time"
)

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
	// ActiveBenefits returns, for the keys whose live (not ended)
	// subscription gives benefits at some time in [from, to] (period_start
	// <= to and benefits_until > from), the tier and the span of those
	// benefits; keys without one are absent. One read serves a whole
	// ingest batch: the caller checks each event's time with
	// Benefits.ActiveAt. A key may repeat.
	ActiveBenefits(ctx context.Context, keys []MemberKey, from, to time.Time) (map[MemberKey]Benefits, error)
}

// Benefits are the paid benefits a live subscription gives a membership:
// its tier, from the period start (the payment) until BenefitsUntil,
// exclusive.
type Benefits struct {
	// Tier is the subscription's paid tier.
	Tier string
	// From is the start of the paid period (inclusive).
	From time.Time
	// Until is benefits_until (exclusive).
	Until time.Time
}

// ActiveAt reports whether the benefits apply at at.
func (b Benefits) ActiveAt(at time.Time) bool {
	return !at.Before(b.From) && at.Before(b.Until)
}

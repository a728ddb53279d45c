package fanclub

import "context"

// ExitRequestTx is what superseding exit requests needs of a transaction.
// A store keeps at most one pending request per fan and club: creating a
// second one is ECONFLICT.
type ExitRequestTx interface {
	// PendingExitRequests lists a fan's exit requests in a club whose
	// stored status is pending (expired ones included), oldest first.
	PendingExitRequests(ctx context.Context, fanID, clubID int64) ([]*ExitRequest, error)
}

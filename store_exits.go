package fanclub

import "context"

// ExitRequestTx is what superseding exit requests needs of a transaction.
type ExitRequestTx interface {
	// PendingExitRequests lists a fan's exit requests in a club whose
	// stored status is pending (expired ones included), oldest first.
	PendingExitRequests(ctx context.Context, fanID, clubID int64) ([]*ExitRequest, error)
}

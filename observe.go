package fanclub

import "context"

// Observer receives the engine's operational events, for metrics. The
// engine calls it from request paths, so implementations must be cheap
// and safe for concurrent use; NewEngine uses a no-op one when none is
// configured.
type Observer interface {
	// EventsIngested counts n events of a batch or an interaction by
	// outcome: accepted, duplicate, rejected, or invalid (a batch refused
	// whole).
	EventsIngested(outcome string, n int)
	// ExitConfirmation counts a confirmation of an exit request of a club
	// running policy, by outcome: confirmed, challenge_failed, expired,
	// exhausted, conflict, invalid, not_found or error.
	ExitConfirmation(policy, outcome string)
	// TxStarted is called as a store transaction begins; the returned
	// function is called once it has ended (committed when err is nil).
	TxStarted(write bool) (ended func(err error))
}

// nopObserver observes nothing.
type nopObserver struct{}

func (nopObserver) EventsIngested(string, int)      {}
func (nopObserver) ExitConfirmation(string, string) {}
func (nopObserver) TxStarted(bool) func(error)      { return nopEnded }
func nopEnded(error)                                {}

// observeBatch reports a batch's outcome. The events of a replayed batch
// (its producer and seq applied before, res the stored result) are
// duplicates: counting the stored outcomes again would count every
// accepted event once per retry of its batch.
func (e *Engine) observeBatch(b *Batch, res *BatchResult, replayed bool, err error) {
	if err != nil {
		if ErrorCode(err) == EINVALID {
			e.obs.EventsIngested("invalid", len(b.Events))
		}
		return
	}
	if replayed {
		if n := len(b.Events); n > 0 {
			e.obs.EventsIngested(EventDuplicate, n)
		}
		return
	}
	if res.Accepted > 0 {
		e.obs.EventsIngested(EventAccepted, res.Accepted)
	}
	if res.Duplicates > 0 {
		e.obs.EventsIngested(EventDuplicate, res.Duplicates)
	}
	if res.Rejected > 0 {
		e.obs.EventsIngested(EventRejected, res.Rejected)
	}
}

// observeExit reports an exit confirmation by the policy of its club.
func (e *Engine) observeExit(ctx context.Context, requestID string, out *ExitOutcome, err error) {
	outcome := "confirmed"
	switch code := ErrorCode(err); {
	case err == nil:
	case code == ECHALLENGE:
		outcome = "challenge_failed"
	case code == EEXPIRED:
		outcome = "expired"
	case code == ECONFLICT && exhausted(err):
		outcome = "exhausted"
	case code == ECONFLICT, code == EINVALID, code == ENOTFOUND:
		outcome = code
	default:
		outcome = "error"
	}
	policy := "unknown"
	var clubID int64
	if out != nil {
		clubID = out.Request.ClubID
	}
	_ = e.inTx(ctx, false, func(tx Tx) error {
		if clubID == 0 {
			r, err := tx.FindExitRequest(ctx, requestID)
			if err != nil {
				return err
			}
			clubID = r.ClubID
		}
		c, err := tx.FindClubByID(ctx, clubID)
		if err != nil {
			return err
		}
		policy = c.Policy
		return nil
	})
	e.obs.ExitConfirmation(policy, outcome)
}

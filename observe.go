package fanclub

import (
	"context"
	"fmt"
	"time"
)

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

// observeBatch reports a batch's outcome.
func (e *Engine) observeBatch(b *Batch, res *BatchResult, err error) {
	if err != nil {
		if ErrorCode(err) == EINVALID {
			e.obs.EventsIngested("invalid", len(b.Events))
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

// ConfirmExit checks the answers and executes the exit (see confirmExit),
// and reports the outcome to the observer.
func (e *Engine) ConfirmExit(ctx context.Context, fanID int64, requestID string, answers ExitAnswers) (*ExitOutcome, error) {
	var out *ExitOutcome
	err := emptyAnswers(answers)
	if err == nil {
		out, err = e.confirmExit(ctx, fanID, requestID, answers)
	}
	if _, nop := e.obs.(nopObserver); !nop {
		e.observeExit(ctx, requestID, out, err)
	}
	return out, err
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

// exhausted reports whether err refuses an exit request whose attempts
// ran out.
func exhausted(err error) bool {
	de, ok := asDomain(err)
	return ok && de.Fields != nil && len(de.Fields) == 1 && de.Fields[0].Message == exhaustedMessage
}

// exhaustedMessage is the field message of an exit request refused for
// having used all its attempts.
const exhaustedMessage = "no attempts left"

// attemptsLeft says how many attempts remain, in words.
func attemptsLeft(n int) string {
	switch {
	case n <= 0:
		return "no attempts left: the request is void, request a new exit"
	case n == 1:
		return "1 attempt left"
	}
	return fmt.Sprintf("%d attempts left", n)
}

// closedRequestError says why an exit request can no longer be confirmed:
// confirmed already, expired, or void after its attempts ran out.
func closedRequestError(req *ExitRequest, now time.Time) error {
	switch {
	case req.Status == ExitConfirmed:
		return Errorf(ECONFLICT, "Exit request %s is already confirmed.", req.ID)
	case req.Status == ExitVoid && req.MaxAttempts > 0 && req.Attempts >= req.MaxAttempts:
		return &Error{Code: ECONFLICT,
			Message: fmt.Sprintf("Exit request %s used all %d of its attempts; request a new exit.", req.ID, req.MaxAttempts),
			Fields:  []FieldError{{Path: "", Message: exhaustedMessage, Found: fmt.Sprintf("%d wrong answers", req.Attempts)}}}
	case req.Status == ExitVoid && !now.Before(req.ExpiresAt):
		return Errorf(EEXPIRED, "Exit request %s expired at %s; request a new exit.", req.ID, req.ExpiresAt.UTC().Format(time.RFC3339))
	case req.Status == ExitVoid:
		return Errorf(ECONFLICT, "Exit request %s is void: the membership changed since its preview; request a new exit.", req.ID)
	}
	return Errorf(ECONFLICT, "Exit request %s is %s.", req.ID, req.Status)
}

// emptyAnswers refuses a confirmation that answers nothing, before any
// attempt is counted: it is a malformed request, not a wrong answer.
func emptyAnswers(a ExitAnswers) error {
	if a != (ExitAnswers{}) {
		return nil
	}
	return InvalidFields("The confirmation answers no challenge.", []FieldError{{Path: "", Message: "no answers",
		Allowed: `the answers the request's challenges ask for: "confirm": true, "password", "captcha", "slider"`}})
}

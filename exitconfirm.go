package fanclub

import (
	"context"
	"fmt"
	"time"
)

// The answers to an exit request, before and after the transaction that
// checks them: an empty confirmation is refused without costing an
// attempt, and a request that can no longer be confirmed says why.

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
		return Errorf(ECONFLICT, "Exit request %s is void: the membership changed since its preview, or its subscription did; request a new exit.", req.ID)
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

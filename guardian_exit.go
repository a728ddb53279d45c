package fanclub

import (
	"context"
	"fmt"
)

// GuardianExit is a guardian's remote exit of a minor's membership: the
// preview the guardian is shown (the same exit request and impact the
// minor's own exit gets from the exit planner) and, once confirmed, the
// outcome.
type GuardianExit struct {
	GuardianID int64        `json:"guardian_id"`
	MinorID    int64        `json:"minor_id"`
	Preview    *ExitRequest `json:"preview"`
	Outcome    *ExitOutcome `json:"outcome,omitempty"`
}

// GuardianExitPreview starts a guardian's remote exit of a minor's
// membership in a club: the minor's active guardian gets the exit
// request with its impact preview, computed by the exit planner as for
// the minor's own exit. The club's policy must give the guardian a remote
// exit (remoteExit) that does not pass through a notarized, approved
// declaration (douyin's); otherwise EGUARDIAN.
func (e *Engine) GuardianExitPreview(ctx context.Context, guardianID, minorID, clubID int64, choices map[string]string) (*GuardianExit, error) {
	err := e.inTx(ctx, false, func(tx Tx) error {
		if _, _, err := e.guardianOf(ctx, tx, guardianID, minorID); err != nil {
			return err
		}
		return e.guardianMayExit(ctx, tx, clubID)
	})
	if err != nil {
		return nil, err
	}
	req, err := e.RequestExit(ctx, minorID, clubID, choices)
	if err != nil {
		return nil, err
	}
	return &GuardianExit{GuardianID: guardianID, MinorID: minorID, Preview: req}, nil
}

// ConfirmGuardianExit executes a previewed guardian exit: the guardian
// answers no challenge of the minor's (the link is the authority); the
// exit is applied as a confirmed exit of the minor's, refund included.
// The club's policy is checked again as GuardianExitPreview checks it, so
// a request the minor opened in a club without a remote exit cannot be
// confirmed by the guardian (EGUARDIAN).
func (e *Engine) ConfirmGuardianExit(ctx context.Context, guardianID, minorID int64, requestID string) (*GuardianExit, error) {
	var req *ExitRequest
	err := e.inTx(ctx, false, func(tx Tx) error {
		if _, _, err := e.guardianOf(ctx, tx, guardianID, minorID); err != nil {
			return err
		}
		var err error
		if req, err = findOwnRequest(ctx, tx, minorID, requestID); err != nil {
			return fmt.Errorf("find exit request: %w", err)
		}
		// Whoever opened the request, the guardian confirms it only where
		// the club's policy gives the guardian a remote exit.
		return e.guardianMayExit(ctx, tx, req.ClubID)
	})
	if err != nil {
		return nil, err
	}
	out, err := e.applyConfirm(ctx, minorID, requestID, "")
	if err != nil {
		return nil, err
	}
	return &GuardianExit{GuardianID: guardianID, MinorID: minorID, Preview: req, Outcome: out}, nil
}

// guardianMayExit checks that the club's policy gives a guardian a remote
// exit (remoteExit) that does not pass through a notarized, approved
// declaration (douyin's); EGUARDIAN otherwise.
func (e *Engine) guardianMayExit(ctx context.Context, tx Tx, clubID int64) error {
	cp, err := e.loadClub(ctx, tx, clubID)
	if err != nil {
		return err
	}
	g := cp.policy.Minors.Guardian
	switch {
	case !g.RemoteExit:
		return Errorf(EGUARDIAN, "Policy %s gives a guardian no remote exit of a minor's memberships.", cp.policy.Metadata.Name)
	case g.NotarizedProof && g.ManualApproval:
		return Errorf(EGUARDIAN, "Policy %s takes a guardian's request only as a notarized declaration approved by an operator; a remote exit cannot be filed directly.", cp.policy.Metadata.Name)
	}
	return nil
}

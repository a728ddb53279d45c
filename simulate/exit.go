package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"fanclub"
)

// asError is errors.As for domain errors.
func asError(err error, target **fanclub.Error) bool { return errors.As(err, target) }

// exit runs an exit step: it requests the exit, records the challenges and
// the preview and, for DoExit, answers every challenge correctly, confirms,
// and checks that the exit did what the preview showed.
func (r *runner) exit(ctx context.Context, line *Line, fanID, clubID int64, st Step) error {
	req, err := r.eng.RequestExit(ctx, fanID, clubID, st.Choices)
	if err != nil {
		return err
	}
	line.Challenges = append([]fanclub.Challenge{}, req.Challenges...)
	line.Impact = r.out.impact(req.Impact, r.clubName)
	if st.Do == DoExitRequest {
		return nil
	}
	answers, err := r.answers(ctx, fanID, st.Fan, req)
	if err != nil {
		return err
	}
	before, err := r.eng.FanView(ctx, fanID)
	if err != nil {
		return fmt.Errorf("read fan before exit: %w", err)
	}
	outcome, err := r.eng.ConfirmExit(ctx, fanID, req.ID, answers)
	if err != nil {
		if fanclub.ErrorCode(err) == fanclub.ECHALLENGE {
			return fmt.Errorf("the simulator answered an exit challenge wrongly: %w", err)
		}
		return err
	}
	return r.checkOutcome(ctx, req, outcome, before.GeneralPoints)
}

// answers returns the correct answers to every challenge of req: the
// captcha digits through the engine, the slider target from the stored
// request (the simulator owns the store), the fan's known password.
func (r *runner) answers(ctx context.Context, fanID int64, fan string, req *fanclub.ExitRequest) (fanclub.ExitAnswers, error) {
	var a fanclub.ExitAnswers
	for _, c := range req.Challenges {
		switch c {
		case fanclub.ChallengeConfirm:
			a.Confirm = true
		case fanclub.ChallengePassword:
			a.Password = FanPassword(fan)
		case fanclub.ChallengeCaptcha:
			code, err := r.eng.ExitCaptcha(ctx, fanID, req.ID)
			if err != nil {
				return a, fmt.Errorf("read exit captcha: %w", err)
			}
			a.Captcha = code
		case fanclub.ChallengeSlider:
			target, err := r.sliderTarget(ctx, req.ID)
			if err != nil {
				return a, err
			}
			a.Slider = &target
		default:
			return a, fanclub.Errorf(fanclub.EINTERNAL, "the simulator cannot answer challenge %q", c)
		}
	}
	return a, nil
}

// sliderTarget reads a request's slider target from the store.
func (r *runner) sliderTarget(ctx context.Context, requestID string) (int, error) {
	tx, err := r.store.BeginTx(ctx, false)
	if err != nil {
		return 0, fmt.Errorf("begin transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	stored, err := tx.FindExitRequest(ctx, requestID)
	if err != nil {
		return 0, fmt.Errorf("find exit request: %w", err)
	}
	return stored.SliderTarget, nil
}

// checkOutcome fails loudly (EINTERNAL) when a confirmed exit differs from
// the preview shown at request time: the impact itself, the membership
// stored after it, the general points converted and the effects put.
func (r *runner) checkOutcome(ctx context.Context, req *fanclub.ExitRequest, out *fanclub.ExitOutcome, gpBefore int64) error {
	mismatch := func(what string, preview, got any) error {
		return fanclub.Errorf(fanclub.EINTERNAL, "exit %s: the preview showed %v but the exit did %v", what, preview, got)
	}
	pj, err := json.Marshal(r.out.impact(req.Impact, r.clubName))
	if err != nil {
		return fmt.Errorf("encode preview: %w", err)
	}
	oj, err := json.Marshal(r.out.impact(out.Impact, r.clubName))
	if err != nil {
		return fmt.Errorf("encode outcome: %w", err)
	}
	if !bytes.Equal(pj, oj) {
		return mismatch("impact", string(pj), string(oj))
	}
	im := req.Impact
	m, err := r.eng.Membership(ctx, req.FanID, req.ClubID)
	if err != nil {
		return fmt.Errorf("read membership after exit: %w", err)
	}
	if m.Status != fanclub.StatusLeft {
		return mismatch("status", fanclub.StatusLeft, m.Status)
	}
	if m.Level != im.LevelAfter || m.LevelPoints != im.LevelPointsAfter {
		return mismatch("level and points", fmt.Sprintf("L%d/%d", im.LevelAfter, im.LevelPointsAfter), fmt.Sprintf("L%d/%d", m.Level, m.LevelPoints))
	}
	if m.RetainedPoints != im.PointsRetained {
		return mismatch("retained points", im.PointsRetained, m.RetainedPoints)
	}
	rejoin := im.RejoinFrom
	if m.CooldownUntil != nil && !m.CooldownUntil.Equal(rejoin) || m.CooldownUntil == nil && rejoin.After(im.At) {
		return mismatch("rejoin time", r.out.format(rejoin), r.out.ptr(m.CooldownUntil))
	}
	fv, err := r.eng.FanView(ctx, req.FanID)
	if err != nil {
		return fmt.Errorf("read fan after exit: %w", err)
	}
	if got := fv.GeneralPoints - gpBefore; got != im.PointsConverted {
		return mismatch("general points converted", im.PointsConverted, got)
	}
	if err := r.checkPaid(ctx, req, out); err != nil {
		return err
	}
	for _, want := range im.Effects {
		if !want.ActiveAt(im.At) {
			continue
		}
		found := false
		for _, got := range fv.Effects {
			found = found || got.Kind == want.Kind && got.ClubID == want.ClubID && got.Start.Equal(want.Start)
		}
		if !found {
			return mismatch("effects", want.Kind, "no such effect")
		}
	}
	return nil
}

// checkPaid checks that an exit did to the subscription what its preview
// showed: auto-renew, the end of benefits and the refund paid.
func (r *runner) checkPaid(ctx context.Context, req *fanclub.ExitRequest, out *fanclub.ExitOutcome) error {
	p := req.Impact.Paid
	if p == nil {
		return nil
	}
	mismatch := func(what string, preview, got any) error {
		return fanclub.Errorf(fanclub.EINTERNAL, "exit %s: the preview showed %v but the exit did %v", what, preview, got)
	}
	s, err := r.eng.SubscriptionOf(ctx, req.FanID, req.ClubID)
	if err != nil {
		return fmt.Errorf("read subscription after exit: %w", err)
	}
	if s.AutoRenew != p.AutoRenewAfter {
		return mismatch("auto-renew", p.AutoRenewAfter, s.AutoRenew)
	}
	if !s.BenefitsUntil.Equal(p.BenefitsUntil) {
		return mismatch("benefits end", r.out.format(p.BenefitsUntil), r.out.format(s.BenefitsUntil))
	}
	var refunded int64
	if out.Refund != nil && out.Refund.Status == fanclub.PaymentSucceeded {
		refunded = out.Refund.Amount
	}
	if refunded != p.Refund.Amount {
		return mismatch("refund", p.Refund.Amount, refunded)
	}
	return nil
}

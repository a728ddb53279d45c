package fanclub

import (
	"context"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Exit request defaults, used when a policy leaves them zero.
const (
	DefaultChallengeTTL = 10 * time.Minute
	DefaultMaxAttempts  = 3
	// CaptchaDigits is the length of an exit captcha code.
	CaptchaDigits = 6
	// SliderWidth is the slider track width in pixels; targets are drawn
	// from [SliderMin, SliderMax].
	SliderWidth = 300
	SliderMin   = 40
	SliderMax   = 280
)

// RequestExit starts an exit: it returns the challenges and the impact
// preview, computed by PlanExit at the request's time.
func (e *Engine) RequestExit(ctx context.Context, fanID, clubID int64, choices map[string]string) (*ExitRequest, error) {
	var req *ExitRequest
	err := e.inTx(ctx, true, func(tx Tx) error {
		now := tx.Now()
		cp, err := e.loadClub(ctx, tx, clubID)
		if err != nil {
			return err
		}
		m, err := tx.FindMembership(ctx, fanID, clubID)
		if isNotFound(err) {
			return Errorf(ENOTMEMBER, "Fan %d is not a member of club %d.", fanID, clubID)
		} else if err != nil {
			return fmt.Errorf("find membership: %w", err)
		}
		plan, _, err := e.planExitTx(ctx, tx, cp, m, choices, now)
		if err != nil {
			return err
		}
		req, err = e.newExitRequest(cp.policy, m, choices, plan, now)
		if err != nil {
			return err
		}
		if err := supersedePending(ctx, tx, fanID, clubID); err != nil {
			return err
		}
		if err := tx.CreateExitRequest(ctx, req); err != nil {
			return fmt.Errorf("create exit request: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return req, nil
}

// supersedePending marks the fan's pending exit requests in a club
// superseded: a fan has at most one pending request per club, so its
// challenges cannot be answered over many requests at once.
func supersedePending(ctx context.Context, tx Tx, fanID, clubID int64) error {
	old, err := tx.PendingExitRequests(ctx, fanID, clubID)
	if err != nil {
		return fmt.Errorf("pending exit requests: %w", err)
	}
	for _, r := range old {
		r.Status = ExitSuperseded
		if err := tx.UpdateExitRequest(ctx, r); err != nil {
			return fmt.Errorf("supersede exit request %s: %w", r.ID, err)
		}
	}
	return nil
}

// newExitRequest builds a pending request with fresh challenge secrets.
func (e *Engine) newExitRequest(p *Policy, m *Membership, choices map[string]string, plan ExitPlan, now time.Time) (*ExitRequest, error) {
	id, err := e.randomID("ex_")
	if err != nil {
		return nil, err
	}
	ttl := p.Exit.ChallengeTTL
	expires := now.Add(DefaultChallengeTTL)
	if !ttl.IsZero() {
		if end, ok := ttl.End(now, nil); ok {
			expires = end
		}
	}
	maxAttempts := p.Exit.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	var ch map[string]string
	if len(choices) > 0 {
		ch = make(map[string]string, len(choices))
		for k, v := range choices {
			ch[k] = v
		}
	}
	req := &ExitRequest{
		ID: id, FanID: m.FanID, ClubID: m.ClubID, Status: ExitPending,
		CreatedAt: now, ExpiresAt: expires,
		Challenges:  append([]Challenge(nil), p.Exit.Challenges...),
		Choices:     ch,
		MaxAttempts: maxAttempts, MembershipVersion: m.Version,
		Impact: plan.Impact,
	}
	for _, c := range req.Challenges {
		switch c {
		case ChallengeCaptcha:
			var b strings.Builder
			for range CaptchaDigits {
				d, err := e.randomIntn(10)
				if err != nil {
					return nil, err
				}
				b.WriteByte(byte('0' + d))
			}
			req.CaptchaCode = b.String()
		case ChallengeSlider:
			t, err := e.randomIntn(SliderMax - SliderMin + 1)
			if err != nil {
				return nil, err
			}
			req.SliderTarget = SliderMin + t
			req.SliderWidth = SliderWidth
			req.SliderTolerance = p.Exit.SliderTolerance
		}
	}
	return req, nil
}

// ExitRequest returns one of the fan's exit requests as stored: its status,
// challenges, attempts, expiry and the preview it showed (ENOTFOUND for a
// request of another fan). A pending request past its expiry reads as
// void, as confirming it would find.
func (e *Engine) ExitRequest(ctx context.Context, fanID int64, requestID string) (*ExitRequest, error) {
	var req *ExitRequest
	err := e.inTx(ctx, false, func(tx Tx) (err error) {
		if req, err = findOwnRequest(ctx, tx, fanID, requestID); err != nil {
			return err
		}
		if req.Status == ExitPending && !tx.Now().Before(req.ExpiresAt) {
			req.Status = ExitVoid
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return req, nil
}

// ExitCaptcha returns the digits of an exit request's captcha, for an
// adapter to render as an image for the fan who owns the request.
func (e *Engine) ExitCaptcha(ctx context.Context, fanID int64, requestID string) (string, error) {
	req, err := e.pendingChallenge(ctx, fanID, requestID, "captcha", func(r *ExitRequest) bool { return r.CaptchaCode != "" })
	if err != nil {
		return "", err
	}
	return req.CaptchaCode, nil
}

// SliderPuzzle is what an adapter needs to draw an exit request's slider
// challenge: a track Width pixels wide with a gap centred at Target. A
// fan's answer is accepted within Tolerance pixels of Target.
type SliderPuzzle struct {
	Width, Target, Tolerance int
}

// ExitSlider returns the slider puzzle of an exit request, for an adapter
// to render as an image for the fan who owns the request.
func (e *Engine) ExitSlider(ctx context.Context, fanID int64, requestID string) (SliderPuzzle, error) {
	req, err := e.pendingChallenge(ctx, fanID, requestID, "slider", func(r *ExitRequest) bool { return r.SliderWidth > 0 })
	if err != nil {
		return SliderPuzzle{}, err
	}
	return SliderPuzzle{Width: req.SliderWidth, Target: req.SliderTarget, Tolerance: req.SliderTolerance}, nil
}

// pendingChallenge reads fanID's own exit request for rendering one of
// its challenges: ENOTFOUND when the request is another fan's or has no
// such challenge (has reports), ECONFLICT when it is no longer pending.
func (e *Engine) pendingChallenge(ctx context.Context, fanID int64, requestID, name string, has func(*ExitRequest) bool) (*ExitRequest, error) {
	var req *ExitRequest
	err := e.inTx(ctx, false, func(tx Tx) error {
		r, err := findOwnRequest(ctx, tx, fanID, requestID)
		if err != nil {
			return err
		}
		if !has(r) {
			return Errorf(ENOTFOUND, "Exit request %s has no %s.", requestID, name)
		}
		if r.Status != ExitPending {
			return Errorf(ECONFLICT, "Exit request %s is %s.", requestID, r.Status)
		}
		req = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return req, nil
}

// findOwnRequest reads an exit request that belongs to fanID (ENOTFOUND
// otherwise, so ids of others' requests reveal nothing).
func findOwnRequest(ctx context.Context, tx Tx, fanID int64, requestID string) (*ExitRequest, error) {
	req, err := tx.FindExitRequest(ctx, requestID)
	if err != nil {
		return nil, fmt.Errorf("find exit request: %w", err)
	}
	if req.FanID != fanID {
		return nil, Errorf(ENOTFOUND, "Exit request %s not found.", requestID)
	}
	return req, nil
}

// confirmExit checks the answers and executes the exit; a failed confirm
// changes nothing but the attempt count (and voids the request when the
// attempts run out). A membership changed since the request (points
// earned meanwhile) is a conflict: the fan must request a new preview.
//
// The answers are checked outside any write transaction (a password
// check takes tens of milliseconds and the store has one writer): the
// request is read in a read transaction, the answers checked, and the
// verdict applied in a write transaction that reads the request again, so
// concurrent confirms each count their attempt and only a request still
// pending is executed. Wrong passwords are also throttled per handle across
// requests (ETOOMANY while locked, with no attempt counted).
func (e *Engine) confirmExit(ctx context.Context, fanID int64, requestID string, answers ExitAnswers) (*ExitOutcome, error) {
	var (
		req *ExitRequest
		fan *Fan // read when a password is asked
		now time.Time
	)
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		now, fan = tx.Now(), nil // a retried run starts afresh
		if req, err = findOwnRequest(ctx, tx, fanID, requestID); err != nil {
			return err
		}
		if req.Status == ExitPending && slices.Contains(req.Challenges, ChallengePassword) {
			if fan, err = tx.FindFanByID(ctx, req.FanID); err != nil {
				return fmt.Errorf("find fan: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if req.Status != ExitPending {
		return nil, closedRequestError(req, now)
	}
	var failed Challenge
	if now.Before(req.ExpiresAt) {
		if failed, err = e.checkAnswers(ctx, req, fan, answers); err != nil {
			return nil, err
		}
	}
	return e.applyConfirm(ctx, fanID, requestID, failed)
}

// applyConfirm applies a confirm's verdict (failed: the first challenge
// answered wrongly, "" when all passed) to the request as it is now.
func (e *Engine) applyConfirm(ctx context.Context, fanID int64, requestID string, failed Challenge) (*ExitOutcome, error) {
	var (
		out     *ExitOutcome
		refusal error    // committed refusals: the request's new state is kept
		refund  *Payment // the exit's refund, made once the exit commits
	)
	err := e.inTx(ctx, true, func(tx Tx) error {
		out, refusal, refund = nil, nil, nil // a retried run starts afresh
		now := tx.Now()
		req, err := findOwnRequest(ctx, tx, fanID, requestID)
		if err != nil {
			return err
		}
		if req.Status != ExitPending {
			return closedRequestError(req, now)
		}
		if !now.Before(req.ExpiresAt) {
			req.Status = ExitVoid
			refusal = Errorf(EEXPIRED, "Exit request %s expired at %s.", requestID, req.ExpiresAt.UTC().Format(time.RFC3339))
			return tx.UpdateExitRequest(ctx, req)
		}
		if failed != "" {
			req.Attempts++
			if req.Attempts >= req.MaxAttempts {
				req.Status = ExitVoid
			}
			left := attemptsLeft(req.MaxAttempts - req.Attempts)
			refusal = &Error{Code: ECHALLENGE,
				Message: fmt.Sprintf("Wrong answer to the %s challenge; %s.", failed, left),
				Fields:  []FieldError{{Path: "answers." + string(failed), Message: "wrong answer", Allowed: left}}}
			return tx.UpdateExitRequest(ctx, req)
		}
		cp, err := e.loadClub(ctx, tx, req.ClubID)
		if err != nil {
			return err
		}
		m, err := tx.FindMembership(ctx, fanID, req.ClubID)
		if err != nil {
			return fmt.Errorf("find membership: %w", err)
		}
		if m.Version != req.MembershipVersion {
			req.Status = ExitVoid
			refusal = Errorf(ECONFLICT, "The membership changed since the preview; request a new preview.")
			return tx.UpdateExitRequest(ctx, req)
		}
		plan, sub, err := e.planExitTx(ctx, tx, cp, m, req.Choices, now)
		if err != nil {
			return err
		}
		if !samePaidExit(req.Impact.Paid, plan.Impact.Paid) {
			// A subscription taken, cancelled or renewed since the
			// preview (or a refund a day smaller): the confirmation
			// executes only what the fan was shown.
			req.Status = ExitVoid
			refusal = Errorf(ECONFLICT, "The subscription changed since the preview; request a new preview.")
			return tx.UpdateExitRequest(ctx, req)
		}
		if err := applyExitPlan(ctx, tx, req, plan); err != nil {
			return err
		}
		if err := e.applyDataExit(ctx, tx, cp, fanID, plan.Impact.Data); err != nil {
			return err
		}
		if refund, err = e.applyPaidExit(ctx, tx, cp, req, sub, plan.Impact.Paid); err != nil {
			return err
		}
		if err := e.applyRevenueExit(ctx, tx, cp, req, plan.Impact.Revenue); err != nil {
			return err
		}
		if err := e.exitReceipt(ctx, tx, cp, req); err != nil {
			return err
		}
		req.Status = ExitConfirmed
		if err := tx.UpdateExitRequest(ctx, req); err != nil {
			return fmt.Errorf("update exit request: %w", err)
		}
		after := plan.Membership
		out = &ExitOutcome{Request: req, Membership: view(&after, cp, now), Impact: plan.Impact}
		if sub != nil {
			out.chargeRef = sub.ChargeID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	if refund != nil && refund.Status == PaymentPending {
		// The exit is committed; a failed refund call is settled by the
		// refund's reconcile job.
		if settled, err := e.chargeWith(ctx, refund, reconcilePayload{Key: refund.Key, ChargeRef: out.chargeRef}, nil); err != nil {
			e.log.WarnContext(ctx, "exit refund left to its reconcile job", "fan", fanID, "refund", refund.Key, "err", err)
		} else {
			refund = settled
		}
	}
	out.Refund = refund
	e.log.InfoContext(ctx, "exit confirmed", "fan", fanID, "club", out.Request.ClubID, "option", out.Impact.Option)
	return out, nil
}

// applyExitPlan writes an exit plan in tx.
func applyExitPlan(ctx context.Context, tx Tx, req *ExitRequest, plan ExitPlan) error {
	m := plan.Membership
	if err := tx.SaveMemberships(ctx, []*Membership{&m}); err != nil {
		return fmt.Errorf("save membership: %w", err)
	}
	if c := plan.Impact.PointsConverted; c > 0 {
		if err := tx.AddGeneralPoints(ctx, m.FanID, c, "exit_conversion", "exit:"+req.ID+":convert"); err != nil {
			return fmt.Errorf("convert points: %w", err)
		}
	}
	if plan.Impact.HistoryDeleted {
		if err := tx.DeleteHistory(ctx, m.FanID, m.ClubID); err != nil {
			return fmt.Errorf("delete history: %w", err)
		}
	}
	if len(plan.Effects) > 0 {
		if err := tx.InsertEffects(ctx, plan.Effects); err != nil {
			return fmt.Errorf("insert effects: %w", err)
		}
	}
	return nil
}

// checkAnswers checks every challenge of req in order, outside any
// transaction, and returns the first one answered wrongly ("" when all
// pass). fan is the fan, read with the request when a password is asked.
// A password answer is checked in a password slot under the throttle key
// of the fan's handle, which login shares (ETOOMANY while it is locked).
func (e *Engine) checkAnswers(ctx context.Context, req *ExitRequest, fan *Fan, a ExitAnswers) (Challenge, error) {
	for _, c := range req.Challenges {
		switch c {
		case ChallengeConfirm:
			if !a.Confirm {
				return c, nil
			}
		case ChallengePassword:
			if a.Password == "" {
				return c, nil
			}
			if fan == nil || fan.PasswordHash == "" {
				return "", Errorf(EINTERNAL, "fan %d has no password hash", req.FanID)
			}
			ok, err := e.checkExitPassword(ctx, fan, a.Password)
			if err != nil {
				return "", err
			}
			if !ok {
				return c, nil
			}
		case ChallengeCaptcha:
			got := strings.ToLower(strings.TrimSpace(a.Captcha))
			want := strings.ToLower(req.CaptchaCode)
			if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
				return c, nil
			}
		case ChallengeSlider:
			if a.Slider == nil {
				return c, nil
			}
			d := *a.Slider - req.SliderTarget
			if d < 0 {
				d = -d
			}
			if d > req.SliderTolerance {
				return c, nil
			}
		default:
			return "", Errorf(EINTERNAL, "unknown challenge %s", describeChallenge(c))
		}
	}
	return "", nil
}

// checkExitPassword checks a fan's exit password under the throttle key
// of the fan's handle, which counts wrong passwords across exit requests
// and logins alike.
func (e *Engine) checkExitPassword(ctx context.Context, fan *Fan, password string) (bool, error) {
	th := e.auth.throttle
	key := th.handleKey(fan.Handle)
	if err := th.begin(key); err != nil {
		return false, err
	}
	ok, err := e.verifyPassword(ctx, fan.PasswordHash, password)
	if err != nil {
		th.cancel(key)
		return false, err
	}
	if ok {
		th.succeed(&key)
	}
	return ok, nil
}

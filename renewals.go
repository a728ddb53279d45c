package fanclub

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Job kinds of subscriptions. Each job names the subscription period (and
// retry) it was scheduled for and does nothing when the subscription has
// moved on, so a job left over from a canceled renewal is harmless.
const (
	// JobRenewSubscription charges a renewal (or a retry of a declined one).
	JobRenewSubscription = "subscription.renew"
	// JobRemindRenewal sends the reminder before a renewal.
	JobRemindRenewal = "subscription.remind"
	// JobEndSubscription ends a subscription that will not renew, at its
	// period end.
	JobEndSubscription = "subscription.end"
)

// renewalRef names the subscription period a job or a renewal charge is
// for: the subscription, its period index and its failed retries so far.
type renewalRef struct {
	SubID   int64 `json:"sub_id"`
	Period  int   `json:"period"`
	Retries int   `json:"retries"`
	// Anchor tells periods of different chains apart (a paid retry starts
	// a new chain at index 0).
	Anchor time.Time `json:"anchor"`
	// Status tells a renewal (active) from its retries (past_due).
	Status SubscriptionStatus `json:"status"`
}

// refOf is the current renewalRef of s.
func refOf(s *Subscription) renewalRef {
	return renewalRef{SubID: s.ID, Period: s.PeriodIndex, Retries: s.Retries, Anchor: s.Anchor, Status: s.Status}
}

// matches reports whether s is still at the period and retry r names.
func (r renewalRef) matches(s *Subscription) bool {
	return s.ID == r.SubID && s.PeriodIndex == r.Period && s.Retries == r.Retries && s.Anchor.Equal(r.Anchor) && s.Status == r.Status
}

// key renders r for job, payment and notification keys.
func (r renewalRef) key() string {
	return strconv.FormatInt(r.SubID, 10) + "/" + strconv.FormatInt(r.Anchor.Unix(), 10) + "/" + strconv.Itoa(r.Period) + "/" + string(r.Status) + "/" + strconv.Itoa(r.Retries)
}

// registerSubscriptionJobs registers the handlers of subscription jobs.
func (e *Engine) registerSubscriptionJobs() {
	e.HandleJobs(JobRenewSubscription, e.runRenewal)
	e.HandleJobs(JobRemindRenewal, e.runReminder)
	e.HandleJobs(JobEndSubscription, e.runEnd)
}

// scheduleSubscription enqueues the jobs a subscription's state calls for:
// its renewal (or retry) charge, the reminder before it, or its end.
func (e *Engine) scheduleSubscription(ctx context.Context, tx Tx, cp *clubPolicy, s *Subscription) error {
	ref := refOf(s)
	body, err := json.Marshal(ref)
	if err != nil {
		return fmt.Errorf("subscription job payload: %w", err)
	}
	var jobs []*Job
	if at, ok := RenewalDue(*s); ok {
		jobs = append(jobs, &Job{Kind: JobRenewSubscription, Key: JobRenewSubscription + "/" + ref.key(), Payload: body, DueAt: at})
	}
	if at, ok := ReminderAt(cp.policy.Paid, *s, cp.loc); ok && !at.Before(tx.Now()) {
		jobs = append(jobs, &Job{Kind: JobRemindRenewal, Key: JobRemindRenewal + "/" + ref.key(), Payload: body, DueAt: at})
	}
	if at, ok := EndDue(*s); ok {
		jobs = append(jobs, &Job{Kind: JobEndSubscription, Key: JobEndSubscription + "/" + ref.key(), Payload: body, DueAt: at})
	}
	if len(jobs) == 0 {
		return nil
	}
	if err := tx.EnqueueJobs(ctx, jobs); err != nil {
		return fmt.Errorf("schedule subscription %d: %w", s.ID, err)
	}
	return nil
}

// loadJobSubscription reads the subscription a job names, and its club.
func (e *Engine) loadJobSubscription(ctx context.Context, tx Tx, j *Job) (*Subscription, *clubPolicy, renewalRef, error) {
	var ref renewalRef
	if err := json.Unmarshal(j.Payload, &ref); err != nil {
		return nil, nil, ref, PermanentJobError(fmt.Errorf("payload of job %s: %w", j.Key, err))
	}
	s, err := tx.FindSubscription(ctx, ref.SubID)
	if err != nil {
		return nil, nil, ref, fmt.Errorf("find subscription %d: %w", ref.SubID, err)
	}
	cp, err := e.loadClub(ctx, tx, s.ClubID)
	if err != nil {
		return nil, nil, ref, err
	}
	return s, cp, ref, nil
}

// runRenewal charges a due renewal: the payment is recorded pending, the
// provider charged (outside any transaction, on the subscription's
// agreement when it has one) under the payment's key, and the answer
// settled with the job (settleRenewal). A crash in between leaves the
// job to run again: the same key returns the provider's first answer. A
// minor's renewal over the spending caps is declined (spending_cap) and
// settled at once, without asking the provider.
func (e *Engine) runRenewal(ctx context.Context, j *Job) error {
	var p *Payment
	var pl reconcilePayload
	err := e.inTx(ctx, true, func(tx Tx) error {
		p = nil
		s, cp, ref, err := e.loadJobSubscription(ctx, tx, j)
		if err != nil {
			return err
		}
		// A charge made by an earlier run whose answer was lost is
		// settled whatever the subscription did since (settleRenewal
		// refunds it when the subscription moved on).
		if prev, err := tx.FindPaymentByKey(ctx, "renewal/"+ref.key()); err == nil {
			if prev.Status == PaymentPending {
				p, pl = prev, reconcilePayload{Key: prev.Key, Agreement: s.AgreementID, Renewal: &ref}
			}
			return nil
		} else if !isNotFound(err) {
			return fmt.Errorf("find renewal payment: %w", err)
		}
		if at, due := RenewalDue(*s); !ref.matches(s) || !due || tx.Now().Before(at) {
			return nil // the subscription moved on: nothing to charge
		}
		q := &Payment{Key: "renewal/" + ref.key(), FanID: s.FanID, ClubID: s.ClubID, Kind: PaymentCharge, Purpose: PurposeRenewal,
			Amount: s.Price, Currency: s.Currency, Status: PaymentPending, CreatedAt: tx.Now()}
		if refusal := e.renewalCapRefusal(ctx, tx, cp, s, q.Key); refusal != nil {
			if ErrorCode(refusal) != ESPENDINGCAP {
				return refusal
			}
			// Over a minor's cap: declined without asking the provider,
			// and past due like any declined renewal (its retry comes a
			// day later, when the day's cap has room again).
			now := tx.Now()
			q.Status, q.DeclineCode, q.SettledAt = PaymentDeclined, ESPENDINGCAP, &now
			if _, err := tx.CreatePayment(ctx, q); err != nil {
				return fmt.Errorf("create renewal payment: %w", err)
			}
			e.log.Info("renewal over a minor's spending cap declined", "subscription", s.ID, "fan", s.FanID, "reason", refusal.Error())
			if err := e.settleRenewal(ctx, tx, q, ref, false); err != nil {
				return err
			}
			return e.FinishJobInTx(ctx, tx, j)
		}
		if _, err := tx.CreatePayment(ctx, q); err != nil {
			return fmt.Errorf("create renewal payment: %w", err)
		}
		p, pl = q, reconcilePayload{Key: q.Key, Agreement: s.AgreementID, Renewal: &ref}
		return nil
	})
	if err != nil || p == nil || p.Status != PaymentPending {
		return err
	}
	if e.payments == nil {
		return Errorf(EINTERNAL, "No payment provider is configured.")
	}
	_, err = e.chargeWith(ctx, p, pl, j)
	return err
}

// settleRenewal applies a renewal charge's outcome to its subscription in
// the charge's settlement transaction: a new period (and a charge notice
// where the policy sends one) or a decline (past due, a retry scheduled,
// or the end after the last retry); then the jobs of the new state.
func (e *Engine) settleRenewal(ctx context.Context, tx Tx, p *Payment, ref renewalRef, ok bool) error {
	s, err := tx.FindSubscription(ctx, ref.SubID)
	if err != nil {
		return fmt.Errorf("find subscription %d: %w", ref.SubID, err)
	}
	if !ref.matches(s) {
		// The subscription moved on (canceled, revoked, ended) while the
		// answer to a charge made at the renewal was lost: it pays for
		// nothing now, so a charge that went through is given back.
		if ok {
			return e.scheduleRefund(ctx, tx, p, p.Amount, PurposeRenewalRefund, p.Key+"/refund")
		}
		return nil
	}
	cp, err := e.loadClub(ctx, tx, s.ClubID)
	if err != nil {
		return err
	}
	now := tx.Now()
	var next Subscription
	if ok {
		next = RenewalSucceeded(*s, p.ProviderRef, now, cp.loc)
	} else {
		next = RenewalDeclined(*s, now)
	}
	if err := tx.UpdateSubscription(ctx, &next); err != nil {
		return fmt.Errorf("update subscription %d: %w", s.ID, err)
	}
	if ok {
		if err := e.chargeNotice(ctx, tx, cp, &next, p); err != nil {
			return err
		}
	}
	return e.scheduleSubscription(ctx, tx, cp, &next)
}

// runReminder sends the reminder of an upcoming renewal.
func (e *Engine) runReminder(ctx context.Context, j *Job) error {
	return e.inTx(ctx, true, func(tx Tx) error {
		s, cp, ref, err := e.loadJobSubscription(ctx, tx, j)
		if err != nil {
			return err
		}
		at, due := RenewalDue(*s)
		if !ref.matches(s) || !due || s.Status != SubActive {
			return nil
		}
		n, err := NewNotification(cp.policy, NotifyRenewalReminder, NotificationID(NotifyRenewalReminder, "sub", ref.key()),
			FanRecipient(s.FanID), s.ClubID, tx.Now(), NotificationFacts{Club: cp.club.Name, Amount: s.Price, Currency: s.Currency, Time: at, Tier: s.Tier})
		if err != nil {
			return err
		}
		if err := e.notify(ctx, tx, []*Notification{n}); err != nil {
			return err
		}
		return e.FinishJobInTx(ctx, tx, j)
	})
}

// runEnd ends a subscription that did not renew, at its period end.
func (e *Engine) runEnd(ctx context.Context, j *Job) error {
	return e.inTx(ctx, true, func(tx Tx) error {
		s, _, ref, err := e.loadJobSubscription(ctx, tx, j)
		if err != nil {
			return err
		}
		at, due := EndDue(*s)
		if !ref.matches(s) || !due || tx.Now().Before(at) {
			return nil
		}
		next := EndSubscription(*s, at)
		if err := tx.UpdateSubscription(ctx, &next); err != nil {
			return fmt.Errorf("update subscription %d: %w", s.ID, err)
		}
		return e.FinishJobInTx(ctx, tx, j)
	})
}

// chargeNotice sends the notice of a charge where the policy announces
// every charge: when it was made, how much, and how to stop renewal.
func (e *Engine) chargeNotice(ctx context.Context, tx Tx, cp *clubPolicy, s *Subscription, p *Payment) error {
	if !cp.policy.Paid.AutoRenew.ChargeNotice {
		return nil
	}
	n, err := NewNotification(cp.policy, NotifyChargeNotice, NotificationID(NotifyChargeNotice, "payment", p.Key),
		FanRecipient(p.FanID), s.ClubID, tx.Now(), NotificationFacts{Club: cp.club.Name, Amount: p.Amount, Currency: p.Currency, Time: tx.Now(), Tier: s.Tier})
	if err != nil {
		return err
	}
	return e.notify(ctx, tx, []*Notification{n})
}

// refundReceipt sends the receipt of a refund.
func (e *Engine) refundReceipt(ctx context.Context, tx Tx, p *Payment) error {
	if p.ClubID == 0 {
		return nil
	}
	cp, err := e.loadClub(ctx, tx, p.ClubID)
	if err != nil {
		return err
	}
	n, err := NewNotification(cp.policy, NotifyRefundReceipt, NotificationID(NotifyRefundReceipt, "payment", p.Key),
		FanRecipient(p.FanID), p.ClubID, tx.Now(), NotificationFacts{Club: cp.club.Name, Amount: p.Amount, Currency: p.Currency, Time: tx.Now()})
	if err != nil {
		return err
	}
	return e.notify(ctx, tx, []*Notification{n})
}

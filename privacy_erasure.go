package fanclub

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// JobAnonymiseTransactions anonymises an erased fan's transaction
// records when their legal hold ends.
const JobAnonymiseTransactions = "data.anonymise"

// ErasureBasis is the basis of a fan's own erasure request.
const ErasureBasis = "erasure request (PIPL Art. 47, GDPR Art. 17)"

// ErasureRequest is a fan's request to erase the whole account. Without
// Confirm it is a preview and changes nothing.
type ErasureRequest struct {
	Confirm bool `json:"confirm"`
}

// ErasureExit is one membership an erasure exits: the exit choices it
// makes and the exit's impact.
type ErasureExit struct {
	ClubID  int64             `json:"club_id"`
	Choices map[string]string `json:"choices,omitempty"`
	Impact  ExitImpact        `json:"impact"`
}

// Erasure is what an erasure of a fan's account does (a preview) or did
// (confirmed): every active membership exited under its club's policy
// (the data rules of each decide its behaviour log, devices and follow),
// every renewal still due stopped as its club's policy stops it, then the
// account erased, and the transaction records held for the longest legal
// hold of the fan's clubs, then anonymised.
type Erasure struct {
	FanID     int64         `json:"fan_id"`
	Confirmed bool          `json:"confirmed"`
	At        time.Time     `json:"at"`
	Exits     []ErasureExit `json:"exits"`
	// Renewals are the subscriptions still renewing after the exits, and
	// how their renewal is stopped.
	Renewals []ErasureRenewal `json:"renewals"`
	// Account is the account data erased at once.
	Account DataStep `json:"account"`
	// Transactions is the transaction records' hold and anonymisation.
	Transactions DataStep `json:"transactions"`
	// Receipts are the receipts the erasure wrote (confirmed only).
	Receipts []DeletionReceipt `json:"receipts,omitempty"`
}

// anonymisePayload is an data.anonymise job's input.
type anonymisePayload struct {
	FanID int64  `json:"fan_id"`
	Rule  string `json:"rule"`
	Basis string `json:"basis"`
}

// registerPrivacyJobs registers the handlers of the dimension-5 jobs.
func (e *Engine) registerPrivacyJobs() {
	e.HandleJobs(JobPurgeData, e.runPurge)
	e.HandleJobs(JobAnonymiseTransactions, e.runAnonymise)
}

// EraseAccount previews or, with req.Confirm, runs the erasure of a
// fan's whole account (a rights request; an admin may run it for a fan).
// Each active membership is exited as a confirmed exit with the policy's
// default choices (and unfollow where the policy lets the fan choose),
// without challenges: the confirmation of the erasure stands for them.
// Then every renewal still due (in any club, member or not) is stopped as
// the club's policy stops it (stopRenewals), so nothing is charged after
// the erasure. Then the account is erased (EraseFan), kept progress and
// daily counters of every club deleted (with the data erasures that
// waited for that progress: eraseWaitingData), follows removed except
// those a club's policy keeps, and the transaction records held (hold
// receipt) and anonymised by a job when the hold ends (anonymisation).
// The steps commit one by one; after a failed one, a repeated erasure
// does what is left.
func (e *Engine) EraseAccount(ctx context.Context, fanID int64, req ErasureRequest) (*Erasure, error) {
	er, err := e.planErasure(ctx, fanID)
	if err != nil || !req.Confirm {
		return er, err
	}
	for _, x := range er.Exits {
		r, err := e.RequestExit(ctx, fanID, x.ClubID, x.Choices)
		if err != nil {
			return nil, fmt.Errorf("exit club %d: %w", x.ClubID, err)
		}
		if _, err := e.applyConfirm(ctx, fanID, r.ID, ""); err != nil {
			return nil, fmt.Errorf("exit club %d: %w", x.ClubID, err)
		}
	}
	if er.Renewals, err = e.stopRenewals(ctx, fanID); err != nil {
		return nil, err
	}
	err = e.inTx(ctx, true, func(tx Tx) error {
		er.Receipts = nil
		rs, err := e.eraseAccountTx(ctx, tx, fanID, er)
		er.Receipts = rs
		return err
	})
	if err != nil {
		return nil, err
	}
	er.Confirmed = true
	e.log.InfoContext(ctx, "account erased", "fan", fanID, "exits", len(er.Exits))
	return er, nil
}

// erasureChoices are the exit choices of an erasure under p: unfollow
// where the policy lets the fan choose, the defaults otherwise.
func erasureChoices(p *Policy) map[string]string {
	if p.Data.Follow == FollowFanChoice {
		return map[string]string{ChoiceFollow: ChoiceUnfollow}
	}
	return nil
}

// planErasure computes an erasure's preview at the store clock's time.
func (e *Engine) planErasure(ctx context.Context, fanID int64) (*Erasure, error) {
	var er *Erasure
	err := e.inTx(ctx, false, func(tx Tx) error {
		now := tx.Now()
		if _, err := tx.FindFanByID(ctx, fanID); err != nil {
			return fmt.Errorf("find fan %d: %w", fanID, err)
		}
		ms, err := tx.ListMemberships(ctx, fanID, 0)
		if err != nil {
			return fmt.Errorf("list memberships: %w", err)
		}
		er = &Erasure{FanID: fanID, At: now, Exits: []ErasureExit{}}
		var (
			hold  LegalHold
			until time.Time // the end of the longest hold
		)
		for _, m := range ms {
			cp, err := e.loadClub(ctx, tx, m.ClubID)
			if err != nil {
				return err
			}
			if h, ok := transactionHold(cp.policy); ok {
				if end, _ := h.Retention.End(now, cp.loc); end.After(until) {
					hold, until = h, end.UTC()
				}
			}
			if m.Status != StatusActive {
				continue
			}
			ch := erasureChoices(cp.policy)
			plan, _, err := e.planExitTx(ctx, tx, cp, m, ch, now)
			if err != nil {
				return err
			}
			er.Exits = append(er.Exits, ErasureExit{ClubID: m.ClubID, Choices: ch, Impact: plan.Impact})
		}
		if er.Renewals, err = e.planRenewalStops(ctx, tx, fanID, er.Exits, now); err != nil {
			return err
		}
		t := now
		er.Account = DataStep{Category: DataAccount, Action: DataErase, At: &t, Rule: "erasure request", Basis: ErasureBasis}
		er.Transactions = DataStep{Category: DataTransactionRecords, Action: DataAnonymise, At: &t,
			Rule: "no legal hold of transaction records", Basis: ErasureBasis}
		if !until.IsZero() {
			er.Transactions.At = &until
			er.Transactions.Rule = "data.legalHolds: " + hold.Records + " " + hold.Retention.String()
			er.Transactions.Basis = hold.Basis
		}
		er.Transactions, _, err = anonymisation(ctx, tx, fanID, er.Transactions, now)
		return err
	})
	return er, err
}

// anonymisation returns the anonymisation of a fan's transaction records
// an erasure at now makes, and the data.anonymise job to enqueue for it
// (nil when there is none to enqueue). While an earlier erasure's job is
// pending, the records are held until it runs: the step is that job's
// (its due time, rule and basis) and nothing is enqueued. Otherwise the
// step is planned (the longest hold counted from now), run by a job under
// the fan's key, or, when the job of that key has ended (an earlier
// anonymisation ran), under the key with the erasure's time added.
func anonymisation(ctx context.Context, tx Tx, fanID int64, planned DataStep, now time.Time) (DataStep, *Job, error) {
	key := JobAnonymiseTransactions + "/" + strconv.FormatInt(fanID, 10)
	j, err := tx.FindJob(ctx, key)
	switch {
	case isNotFound(err):
	case err != nil:
		return DataStep{}, nil, fmt.Errorf("find anonymisation: %w", err)
	case j.State == JobPending:
		var p anonymisePayload
		if err := json.Unmarshal(j.Payload, &p); err != nil {
			return DataStep{}, nil, fmt.Errorf("anonymise payload: %w", err)
		}
		due := j.DueAt.UTC()
		return DataStep{Category: DataTransactionRecords, Action: DataAnonymise, At: &due, Rule: p.Rule, Basis: p.Basis}, nil, nil
	default:
		key += "/" + strconv.FormatInt(now.UnixNano(), 10)
	}
	body, err := json.Marshal(anonymisePayload{FanID: fanID, Rule: planned.Rule, Basis: planned.Basis})
	if err != nil {
		return DataStep{}, nil, fmt.Errorf("anonymise payload: %w", err)
	}
	return planned, &Job{Kind: JobAnonymiseTransactions, Key: key, Payload: body, DueAt: *planned.At}, nil
}

// eraseAccountTx erases the account in tx after its memberships were
// exited, and returns the receipts it wrote.
func (e *Engine) eraseAccountTx(ctx context.Context, tx Tx, fanID int64, er *Erasure) ([]DeletionReceipt, error) {
	now := tx.Now()
	ms, err := tx.ListMemberships(ctx, fanID, 0)
	if err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	keptFollows := map[int64]bool{}
	var progress int64
	var rs []*DeletionReceipt
	for _, m := range ms {
		cp, err := e.loadClub(ctx, tx, m.ClubID)
		if err != nil {
			return nil, err
		}
		if cp.policy.Data.Follow == FollowKeep {
			keptFollows[cp.club.CreatorID] = true
		}
		if err := tx.DeleteHistory(ctx, fanID, m.ClubID); err != nil {
			return nil, fmt.Errorf("delete history: %w", err)
		}
		waited, err := e.eraseWaitingData(ctx, tx, cp, m, now)
		if err != nil {
			return nil, err
		}
		rs = append(rs, waited...)
		if m.Retained != nil || m.LevelPoints != 0 || m.Level != 0 {
			m.Retained, m.Level, m.LevelPoints = nil, 0, 0
			m.Version++
			if err := tx.SaveMemberships(ctx, []*Membership{m}); err != nil {
				return nil, fmt.Errorf("save membership: %w", err)
			}
			progress++
		}
	}
	follows, err := tx.ListFollows(ctx, fanID)
	if err != nil {
		return nil, fmt.Errorf("list follows: %w", err)
	}
	var unfollowed int64
	for _, f := range follows {
		if keptFollows[f.CreatorID] {
			continue
		}
		if _, err := tx.DeleteFollow(ctx, fanID, f.CreatorID); err != nil {
			return nil, fmt.Errorf("remove follow: %w", err)
		}
		unfollowed++
	}
	n, err := tx.EraseFan(ctx, fanID)
	if err != nil {
		return nil, fmt.Errorf("erase fan: %w", err)
	}
	rs = append(rs, []*DeletionReceipt{
		{FanID: fanID, Category: DataAccount, Action: DataErase, Count: n.Account + progress, At: now, Rule: er.Account.Rule, Basis: er.Account.Basis},
		{FanID: fanID, Category: DataAge, Action: DataErase, Count: n.Age, At: now, Rule: "erasure request: birth date, verification method and reference", Basis: ErasureBasis},
		{FanID: fanID, Category: DataImports, Action: DataErase, Count: n.Imports, At: now, Rule: "erasure request: imported histories", Basis: ErasureBasis},
		{FanID: fanID, Category: DataFollow, Action: DataErase, Count: unfollowed, At: now, Rule: "erasure request: follows no club policy keeps", Basis: ErasureBasis},
	}...)
	t, job, err := anonymisation(ctx, tx, fanID, er.Transactions, now)
	if err != nil {
		return nil, err
	}
	er.Transactions = t
	if t.At.After(now) {
		until := *t.At // the due time of the job that ends the hold
		rs = append(rs, &DeletionReceipt{FanID: fanID, Category: DataTransactionRecords, Action: DataHold, At: now, Until: &until, Rule: t.Rule, Basis: t.Basis})
	}
	if job != nil {
		if err := tx.EnqueueJobs(ctx, []*Job{job}); err != nil {
			return nil, fmt.Errorf("enqueue anonymisation: %w", err)
		}
	}
	if err := tx.AddReceipts(ctx, rs); err != nil {
		return nil, fmt.Errorf("add receipts: %w", err)
	}
	out := make([]DeletionReceipt, len(rs))
	for i, r := range rs {
		out[i] = *r
	}
	return out, nil
}

// eraseWaitingData does now, in an erasure's transaction, the erasures of
// m's last exit that wait for the progress it kept (erasedWithProgress:
// a "0" log retention, deviceIds erase), since the erasure deletes that
// progress: the device records at once, with a receipt it returns, and
// the behaviour log by a data.purge job due now over the same tenure
// (its receipt when it runs); the jobs that waited are canceled.
func (e *Engine) eraseWaitingData(ctx context.Context, tx Tx, cp *clubPolicy, m *Membership, now time.Time) ([]*DeletionReceipt, error) {
	if !cp.policy.Data.ErasedWithProgress || !RestoresProgress(*m, now) {
		return nil, nil
	}
	const why = "; the kept progress erased by the account erasure"
	var rs []*DeletionReceipt
	var cancel []string
	for _, s := range PlanDataExit(cp.policy, cp.loc, nil, m.LeftAt, nil, false).Steps {
		if s.Action != DataErase || s.At == nil || !s.At.Equal(m.LeftAt.UTC()) {
			continue // not an erasure due at the exit: it never waited
		}
		s.Rule += ", erasedWithProgress" + why
		s.Basis = ErasureBasis
		switch s.Category {
		case DataDeviceIDs:
			n, err := tx.DeleteDevices(ctx, m.FanID, m.ClubID)
			if err != nil {
				return nil, fmt.Errorf("erase devices: %w", err)
			}
			rs = append(rs, stepReceipt(m.FanID, m.ClubID, s, n, now))
		case DataBehaviourLog:
			t := now
			s.At = &t
			j, err := purgeJob(m.FanID, m.ClubID, m.LeftAt, m.LeftAt.Add(e.limits.EventSkew), s)
			if err != nil {
				return nil, err
			}
			j.Key += "/erasure"
			if err := tx.EnqueueJobs(ctx, []*Job{j}); err != nil {
				return nil, fmt.Errorf("enqueue log purge: %w", err)
			}
		default:
			continue
		}
		cancel = append(cancel, purgeKey(s.Category, m.FanID, m.ClubID, m.LeftAt))
	}
	if len(cancel) > 0 {
		if err := tx.CancelJobs(ctx, cancel); err != nil {
			return nil, fmt.Errorf("cancel waiting purges: %w", err)
		}
	}
	return rs, nil
}

// runAnonymise runs a data.anonymise job: the fan's payments and gifts
// get a random negative pseudonym instead of the fan id, with a receipt,
// in one transaction with the job's end. While one of the fan's payments
// is pending (its reconcile job finds it by its key), or a week holding
// one of the fan's gifts has not settled (its settlement ties the gifts
// to the fan's exit by fan id), the job fails and is retried later. Ledger transfers stay as they are: balances derive
// from them.
func (e *Engine) runAnonymise(ctx context.Context, job *Job) error {
	var p anonymisePayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return PermanentJobError(fmt.Errorf("anonymise payload: %w", err))
	}
	b, err := e.randomBytes(8)
	if err != nil {
		return err
	}
	pseudonym := -int64(binary.BigEndian.Uint64(b)>>2) - 1
	return e.inTx(ctx, true, func(tx Tx) error {
		// A payment still pending (a refund of the erasure's exits not yet
		// settled) is found by its key by its reconcile job: wait for it.
		ps, err := tx.ListPayments(ctx, p.FanID)
		if err != nil {
			return fmt.Errorf("list payments: %w", err)
		}
		for _, pay := range ps {
			if pay.Status == PaymentPending {
				return fmt.Errorf("payment %d is still pending; anonymising after it settles", pay.ID)
			}
		}
		if clubID, week, ok, err := e.unsettledGiftWeek(ctx, tx, p.FanID); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("club %d has not settled the week of %s, which holds the fan's gifts; anonymising after it settles", clubID, week.Format(time.RFC3339))
		}
		n, err := tx.AnonymiseTransactions(ctx, p.FanID, pseudonym)
		if err != nil {
			return fmt.Errorf("anonymise transactions: %w", err)
		}
		r := &DeletionReceipt{FanID: p.FanID, Category: DataTransactionRecords, Action: DataAnonymise, Count: n, At: tx.Now(), Rule: p.Rule, Basis: p.Basis}
		if err := tx.AddReceipts(ctx, []*DeletionReceipt{r}); err != nil {
			return fmt.Errorf("add receipt: %w", err)
		}
		return e.FinishJobInTx(ctx, tx, job)
	})
}

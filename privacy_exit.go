package fanclub

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// JobPurgeData runs a deferred step of an exit's data plan: the purge of
// the behaviour log after its retention, or the erasure of device
// identifiers at the end of a kept progress window.
const JobPurgeData = "data.purge"

// purgePayload is a data.purge job's input: the exit it belongs to and
// the plan step it runs.
type purgePayload struct {
	FanID  int64     `json:"fan_id"`
	ClubID int64     `json:"club_id"`
	ExitAt time.Time `json:"exit_at"`
	// UpTo is the latest event time a log purge covers: the exit plus the
	// event skew of the exiting engine (Limits.EventSkew), since events
	// dated that far ahead were accepted during the tenure. Zero in jobs
	// enqueued before it existed: the exit plus this engine's skew.
	UpTo     time.Time    `json:"up_to,omitzero"`
	Category DataCategory `json:"category"`
	Rule     string       `json:"rule"`
	Basis    string       `json:"basis"`
	// Keep is the actions whose events a behaviour-log purge keeps.
	Keep []Action `json:"keep,omitempty"`
}

// followChoiceError checks the follow exit choice: only "unfollow", and
// only under a policy whose follow rule is fan_choice.
func followChoiceError(p *Policy, v string) *FieldError {
	switch {
	case p.Data.Follow != FollowFanChoice:
		return &FieldError{Path: "choices.follow", Found: v, Allowed: "(none: the policy's follow rule is " + string(p.Data.Follow) + ")",
			Message: "the policy does not let the fan choose"}
	case v != ChoiceUnfollow:
		return &FieldError{Path: "choices.follow", Found: v, Allowed: ChoiceUnfollow, Message: "unknown follow choice"}
	}
	return nil
}

// applyDataExit executes the data steps of a confirmed exit in its
// transaction: what is due at exit now (device identifiers erased, the
// follow removed, each with a receipt), device records set to react to
// later sightings as the policy says, and a data.purge job for every
// step due later. The behaviour log is always purged by a job, even at
// exit: a large log is deleted outside the exit's transaction.
func (e *Engine) applyDataExit(ctx context.Context, tx Tx, cp *clubPolicy, fanID int64, d *DataExitPlan) error {
	if d == nil {
		return nil
	}
	now := tx.Now()
	var receipts []*DeletionReceipt
	var jobs []*Job
	for _, s := range d.Steps {
		due := s.Action == DataErase && s.At != nil && !s.At.After(now)
		switch s.Category {
		case DataDeviceIDs:
			switch {
			case due:
				n, err := tx.DeleteDevices(ctx, fanID, cp.club.ID)
				if err != nil {
					return fmt.Errorf("erase devices: %w", err)
				}
				receipts = append(receipts, stepReceipt(fanID, cp.club.ID, s, n, now))
				continue
			case s.Action == DataRefresh:
				if err := tx.SetDeviceState(ctx, fanID, cp.club.ID, DeviceRefreshed); err != nil {
					return fmt.Errorf("set device state: %w", err)
				}
			default: // kept, or erased later: later sightings leave them alone
				if err := tx.SetDeviceState(ctx, fanID, cp.club.ID, DeviceFrozen); err != nil {
					return fmt.Errorf("set device state: %w", err)
				}
			}
		case DataFollow:
			if due {
				gone, err := tx.DeleteFollow(ctx, fanID, cp.club.CreatorID)
				if err != nil {
					return fmt.Errorf("remove follow: %w", err)
				}
				receipts = append(receipts, stepReceipt(fanID, cp.club.ID, s, boolCount(gone), now))
			}
			continue
		}
		if s.Action != DataErase || s.At == nil {
			continue
		}
		j, err := purgeJob(fanID, cp.club.ID, now, now.Add(e.limits.EventSkew), s)
		if err != nil {
			return err
		}
		jobs = append(jobs, j)
	}
	if len(receipts) > 0 {
		if err := tx.AddReceipts(ctx, receipts); err != nil {
			return fmt.Errorf("add receipts: %w", err)
		}
	}
	if len(jobs) > 0 {
		if err := tx.EnqueueJobs(ctx, jobs); err != nil {
			return fmt.Errorf("enqueue purges: %w", err)
		}
	}
	return nil
}

// purgeJob is the data.purge job of an exit's step, due at the step's
// time; a log purge covers the events up to upTo.
func purgeJob(fanID, clubID int64, exitAt, upTo time.Time, s DataStep) (*Job, error) {
	body, err := json.Marshal(purgePayload{FanID: fanID, ClubID: clubID, ExitAt: exitAt.UTC(), UpTo: upTo.UTC(), Category: s.Category,
		Rule: s.Rule, Basis: s.Basis, Keep: s.Keep})
	if err != nil {
		return nil, fmt.Errorf("purge payload: %w", err)
	}
	return &Job{Kind: JobPurgeData, Key: purgeKey(s.Category, fanID, clubID, exitAt), Payload: body, DueAt: *s.At}, nil
}

// purgeKey is the key of the data.purge job of an exit's step.
func purgeKey(c DataCategory, fanID, clubID int64, exitAt time.Time) string {
	return JobPurgeData + "/" + string(c) + "/" + strconv.FormatInt(fanID, 10) + "/" + strconv.FormatInt(clubID, 10) +
		"/" + strconv.FormatInt(exitAt.UnixNano(), 10)
}

// stepReceipt is the receipt of a data step executed now.
func stepReceipt(fanID, clubID int64, s DataStep, n int64, at time.Time) *DeletionReceipt {
	return &DeletionReceipt{FanID: fanID, ClubID: clubID, Category: s.Category, Action: DataErase, Count: n, At: at, Rule: s.Rule, Basis: s.Basis}
}

// boolCount is 1 for true, 0 for false.
func boolCount(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// runPurge runs a data.purge job: it deletes the step's data and writes
// its receipt, with the count deleted and kept, in one transaction with
// the job's end. A log purge deletes the ended tenure's events: those
// dated up to the exit plus the event skew, but none dated at or after a
// later rejoin, and keeps those of the step's Keep actions. What the fan
// did since does not stop it: a rejoin that restored the exit's kept
// progress canceled the job (rejoinPurges). A job enqueued before UpTo
// existed still does nothing when the fan has rejoined since the exit, as
// it did then.
func (e *Engine) runPurge(ctx context.Context, job *Job) error {
	var p purgePayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return PermanentJobError(fmt.Errorf("purge payload: %w", err))
	}
	return e.inTx(ctx, true, func(tx Tx) error {
		m, err := tx.FindMembership(ctx, p.FanID, p.ClubID)
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("find membership: %w", err)
		}
		rejoined := err == nil && (m.Status != StatusLeft || !m.LeftAt.Equal(p.ExitAt))
		if rejoined && p.UpTo.IsZero() {
			return e.FinishJobInTx(ctx, tx, job)
		}
		var res EventPurge
		switch p.Category {
		case DataDeviceIDs:
			res.Deleted, err = tx.DeleteDevices(ctx, p.FanID, p.ClubID)
		case DataBehaviourLog:
			upTo := p.upTo(e.limits.EventSkew)
			if rejoined && m.JoinedAt.After(p.ExitAt) && !m.JoinedAt.After(upTo) {
				upTo = m.JoinedAt.Add(-time.Nanosecond) // the new tenure's events stay
			}
			res, err = tx.PurgeEvents(ctx, p.FanID, p.ClubID, upTo, p.Keep)
		default:
			return PermanentJobError(fmt.Errorf("no purge for category %q", p.Category))
		}
		if err != nil {
			return fmt.Errorf("purge %s: %w", p.Category, err)
		}
		r := &DeletionReceipt{FanID: p.FanID, ClubID: p.ClubID, Category: p.Category, Action: DataErase, Count: res.Deleted, Kept: res.Kept,
			At: tx.Now(), Rule: p.Rule, Basis: p.Basis}
		if err := tx.AddReceipts(ctx, []*DeletionReceipt{r}); err != nil {
			return fmt.Errorf("add receipt: %w", err)
		}
		return e.FinishJobInTx(ctx, tx, job)
	})
}

// rejoinPurges settles, in a rejoin's transaction, the data.purge jobs
// still pending of the exit the rejoin follows (prev: the membership
// before it). A rejoin that restores the progress that exit kept
// (RestoresProgress) continues the ended tenure: the purges due later
// than the exit (after a retention, or with the kept progress) are
// canceled, and the log and devices stay with the restored progress until
// a later exit plans their fate again; a purge due at the exit itself
// still runs. Any other rejoin starts a new tenure: the log purge still
// runs (it spares events dated from the rejoin on), and a device erasure
// that waited for the kept progress is done now, before the new tenure
// records any device, with its receipt.
func (e *Engine) rejoinPurges(ctx context.Context, tx Tx, prev Membership, now time.Time) error {
	restored := RestoresProgress(prev, now)
	for _, c := range []DataCategory{DataBehaviourLog, DataDeviceIDs} {
		key := purgeKey(c, prev.FanID, prev.ClubID, prev.LeftAt)
		j, err := tx.FindJob(ctx, key)
		if isNotFound(err) {
			continue
		} else if err != nil {
			return fmt.Errorf("find purge: %w", err)
		}
		switch {
		case j.State != JobPending:
			continue
		case restored && j.DueAt.After(prev.LeftAt):
		case !restored && c == DataDeviceIDs:
			if err := erasePurgeDevicesNow(ctx, tx, j, now); err != nil {
				return err
			}
		default:
			continue
		}
		if err := tx.CancelJobs(ctx, []string{key}); err != nil {
			return fmt.Errorf("cancel purge: %w", err)
		}
	}
	return nil
}

// erasePurgeDevicesNow does in tx, at now, the device erasure a pending
// data.purge job j would do, with the job's receipt; the caller cancels j.
func erasePurgeDevicesNow(ctx context.Context, tx Tx, j *Job, now time.Time) error {
	var p purgePayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return fmt.Errorf("device purge payload: %w", err)
	}
	n, err := tx.DeleteDevices(ctx, p.FanID, p.ClubID)
	if err != nil {
		return fmt.Errorf("erase devices: %w", err)
	}
	r := &DeletionReceipt{FanID: p.FanID, ClubID: p.ClubID, Category: DataDeviceIDs, Action: DataErase, Count: n, At: now, Rule: p.Rule, Basis: p.Basis}
	if err := tx.AddReceipts(ctx, []*DeletionReceipt{r}); err != nil {
		return fmt.Errorf("add receipt: %w", err)
	}
	return nil
}

// upTo is the latest event time the purge covers: UpTo, or for a job
// enqueued before UpTo existed the exit plus skew.
func (p purgePayload) upTo(skew time.Duration) time.Time {
	if !p.UpTo.IsZero() {
		return p.UpTo
	}
	return p.ExitAt.Add(skew)
}

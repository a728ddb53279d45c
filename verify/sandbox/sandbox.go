// Package sandbox is the built-in identity verifier: it checks nothing
// and passes every check, unless it was told to fail a fan's age checks
// or face checks (for tests and demos). It keeps its checks and its rules
// in the fanclub store, as payment records under its own provider names,
// so that several serve processes and the simulator share them; a check
// retried under the same key returns the first answer.
package sandbox

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"fanclub"
	"fanclub/verify"
)

// Name is the verifier's name, as its checks are stored under.
const Name = "verify-sandbox"

// rulesName is the provider name its failure rules are stored under.
const rulesName = Name + "/rules"

// Check kinds, as stored.
const (
	kindAge  = "age"
	kindFace = "face"
	kindRule = "rule"
)

// Stored statuses.
const (
	statusPassed = "passed"
	statusFailed = "failed"
	ruleOn       = "on"
	ruleOff      = "off"
)

// Verifier is the sandbox verifier; it implements verify.Verifier and is
// safe for concurrent use.
type Verifier struct {
	store fanclub.Store
}

var _ verify.Verifier = (*Verifier)(nil)

// New returns a sandbox verifier keeping its records in store.
func New(store fanclub.Store) *Verifier { return &Verifier{store: store} }

// Name returns "verify-sandbox".
func (v *Verifier) Name() string { return Name }

// VerifyAge passes unless the fan's age checks are set to fail.
func (v *Verifier) VerifyAge(ctx context.Context, r verify.AgeRequest) (*verify.Result, error) {
	return v.check(ctx, kindAge, r.Key, r.FanID, "the sandbox was told to fail this fan's age checks")
}

// VerifyFace passes unless the fan's face checks are set to fail.
func (v *Verifier) VerifyFace(ctx context.Context, r verify.FaceRequest) (*verify.Result, error) {
	return v.check(ctx, kindFace, r.Key, r.FanID, "the face did not match the account's verified holder (sandbox rule)")
}

// FailAge turns failing a fan's age checks on or off.
func (v *Verifier) FailAge(ctx context.Context, fanID int64, on bool) error {
	return v.setRule(ctx, kindAge, fanID, on)
}

// FailFace turns failing a fan's face checks on or off.
func (v *Verifier) FailFace(ctx context.Context, fanID int64, on bool) error {
	return v.setRule(ctx, kindFace, fanID, on)
}

// ruleKey is the stored key of a failure rule.
func ruleKey(kind string, fanID int64) string { return kind + ":" + strconv.FormatInt(fanID, 10) }

// check answers a check of kind under key, storing it on first use.
func (v *Verifier) check(ctx context.Context, kind, key string, fanID int64, reason string) (*verify.Result, error) {
	if key == "" || fanID < 1 {
		return nil, fanclub.Errorf(fanclub.EINVALID, "A check needs a key and a fan.")
	}
	var out *verify.Result
	err := v.inTx(ctx, func(tx fanclub.Tx) error {
		status := statusPassed
		if r, err := tx.FindPaymentRecordByKey(ctx, rulesName, ruleKey(kind, fanID)); err == nil && r.Status == ruleOn {
			status = statusFailed
		} else if err != nil && fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
			return err
		}
		got, err := tx.SavePaymentRecord(ctx, &fanclub.PaymentRecord{Provider: Name, Kind: kind, Key: kind + "/" + key, FanID: fanID, Status: status})
		if err != nil {
			return err
		}
		if got.ID == "" {
			got.ID = fmt.Sprintf("vfy_%06d", got.Seq)
			if err := tx.UpdatePaymentRecord(ctx, got); err != nil {
				return err
			}
		}
		out = &verify.Result{Ref: got.ID, Passed: got.Status == statusPassed}
		if !out.Passed {
			out.Reason = reason
		}
		return nil
	})
	return out, err
}

// setRule stores a failure rule's state.
func (v *Verifier) setRule(ctx context.Context, kind string, fanID int64, on bool) error {
	if fanID < 1 {
		return fanclub.Errorf(fanclub.EINVALID, "A fan id is a positive integer, not %d.", fanID)
	}
	status := ruleOff
	if on {
		status = ruleOn
	}
	return v.inTx(ctx, func(tx fanclub.Tx) error {
		got, err := tx.SavePaymentRecord(ctx, &fanclub.PaymentRecord{Provider: rulesName, Kind: kindRule, Key: ruleKey(kind, fanID), FanID: fanID, Status: status})
		if err != nil || got.Status == status {
			return err
		}
		got.Status, got.UpdatedAt = status, time.Time{}
		return tx.UpdatePaymentRecord(ctx, got)
	})
}

// inTx runs fn in a write transaction, again while the store reports a
// retryable conflict (up to fanclub.MaxTxAttempts runs).
func (v *Verifier) inTx(ctx context.Context, fn func(tx fanclub.Tx) error) error {
	return fanclub.RetryWriteTx(ctx, v.store, fanclub.MaxTxAttempts, fn)
}

package fanclub

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fanclub/verify"
)

// AgeView is a fan's recorded age as the API shows it: the record, the
// age in years today in the instance's minors policy's time zone, and
// whether that policy counts the fan a minor.
type AgeView struct {
	FanAge
	Age   int  `json:"age"`
	Minor bool `json:"minor"`
}

// SetAge records a fan's birth date (YYYY-MM-DD) and how it was
// established. bank_card and identity are checked by the identity
// verifier first (outside any transaction); one that does not pass is
// EAGEUNVERIFIED and records nothing. self_declared is recorded as given;
// inherited needs an active guardian link (the account inherits the
// guardian's identity). A verified age is replaced only by another
// verified one, so that a declaration cannot undo a verification.
func (e *Engine) SetAge(ctx context.Context, fanID int64, birthDate string, method AgeMethod) (*AgeView, error) {
	if err := checkAgeInput(birthDate, method); err != nil {
		return nil, err
	}
	a := &FanAge{FanID: fanID, BirthDate: birthDate, Method: method}
	if a.Verified() {
		if e.verifier == nil {
			return nil, Errorf(EINTERNAL, "No identity verifier is configured for a %s check.", method)
		}
		// Each SetAge is a new check: a fresh key, so that a fan whose
		// check failed can try again.
		key, err := e.randomID(fmt.Sprintf("age/%d/", fanID))
		if err != nil {
			return nil, err
		}
		r, err := e.verifier.VerifyAge(ctx, verify.AgeRequest{Key: key,
			FanID: fanID, Method: string(method), BirthDate: birthDate})
		if err != nil {
			return nil, fmt.Errorf("verify age: %v: %w", err, Errorf(EINTERNAL, "The identity verifier did not answer; nothing was recorded."))
		}
		if !r.Passed {
			return nil, Errorf(EAGEUNVERIFIED, "The %s check of fan %d did not pass (%s, check %s); nothing was recorded.", method, fanID, r.Reason, r.Ref)
		}
		a.Ref = r.Ref
	}
	var out *AgeView
	err := e.inTx(ctx, true, func(tx Tx) error {
		if _, err := tx.FindFanByID(ctx, fanID); err != nil {
			return fmt.Errorf("find fan %d: %w", fanID, err)
		}
		if b, _ := a.Born(); b.After(tx.Now()) {
			return InvalidFields("Invalid age.", []FieldError{{Path: "birth_date", Found: birthDate, Allowed: "a date not after today", Message: "birth date in the future"}})
		}
		cur, err := fanAge(ctx, tx, fanID)
		if err != nil {
			return err
		}
		if cur != nil && cur.Verified() && !a.Verified() {
			return Errorf(ECONFLICT, "Fan %d's age was verified by %s; only another verified check (bank_card, identity) replaces it.", fanID, cur.Method)
		}
		if method == AgeInherited {
			if l, err := activeGuardian(ctx, tx, fanID); err != nil {
				return err
			} else if l == nil {
				return Errorf(ECONFLICT, "Fan %d has no active guardian link to inherit an identity from.", fanID)
			}
		}
		b := *a
		b.SetAt = tx.Now()
		if err := tx.SaveFanAge(ctx, &b); err != nil {
			return fmt.Errorf("save age: %w", err)
		}
		out, err = e.ageView(&b, tx.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AgeOf returns a fan's recorded age (ENOTFOUND when none is).
func (e *Engine) AgeOf(ctx context.Context, fanID int64) (*AgeView, error) {
	var out *AgeView
	err := e.inTx(ctx, false, func(tx Tx) error {
		a, err := tx.FindFanAge(ctx, fanID)
		if isNotFound(err) {
			return Errorf(ENOTFOUND, "Fan %d has no recorded age.", fanID)
		} else if err != nil {
			return fmt.Errorf("find age: %w", err)
		}
		out, err = e.ageView(a, tx.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ageView derives an age's view under the instance's minors policy.
func (e *Engine) ageView(a *FanAge, now time.Time) (*AgeView, error) {
	p, loc, err := e.resolvePolicy(e.minors.Policy)
	if err != nil {
		return nil, err
	}
	years := a.AgeAt(now, loc)
	return &AgeView{FanAge: *a, Age: years, Minor: years < p.Minors.AdultAge}, nil
}

// isMinor reports whether a fan is a minor under p at now (false when no
// age is recorded).
func isMinor(ctx context.Context, tx Tx, p *Policy, loc *time.Location, fanID int64) (bool, error) {
	a, err := fanAge(ctx, tx, fanID)
	if err != nil || a == nil {
		return false, err
	}
	return a.AgeAt(tx.Now(), loc) < p.Minors.AdultAge, nil
}

// checkAgeInput validates a birth date and a method.
func checkAgeInput(birthDate string, method AgeMethod) error {
	var fields []FieldError
	if b, err := time.Parse(time.DateOnly, birthDate); err != nil || b.Year() < 1900 {
		fields = append(fields, FieldError{Path: "birth_date", Found: birthDate, Allowed: "a date YYYY-MM-DD from 1900", Message: "bad birth date"})
	}
	if !slices.Contains(AgeMethods, method) {
		names := make([]string, len(AgeMethods))
		for i, m := range AgeMethods {
			names[i] = string(m)
		}
		fields = append(fields, FieldError{Path: "method", Found: string(method), Allowed: strings.Join(names, ", "), Message: "unknown method"})
	}
	if len(fields) > 0 {
		return InvalidFields("Invalid age.", fields)
	}
	return nil
}

package fanclub

import (
	"context"
	"fmt"
	"regexp"
	"time"
)

// PurposeGuardianRefund gives back money a minor paid, on a guardian's
// refund request.
const PurposeGuardianRefund = "guardian_refund"

// GuardianRefundInput is what a guardian files: the period of the
// minor's spending to refund (nil bounds: all of it) and, where the
// policy asks for one, the notarized document's metadata.
type GuardianRefundInput struct {
	Since    *time.Time
	Until    *time.Time
	Document *RefundDocument
}

// GuardianRefundResult is a refund request and the refunds it made.
type GuardianRefundResult struct {
	GuardianRefund
	// Refunds are the money refunds through the payment provider.
	Refunds []*Payment `json:"refunds,omitempty"`
}

// sha256Hex matches a hex SHA-256 digest.
var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// RequestGuardianRefund files a guardian's request to refund a minor's
// spending in a period, under the instance's minors policy: where it
// gives a one-step refund (fair) the request is refunded at once; where
// a refund needs a notarized declaration and an operator (douyin) the
// request waits, pending, for DecideGuardianRefund; elsewhere EGUARDIAN.
// key makes it idempotent: a retry returns the first request.
func (e *Engine) RequestGuardianRefund(ctx context.Context, guardianID, minorID int64, in GuardianRefundInput, key string) (*GuardianRefundResult, error) {
	if err := checkRefundInput(in, key); err != nil {
		return nil, err
	}
	var (
		out     *GuardianRefundResult
		pending []refundCall
	)
	err := e.inTx(ctx, true, func(tx Tx) error {
		out, pending = nil, nil
		p, _, err := e.guardianOf(ctx, tx, guardianID, minorID)
		if err != nil {
			return err
		}
		g := p.Minors.Guardian
		declared := g.NotarizedProof && g.ManualApproval
		switch {
		case !g.OneStepRefund && !declared:
			return Errorf(EGUARDIAN, "Policy %s gives a guardian no refund request of a minor's spending.", p.Metadata.Name)
		case declared && (in.Document == nil || in.Document.Name == "" || in.Document.Notary == ""):
			return InvalidFields("Policy "+p.Metadata.Name+" takes a guardian's refund only with a notarized document.",
				[]FieldError{{Path: "document", Allowed: "name, notary and sha256 of the notarized document", Message: "a notarized document is required"}})
		}
		r := &GuardianRefund{Key: moneyKey("guardian-refund", guardianID, key), GuardianID: guardianID, MinorID: minorID,
			Since: in.Since, Until: in.Until, Status: RefundPending, Document: in.Document, Currency: e.money.Currency, CreatedAt: tx.Now()}
		created, err := tx.CreateGuardianRefund(ctx, r)
		if err != nil {
			return fmt.Errorf("create guardian refund: %w", err)
		}
		out = &GuardianRefundResult{GuardianRefund: *r}
		if !created {
			if r.MinorID != minorID || !sameTime(r.Since, in.Since) || !sameTime(r.Until, in.Until) || !sameDocument(r.Document, in.Document) {
				return Errorf(EKEYREUSED, "This idempotency key was first used for another refund request (fan %d, its own period and document).", r.MinorID)
			}
			return nil
		}
		if declared {
			return nil
		}
		pending, err = e.executeGuardianRefund(ctx, tx, r)
		out.GuardianRefund = *r
		return err
	})
	if err != nil {
		return nil, err
	}
	out.Refunds = e.settleRefundCalls(ctx, pending)
	return out, nil
}

// sameTime reports whether two optional times are both absent or the
// same instant to the microsecond (what every store keeps).
func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Truncate(time.Microsecond).Equal(b.Truncate(time.Microsecond))
}

// sameDocument reports whether two optional documents are both absent or
// the same.
func sameDocument(a, b *RefundDocument) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// DecideGuardianRefund records an operator's decision on a pending
// refund request: approved, it is refunded at once; rejected, nothing
// moves. Either way the decision, the operator and the note are kept. A
// request already decided is ECONFLICT.
func (e *Engine) DecideGuardianRefund(ctx context.Context, id int64, operator string, approve bool, note string) (*GuardianRefundResult, error) {
	if operator == "" {
		return nil, InvalidFields("Invalid decision.", []FieldError{{Path: "operator", Message: "the deciding operator is required"}})
	}
	var (
		out     *GuardianRefundResult
		pending []refundCall
	)
	err := e.inTx(ctx, true, func(tx Tx) error {
		out, pending = nil, nil
		r, err := tx.FindGuardianRefund(ctx, id)
		if err != nil {
			return fmt.Errorf("find guardian refund: %w", err)
		}
		if r.Status != RefundPending {
			return Errorf(ECONFLICT, "Refund request %d was already decided (%s).", id, r.Status)
		}
		now := tx.Now()
		r.DecidedBy, r.Note, r.DecidedAt = operator, note, &now
		if approve {
			if pending, err = e.executeGuardianRefund(ctx, tx, r); err != nil {
				return err
			}
		} else {
			r.Status = RefundRejected
			if err := tx.UpdateGuardianRefund(ctx, r); err != nil {
				return fmt.Errorf("update guardian refund: %w", err)
			}
		}
		out = &GuardianRefundResult{GuardianRefund: *r}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Refunds = e.settleRefundCalls(ctx, pending)
	return out, nil
}

// GuardianRefunds lists refund requests of a minor (0: every minor's)
// with a status ("": any), oldest first: the operators' approval queue
// is GuardianRefunds(ctx, 0, RefundPending).
func (e *Engine) GuardianRefunds(ctx context.Context, minorID int64, status string) ([]*GuardianRefund, error) {
	var out []*GuardianRefund
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		out, err = tx.ListGuardianRefunds(ctx, minorID, status)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkRefundInput validates a refund request's period, document and key.
func checkRefundInput(in GuardianRefundInput, key string) error {
	var fields []FieldError
	if f := checkKey(key); f != nil {
		fields = append(fields, *f)
	}
	if in.Since != nil && in.Until != nil && !in.Since.Before(*in.Until) {
		fields = append(fields, FieldError{Path: "until", Found: in.Until.Format(time.RFC3339), Allowed: "after since", Message: "empty period"})
	}
	if d := in.Document; d != nil {
		if len(d.Name) > 200 || len(d.Notary) > 200 {
			fields = append(fields, FieldError{Path: "document", Allowed: "name and notary up to 200 bytes", Message: "document metadata too long"})
		}
		if d.SHA256 != "" && !sha256Hex.MatchString(d.SHA256) {
			fields = append(fields, FieldError{Path: "document.sha256", Found: d.SHA256, Allowed: "64 lowercase hex digits", Message: "bad digest"})
		}
	}
	if len(fields) > 0 {
		return InvalidFields("Invalid refund request.", fields)
	}
	return nil
}

// settleRefundCalls refunds the pending refunds through the provider
// after their transaction committed; one the provider does not answer is
// left to its reconcile job.
func (e *Engine) settleRefundCalls(ctx context.Context, calls []refundCall) []*Payment {
	out := make([]*Payment, 0, len(calls))
	for _, c := range calls {
		p := c.refund
		if settled, err := e.chargeWith(ctx, p, reconcilePayload{Key: p.Key, ChargeRef: c.chargeRef}, nil); err != nil {
			e.log.WarnContext(ctx, "guardian refund left to its reconcile job", "refund", p.Key, "err", err)
		} else {
			p = settled
		}
		out = append(out, p)
	}
	return out
}

package sandbox

import (
	"context"

	"fanclub"
	"fanclub/payments"
)

// chargeBody is the part of a charge record outside its columns.
type chargeBody struct {
	Description string `json:"description,omitempty"`
	DeclineCode string `json:"decline_code,omitempty"`
	// Refunded is the sum of the charge's refunds.
	Refunded int64 `json:"refunded,omitempty"`
}

// refundBody is the part of a refund record outside its columns.
type refundBody struct {
	Reason string `json:"reason,omitempty"`
}

// Charge takes a charge, or declines it: on a revoked agreement
// ("agreement_revoked"), or for a fan or an amount a decline rule names
// ("card_declined"). Declined charges are recorded too. An agreement the
// provider does not have is CodeNotFound; another fan's is CodeInvalid.
func (p *Provider) Charge(ctx context.Context, req payments.ChargeRequest) (*payments.Charge, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	var out *payments.Charge
	err := p.inTx(ctx, func(tx fanclub.Tx) error {
		prev, err := findByKey(ctx, tx, req.Key)
		if err != nil {
			return err
		}
		if prev != nil {
			out, err = sameCharge(req, prev)
			return err
		}
		decline, err := p.chargeDecline(ctx, tx, req)
		if err != nil {
			return err
		}
		status := payments.ChargeSucceeded
		if decline != "" {
			status = payments.ChargeDeclined
		}
		rec, _, err := save(ctx, tx, &fanclub.PaymentRecord{Kind: kindCharge, Key: req.Key, FanID: req.FanID, Amount: req.Amount,
			Currency: req.Currency, Status: string(status), Ref: req.AgreementID,
			Body: encode(chargeBody{Description: req.Description, DeclineCode: decline})})
		if err != nil {
			return err
		}
		out, err = sameCharge(req, rec)
		return err
	})
	return out, providerError(err)
}

// chargeDecline returns why the charge is declined, "" when it is not.
func (p *Provider) chargeDecline(ctx context.Context, tx fanclub.Tx, req payments.ChargeRequest) (string, error) {
	if req.AgreementID != "" {
		ag, err := findByID(ctx, tx, kindAgreement, req.AgreementID)
		if err != nil {
			return "", err
		}
		if ag.FanID != req.FanID {
			return "", payments.Errorf(payments.CodeInvalid, "Agreement %s is not fan %d's.", ag.ID, req.FanID)
		}
		if ag.Status == string(payments.AgreementRevoked) {
			return payments.DeclineAgreementRevoked, nil
		}
	}
	for _, key := range []string{fanRuleKey(req.FanID), amountRuleKey(req.Amount)} {
		on, err := ruleOn(ctx, tx, key)
		if err != nil || on {
			return payments.DeclineCardDeclined, err
		}
	}
	return "", nil
}

// sameCharge returns the charge rec records when it was made by req, an
// idempotency conflict otherwise.
func sameCharge(req payments.ChargeRequest, rec *fanclub.PaymentRecord) (*payments.Charge, error) {
	var body chargeBody
	if rec.Kind != kindCharge {
		return nil, conflict(req.Key, rec)
	}
	if err := decode(rec, &body); err != nil {
		return nil, err
	}
	if rec.FanID != req.FanID || rec.Amount != req.Amount || rec.Currency != req.Currency || rec.Ref != req.AgreementID ||
		body.Description != req.Description {
		return nil, conflict(req.Key, rec)
	}
	return chargeOf(rec, body), nil
}

// chargeOf is the charge a record holds.
func chargeOf(rec *fanclub.PaymentRecord, body chargeBody) *payments.Charge {
	return &payments.Charge{ID: rec.ID, Key: rec.Key, FanID: rec.FanID, Amount: rec.Amount, Currency: rec.Currency,
		AgreementID: rec.Ref, Status: payments.ChargeStatus(rec.Status), DeclineCode: body.DeclineCode, CreatedAt: utc(rec.CreatedAt)}
}

// Refund gives back part or all of a succeeded charge. The refunds of a
// charge never add up to more than it: a refund larger than what remains,
// or of a declined charge, is CodeRefundExceedsCharge.
func (p *Provider) Refund(ctx context.Context, req payments.RefundRequest) (*payments.Refund, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	var out *payments.Refund
	err := p.inTx(ctx, func(tx fanclub.Tx) error {
		prev, err := findByKey(ctx, tx, req.Key)
		if err != nil {
			return err
		}
		if prev != nil {
			out, err = sameRefund(req, prev)
			return err
		}
		ch, err := findByID(ctx, tx, kindCharge, req.ChargeID)
		if err != nil {
			return err
		}
		var body chargeBody
		if err := decode(ch, &body); err != nil {
			return err
		}
		if ch.Status != string(payments.ChargeSucceeded) {
			return payments.Errorf(payments.CodeRefundExceedsCharge, "Charge %s was declined: nothing to refund.", ch.ID)
		}
		if left := ch.Amount - body.Refunded; req.Amount > left {
			return payments.Errorf(payments.CodeRefundExceedsCharge, "Charge %s has %d left to refund, not %d.", ch.ID, left, req.Amount)
		}
		rec, _, err := save(ctx, tx, &fanclub.PaymentRecord{Kind: kindRefund, Key: req.Key, FanID: ch.FanID, Amount: req.Amount,
			Currency: ch.Currency, Status: string(payments.RefundSucceeded), Ref: ch.ID, Body: encode(refundBody{Reason: req.Reason})})
		if err != nil {
			return err
		}
		body.Refunded += req.Amount
		ch.Body, ch.UpdatedAt = encode(body), tx.Now()
		if err := tx.UpdatePaymentRecord(ctx, ch); err != nil {
			return err
		}
		out, err = sameRefund(req, rec)
		return err
	})
	return out, providerError(err)
}

// sameRefund returns the refund rec records when it was made by req, an
// idempotency conflict otherwise.
func sameRefund(req payments.RefundRequest, rec *fanclub.PaymentRecord) (*payments.Refund, error) {
	var body refundBody
	if rec.Kind != kindRefund {
		return nil, conflict(req.Key, rec)
	}
	if err := decode(rec, &body); err != nil {
		return nil, err
	}
	if rec.Ref != req.ChargeID || rec.Amount != req.Amount || body.Reason != req.Reason {
		return nil, conflict(req.Key, rec)
	}
	return &payments.Refund{ID: rec.ID, Key: rec.Key, ChargeID: rec.Ref, Amount: rec.Amount, Currency: rec.Currency,
		Status: payments.RefundStatus(rec.Status), CreatedAt: utc(rec.CreatedAt)}, nil
}

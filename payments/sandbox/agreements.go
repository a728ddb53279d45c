package sandbox

import (
	"context"
	"time"

	"fanclub"
	"fanclub/payments"
)

// agreementBody is the part of an agreement record outside its columns.
type agreementBody struct {
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// CreateAgreement opens an active payment agreement with a fan.
func (p *Provider) CreateAgreement(ctx context.Context, req payments.AgreementRequest) (*payments.Agreement, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	var out *payments.Agreement
	err := p.inTx(ctx, func(tx fanclub.Tx) error {
		prev, err := findByKey(ctx, tx, req.Key)
		if err != nil {
			return err
		}
		if prev == nil {
			prev, _, err = save(ctx, tx, &fanclub.PaymentRecord{Kind: kindAgreement, Key: req.Key, FanID: req.FanID,
				Status: string(payments.AgreementActive), Body: encode(agreementBody{})})
			if err != nil {
				return err
			}
		}
		if prev.Kind != kindAgreement || prev.FanID != req.FanID {
			return conflict(req.Key, prev)
		}
		out, err = agreementOf(prev)
		return err
	})
	return out, providerError(err)
}

// RevokeAgreement revokes an agreement: later charges on it are declined
// with "agreement_revoked". Revoking a revoked agreement returns it as it
// is, with its first RevokedAt.
func (p *Provider) RevokeAgreement(ctx context.Context, req payments.RevokeRequest) (*payments.Agreement, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	var out *payments.Agreement
	err := p.inTx(ctx, func(tx fanclub.Tx) error {
		prev, err := findByKey(ctx, tx, req.Key)
		if err != nil {
			return err
		}
		if prev != nil && (prev.Kind != kindRevocation || prev.Ref != req.AgreementID) {
			return conflict(req.Key, prev)
		}
		ag, err := findByID(ctx, tx, kindAgreement, req.AgreementID)
		if err != nil {
			return err
		}
		if prev == nil {
			if _, _, err := save(ctx, tx, &fanclub.PaymentRecord{Kind: kindRevocation, Key: req.Key, FanID: ag.FanID,
				Status: string(payments.AgreementRevoked), Ref: ag.ID}); err != nil {
				return err
			}
		}
		if ag.Status != string(payments.AgreementRevoked) {
			now := tx.Now()
			ag.Status, ag.Body, ag.UpdatedAt = string(payments.AgreementRevoked), encode(agreementBody{RevokedAt: &now}), now
			if err := tx.UpdatePaymentRecord(ctx, ag); err != nil {
				return err
			}
		}
		out, err = agreementOf(ag)
		return err
	})
	return out, providerError(err)
}

// agreementOf is the agreement a record holds.
func agreementOf(rec *fanclub.PaymentRecord) (*payments.Agreement, error) {
	var body agreementBody
	if err := decode(rec, &body); err != nil {
		return nil, err
	}
	a := &payments.Agreement{ID: rec.ID, FanID: rec.FanID, Status: payments.AgreementStatus(rec.Status), CreatedAt: utc(rec.CreatedAt)}
	if body.RevokedAt != nil {
		at := utc(*body.RevokedAt)
		a.RevokedAt = &at
	}
	return a, nil
}

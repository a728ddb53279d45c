package sandbox

import (
	"context"

	"fanclub"
	"fanclub/payments"
)

var _ payments.Payouts = (*Provider)(nil)

// Payout pays money out to a creator; the sandbox always pays. Its
// record keeps the creator's id in the record's fan column.
func (p *Provider) Payout(ctx context.Context, req payments.PayoutRequest) (*payments.Payout, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	var out *payments.Payout
	err := p.inTx(ctx, func(tx fanclub.Tx) error {
		rec, err := findByKey(ctx, tx, req.Key)
		if err != nil {
			return err
		}
		if rec == nil {
			rec, _, err = save(ctx, tx, &fanclub.PaymentRecord{Kind: kindPayout, Key: req.Key, FanID: req.CreatorID, Amount: req.Amount,
				Currency: req.Currency, Status: string(payments.PayoutPaid), Body: encode(struct{}{})})
			if err != nil {
				return err
			}
		}
		if rec.Kind != kindPayout || rec.FanID != req.CreatorID || rec.Amount != req.Amount || rec.Currency != req.Currency {
			return conflict(req.Key, rec)
		}
		out = &payments.Payout{ID: rec.ID, Key: rec.Key, CreatorID: rec.FanID, Amount: rec.Amount, Currency: rec.Currency,
			Status: payments.PayoutStatus(rec.Status), CreatedAt: utc(rec.CreatedAt)}
		return nil
	})
	return out, providerError(err)
}

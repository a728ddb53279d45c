package sandbox

import (
	"context"
	"slices"
	"strconv"

	"fanclub"
)

// Rule states, as stored.
const (
	ruleOnStatus  = "on"
	ruleOffStatus = "off"
)

// Rules are the sandbox's decline rules: every charge for one of Fans, or
// of one of Amounts, is declined with "card_declined".
type Rules struct {
	Fans    []int64 `json:"fans"`
	Amounts []int64 `json:"amounts"`
}

// fanRuleKey and amountRuleKey are the stored keys of the rules.
func fanRuleKey(fanID int64) string     { return "fan:" + strconv.FormatInt(fanID, 10) }
func amountRuleKey(amount int64) string { return "amount:" + strconv.FormatInt(amount, 10) }

// DeclineFan turns declining every charge for a fan on or off.
func (p *Provider) DeclineFan(ctx context.Context, fanID int64, on bool) error {
	if fanID < 1 {
		return fanclub.Errorf(fanclub.EINVALID, "A fan id is a positive integer, not %d.", fanID)
	}
	return p.setRule(ctx, &fanclub.PaymentRecord{Key: fanRuleKey(fanID), FanID: fanID}, on)
}

// DeclineAmount turns declining every charge of an amount (in minor
// units, any currency) on or off.
func (p *Provider) DeclineAmount(ctx context.Context, amount int64, on bool) error {
	if amount < 1 {
		return fanclub.Errorf(fanclub.EINVALID, "An amount is a positive number of minor units, not %d.", amount)
	}
	return p.setRule(ctx, &fanclub.PaymentRecord{Key: amountRuleKey(amount), Amount: amount}, on)
}

// setRule stores a rule's state.
func (p *Provider) setRule(ctx context.Context, r *fanclub.PaymentRecord, on bool) error {
	r.Provider, r.Kind, r.Status = rulesProvider, kindRule, ruleOffStatus
	if on {
		r.Status = ruleOnStatus
	}
	return p.inTx(ctx, func(tx fanclub.Tx) error {
		cp := *r
		got, err := tx.SavePaymentRecord(ctx, &cp)
		if err != nil || got.Status == r.Status {
			return err
		}
		got.Status, got.UpdatedAt = r.Status, tx.Now()
		return tx.UpdatePaymentRecord(ctx, got)
	})
}

// ruleOn reports whether the rule with a key is on.
func ruleOn(ctx context.Context, tx fanclub.Tx, key string) (bool, error) {
	r, err := tx.FindPaymentRecordByKey(ctx, rulesProvider, key)
	if fanclub.ErrorCode(err) == fanclub.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return r.Status == ruleOnStatus, nil
}

// Rules returns the decline rules that are on, fans and amounts in
// ascending order.
func (p *Provider) Rules(ctx context.Context) (*Rules, error) {
	tx, err := p.store.BeginTx(ctx, false)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	rs, err := tx.ListPaymentRecords(ctx, rulesProvider, 0, kindRule)
	if err != nil {
		return nil, err
	}
	out := &Rules{Fans: []int64{}, Amounts: []int64{}}
	for _, r := range rs {
		switch {
		case r.Status != ruleOnStatus:
		case r.FanID != 0:
			out.Fans = append(out.Fans, r.FanID)
		default:
			out.Amounts = append(out.Amounts, r.Amount)
		}
	}
	slices.Sort(out.Fans)
	slices.Sort(out.Amounts)
	return out, nil
}

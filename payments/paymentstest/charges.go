package paymentstest

import (
	"context"
	"strings"
	"testing"

	"fanclub/payments"
)

func testChargeIdempotent(t *testing.T, s Setup) {
	p := s.Provider
	first := charge(t, p, cny("ch-1", 11, 1500))
	if first.Status != payments.ChargeSucceeded || first.DeclineCode != "" {
		t.Fatalf("first charge %+v, want succeeded", first)
	}
	again := charge(t, p, cny("ch-1", 11, 1500))
	wantEqual(t, "a retry with the key returns the first charge", again, first)
	other := charge(t, p, cny("ch-2", 11, 1500))
	if other.ID == first.ID {
		t.Fatalf("two keys gave one charge id %s", first.ID)
	}
}

func testChargeConflict(t *testing.T, s Setup) {
	ctx := context.Background()
	p := s.Provider
	first := charge(t, p, cny("ch-1", 11, 1500))
	for name, req := range map[string]payments.ChargeRequest{
		"amount":      cny("ch-1", 11, 1501),
		"fan":         cny("ch-1", 12, 1500),
		"currency":    {Key: "ch-1", FanID: 11, Amount: 1500, Currency: "USD", Description: "test ch-1"},
		"description": {Key: "ch-1", FanID: 11, Amount: 1500, Currency: "CNY", Description: "other"},
		"agreement":   {Key: "ch-1", FanID: 11, Amount: 1500, Currency: "CNY", Description: "test ch-1", AgreementID: "ag-x"},
	} {
		c, err := p.Charge(ctx, req)
		wantCode(t, "Charge with the key and another "+name, err, payments.CodeIdempotencyConflict)
		if c != nil {
			t.Fatalf("conflicting charge returned %+v", c)
		}
	}
	_, err := p.Refund(ctx, payments.RefundRequest{Key: "ch-1", ChargeID: first.ID, Amount: 1})
	wantCode(t, "Refund with a charge's key", err, payments.CodeIdempotencyConflict)
	_, err = p.CreateAgreement(ctx, payments.AgreementRequest{Key: "ch-1", FanID: 11})
	wantCode(t, "CreateAgreement with a charge's key", err, payments.CodeIdempotencyConflict)
	wantEqual(t, "the first charge stands", charge(t, p, cny("ch-1", 11, 1500)), first)
}

func testInvalidRequests(t *testing.T, s Setup) {
	ctx := context.Background()
	p := s.Provider
	long := strings.Repeat("k", payments.MaxKeyLen+1)
	for name, req := range map[string]payments.ChargeRequest{
		"no key":        cny("", 1, 100),
		"long key":      cny(long, 1, 100),
		"no fan":        cny("k", 0, 100),
		"zero amount":   cny("k", 1, 0),
		"negative":      cny("k", 1, -5),
		"no currency":   {Key: "k", FanID: 1, Amount: 100},
		"bad currency":  {Key: "k", FanID: 1, Amount: 100, Currency: "cny"},
		"long currency": {Key: "k", FanID: 1, Amount: 100, Currency: "CNYY"},
	} {
		_, err := p.Charge(ctx, req)
		wantCode(t, "Charge "+name, err, payments.CodeInvalid)
	}
	for name, req := range map[string]payments.RefundRequest{
		"no key":      {ChargeID: "c", Amount: 1},
		"no charge":   {Key: "k", Amount: 1},
		"zero amount": {Key: "k", ChargeID: "c"},
	} {
		_, err := p.Refund(ctx, req)
		wantCode(t, "Refund "+name, err, payments.CodeInvalid)
	}
	_, err := p.CreateAgreement(ctx, payments.AgreementRequest{FanID: 1})
	wantCode(t, "CreateAgreement without key", err, payments.CodeInvalid)
	_, err = p.CreateAgreement(ctx, payments.AgreementRequest{Key: "k"})
	wantCode(t, "CreateAgreement without fan", err, payments.CodeInvalid)
	_, err = p.RevokeAgreement(ctx, payments.RevokeRequest{AgreementID: "a"})
	wantCode(t, "RevokeAgreement without key", err, payments.CodeInvalid)
	_, err = p.RevokeAgreement(ctx, payments.RevokeRequest{Key: "k"})
	wantCode(t, "RevokeAgreement without agreement", err, payments.CodeInvalid)
	// Invalid requests store nothing: the key is still free.
	charge(t, p, cny("k", 1, 100))
}

func testDeclineFan(t *testing.T, s Setup) {
	if s.DeclineFan == nil {
		t.Skip("the provider cannot be told to decline a fan")
	}
	ctx := context.Background()
	p := s.Provider
	must(t, "DeclineFan on", s.DeclineFan(ctx, 21, true))
	d := charge(t, p, cny("d-1", 21, 700))
	if d.Status != payments.ChargeDeclined || d.DeclineCode != payments.DeclineCardDeclined {
		t.Fatalf("charge of a declined fan = %+v, want declined card_declined", d)
	}
	if ok := charge(t, p, cny("d-2", 22, 700)); ok.Status != payments.ChargeSucceeded {
		t.Fatalf("another fan's charge = %+v, want succeeded", ok)
	}
	must(t, "DeclineFan off", s.DeclineFan(ctx, 21, false))
	wantEqual(t, "a declined charge is recorded: its retry stays declined", charge(t, p, cny("d-1", 21, 700)), d)
	if ok := charge(t, p, cny("d-3", 21, 700)); ok.Status != payments.ChargeSucceeded {
		t.Fatalf("charge after the rule is off = %+v, want succeeded", ok)
	}
}

func testDeclineAmount(t *testing.T, s Setup) {
	if s.DeclineAmount == nil {
		t.Skip("the provider cannot be told to decline an amount")
	}
	ctx := context.Background()
	p := s.Provider
	must(t, "DeclineAmount on", s.DeclineAmount(ctx, 666, true))
	must(t, "DeclineAmount on again", s.DeclineAmount(ctx, 666, true))
	for i, fan := range []int64{31, 32} {
		d := charge(t, p, cny("a-"+string(rune('a'+i)), fan, 666))
		if d.Status != payments.ChargeDeclined || d.DeclineCode != payments.DeclineCardDeclined {
			t.Fatalf("charge of a declined amount = %+v, want declined card_declined", d)
		}
	}
	if ok := charge(t, p, cny("a-c", 31, 667)); ok.Status != payments.ChargeSucceeded {
		t.Fatalf("another amount = %+v, want succeeded", ok)
	}
	must(t, "DeclineAmount off", s.DeclineAmount(ctx, 666, false))
	if ok := charge(t, p, cny("a-d", 31, 666)); ok.Status != payments.ChargeSucceeded {
		t.Fatalf("after the rule is off = %+v, want succeeded", ok)
	}
}

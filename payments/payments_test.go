package payments_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"fanclub/payments"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	ok := payments.ChargeRequest{Key: "k", FanID: 1, Amount: 1, Currency: "CNY"}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"charge", ok.Validate(), ""},
		{"charge key", payments.ChargeRequest{FanID: 1, Amount: 1, Currency: "CNY"}.Validate(), payments.CodeInvalid},
		{"charge long key", payments.ChargeRequest{Key: strings.Repeat("k", 256), FanID: 1, Amount: 1, Currency: "CNY"}.Validate(), payments.CodeInvalid},
		{"charge max key", payments.ChargeRequest{Key: strings.Repeat("k", 255), FanID: 1, Amount: 1, Currency: "CNY"}.Validate(), ""},
		{"charge fan", payments.ChargeRequest{Key: "k", Amount: 1, Currency: "CNY"}.Validate(), payments.CodeInvalid},
		{"charge amount", payments.ChargeRequest{Key: "k", FanID: 1, Currency: "CNY"}.Validate(), payments.CodeInvalid},
		{"charge currency", payments.ChargeRequest{Key: "k", FanID: 1, Amount: 1, Currency: "C1Y"}.Validate(), payments.CodeInvalid},
		{"refund", payments.RefundRequest{Key: "k", ChargeID: "c", Amount: 1}.Validate(), ""},
		{"refund charge", payments.RefundRequest{Key: "k", Amount: 1}.Validate(), payments.CodeInvalid},
		{"refund amount", payments.RefundRequest{Key: "k", ChargeID: "c", Amount: -1}.Validate(), payments.CodeInvalid},
		{"agreement", payments.AgreementRequest{Key: "k", FanID: 2}.Validate(), ""},
		{"agreement fan", payments.AgreementRequest{Key: "k"}.Validate(), payments.CodeInvalid},
		{"revoke", payments.RevokeRequest{Key: "k", AgreementID: "a"}.Validate(), ""},
		{"revoke key", payments.RevokeRequest{AgreementID: "a"}.Validate(), payments.CodeInvalid},
		{"revoke agreement", payments.RevokeRequest{Key: "k"}.Validate(), payments.CodeInvalid},
	} {
		if got := payments.ErrorCode(tc.err); got != tc.want {
			t.Errorf("%s: code %q (%v), want %q", tc.name, got, tc.err, tc.want)
		}
	}
}

func TestErrorCode(t *testing.T) {
	t.Parallel()
	cause := errors.New("connection reset")
	u := payments.Unavailable(cause)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{payments.Errorf(payments.CodeNotFound, "no %s", "x"), payments.CodeNotFound},
		{fmt.Errorf("wrapped: %w", payments.Errorf(payments.CodeIdempotencyConflict, "k")), payments.CodeIdempotencyConflict},
		{u, payments.CodeUnavailable},
		{cause, payments.CodeUnavailable},
	} {
		if got := payments.ErrorCode(tc.err); got != tc.want {
			t.Errorf("ErrorCode(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	if !errors.Is(u, cause) || !strings.Contains(u.Error(), "connection reset") {
		t.Errorf("Unavailable(cause) = %v: does not wrap its cause", u)
	}
}

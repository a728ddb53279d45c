package payments

// Validation of requests, shared by every provider.

// validKey checks an idempotency key.
func validKey(key string) error {
	if key == "" {
		return Errorf(CodeInvalid, "An idempotency key is required.")
	} else if len(key) > MaxKeyLen {
		return Errorf(CodeInvalid, "The idempotency key is longer than %d bytes.", MaxKeyLen)
	}
	return nil
}

// validCurrency reports whether c is three capital letters.
func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := range len(c) {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// Validate returns a CodeInvalid error unless the request is well formed.
func (r ChargeRequest) Validate() error {
	switch {
	case validKey(r.Key) != nil:
		return validKey(r.Key)
	case r.FanID < 1:
		return Errorf(CodeInvalid, "fan_id must be a positive id, not %d.", r.FanID)
	case r.Amount < 1:
		return Errorf(CodeInvalid, "amount must be positive (minor units), not %d.", r.Amount)
	case !validCurrency(r.Currency):
		return Errorf(CodeInvalid, "currency must be an ISO 4217 code such as CNY, not %q.", r.Currency)
	}
	return nil
}

// Validate returns a CodeInvalid error unless the request is well formed.
func (r RefundRequest) Validate() error {
	switch {
	case validKey(r.Key) != nil:
		return validKey(r.Key)
	case r.ChargeID == "":
		return Errorf(CodeInvalid, "charge_id is required.")
	case r.Amount < 1:
		return Errorf(CodeInvalid, "amount must be positive (minor units), not %d.", r.Amount)
	}
	return nil
}

// Validate returns a CodeInvalid error unless the request is well formed.
func (r AgreementRequest) Validate() error {
	if err := validKey(r.Key); err != nil {
		return err
	} else if r.FanID < 1 {
		return Errorf(CodeInvalid, "fan_id must be a positive id, not %d.", r.FanID)
	}
	return nil
}

// Validate returns a CodeInvalid error unless the request is well formed.
func (r RevokeRequest) Validate() error {
	if err := validKey(r.Key); err != nil {
		return err
	} else if r.AgreementID == "" {
		return Errorf(CodeInvalid, "agreement_id is required.")
	}
	return nil
}

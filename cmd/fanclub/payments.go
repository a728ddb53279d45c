package main

import (
	"fmt"

	"fanclub"
	fanhttp "fanclub/http"
	"fanclub/payments"
	"fanclub/payments/sandbox"
)

// paymentProviders names the providers --payments accepts.
const paymentProviders = "sandbox"

// openPayments returns the payment provider named by --payments over the
// open store, and its sandbox controls when it is the sandbox (nil
// otherwise).
func openPayments(name string, db fanclub.Store) (payments.Provider, fanhttp.SandboxControls, error) {
	switch name {
	case sandbox.Name:
		sb := sandbox.New(db, sandbox.Options{})
		return sb, sb, nil
	}
	return nil, nil, fmt.Errorf("--payments %q: want one of: %s", name, paymentProviders)
}

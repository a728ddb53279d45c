// Package verify is the port to identity verification services: checks of
// a fan's age (through a bound bank card or an identity document) and face
// checks of the person holding the account (the check a policy with a
// face_verification consumption audit runs on a minor's spending).
//
// The engine calls a Verifier outside its transactions, with an
// idempotency key: a retried call under the same key returns the first
// answer. A verification that ran and did not pass is an answer
// (Passed false, with a Reason), not an error; errors are for a service
// that could not answer.
package verify

import "context"

// Methods of establishing a fan's age that a Verifier checks.
const (
	// MethodBankCard establishes the age of the holder of a bound bank card.
	MethodBankCard = "bank_card"
	// MethodIdentity establishes the age from an identity document.
	MethodIdentity = "identity"
)

// AgeRequest asks a verifier to confirm a fan's birth date by a method.
type AgeRequest struct {
	// Key is the idempotency key of the request.
	Key   string
	FanID int64
	// Method is MethodBankCard or MethodIdentity.
	Method string
	// BirthDate is the claimed date, YYYY-MM-DD.
	BirthDate string
}

// FaceRequest asks a verifier to check that the person acting is the
// account's verified holder.
type FaceRequest struct {
	// Key is the idempotency key of the request.
	Key   string
	FanID int64
	// Purpose says what the check is for (e.g. "coins", "gift").
	Purpose string
}

// Result is a verifier's answer.
type Result struct {
	// Ref is the verifier's id of the check.
	Ref string `json:"ref"`
	// Passed is true when the check confirmed the claim.
	Passed bool `json:"passed"`
	// Reason says why a check did not pass.
	Reason string `json:"reason,omitempty"`
}

// Verifier checks ages and faces.
type Verifier interface {
	// Name names the verifier, as its records are stored under.
	Name() string
	// VerifyAge checks a claimed birth date.
	VerifyAge(ctx context.Context, r AgeRequest) (*Result, error)
	// VerifyFace runs a face check of the fan.
	VerifyFace(ctx context.Context, r FaceRequest) (*Result, error)
}

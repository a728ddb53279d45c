package export

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"strings"

	"fanclub"
)

// Signer signs exports with an instance's key.
type Signer struct {
	// Instance names the exporting instance (e.g. its base URL); it is
	// written in every export and recorded by importers as provenance.
	Instance string
	Key      *fanclub.SigningKey
}

// Signature is the final member of a signed document: an Ed25519
// signature of the SHA-256 of the document's signed part.
type Signature struct {
	Alg    string `json:"alg"`
	KeyID  string `json:"key_id"`
	SHA256 string `json:"sha256"`
	Value  string `json:"value"`
}

// AlgEd25519 is the only signature algorithm.
const AlgEd25519 = "Ed25519"

// signedMessage is what the Ed25519 signature covers: a fixed label and
// the hex SHA-256, so that a signature of an export can never be taken
// for a signature of anything else.
func signedMessage(sum []byte) []byte {
	return []byte("fanclub-export-v1 sha256:" + hex.EncodeToString(sum))
}

// Sign signs a digest.
func (s *Signer) Sign(sum []byte) Signature {
	return Signature{Alg: AlgEd25519, KeyID: s.Key.ID, SHA256: hex.EncodeToString(sum),
		Value: base64.StdEncoding.EncodeToString(ed25519.Sign(s.Key.Private(), signedMessage(sum)))}
}

// Verify checks sig against a digest and a public key.
func (sig Signature) Verify(sum []byte, pub ed25519.PublicKey) error {
	if sig.Alg != AlgEd25519 {
		return fmt.Errorf("signature.alg is %q, not %q", sig.Alg, AlgEd25519)
	}
	if got := hex.EncodeToString(sum); sig.SHA256 != got {
		return fmt.Errorf("signature.sha256 is %s but the signed part hashes to %s: the document was changed", sig.SHA256, got)
	}
	raw, err := base64.StdEncoding.DecodeString(sig.Value)
	if err != nil || len(raw) != ed25519.SignatureSize {
		return fmt.Errorf("signature.value is not a base64 Ed25519 signature")
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, signedMessage(sum), raw) {
		return fmt.Errorf("the signature does not verify with key %s", sig.KeyID)
	}
	return nil
}

// TrailerName is the HTTP trailer that carries the signature of a whole
// response body.
const TrailerName = "Fanclub-Signature"

// Trailer renders a signature of a whole body for the Fanclub-Signature
// trailer: keyid, alg, the hex SHA-256 of the body and the signature.
func Trailer(sig Signature) string {
	return fmt.Sprintf(`keyid="%s", alg="%s", sha256="%s", sig="%s"`, sig.KeyID, sig.Alg, sig.SHA256, sig.Value)
}

// ParseTrailer reads a Fanclub-Signature value.
func ParseTrailer(v string) (Signature, error) {
	var sig Signature
	for part := range strings.SplitSeq(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		val = strings.Trim(val, `"`)
		if !ok {
			return sig, fmt.Errorf("trailer: %q is not name=value", part)
		}
		switch k {
		case "keyid":
			sig.KeyID = val
		case "alg":
			sig.Alg = val
		case "sha256":
			sig.SHA256 = val
		case "sig":
			sig.Value = val
		}
	}
	if sig.KeyID == "" || sig.Value == "" || sig.SHA256 == "" {
		return sig, fmt.Errorf("trailer: keyid, sha256 and sig are required")
	}
	return sig, nil
}

// signedDoc writes a signed document: the signed part (everything before
// the first newline, which must hold none), then a newline, then the
// signature member and the closing brace.
type signedDoc struct {
	w   io.Writer
	h   hash.Hash
	err error
}

func newSignedDoc(w io.Writer) *signedDoc { return &signedDoc{w: w, h: sha256.New()} }

// raw writes bytes of the signed part.
func (d *signedDoc) raw(b []byte) {
	if d.err != nil {
		return
	}
	d.h.Write(b)
	_, d.err = d.w.Write(b)
}

// str writes a string of the signed part.
func (d *signedDoc) str(s string) { d.raw([]byte(s)) }

// value writes a JSON value of the signed part (compact: encoding/json
// escapes newlines in strings, so the part holds no newline byte).
func (d *signedDoc) value(v any) {
	if d.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		d.err = err
		return
	}
	d.raw(b)
}

// member writes `,"name":value`.
func (d *signedDoc) member(name string, v any) {
	d.str(`,"` + name + `":`)
	d.value(v)
}

// finish writes the newline, the signature member and the closing brace.
func (d *signedDoc) finish(s *Signer) error {
	if d.err != nil {
		return d.err
	}
	sig, err := json.Marshal(s.Sign(d.h.Sum(nil)))
	if err != nil {
		return err
	}
	_, err = io.WriteString(d.w, "\n,\"signature\":"+string(sig)+"}\n")
	return err
}

package main

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"fanclub"
	fanhttp "fanclub/http"
)

// exportSettings are serve's export and import flags: the instance's name
// in exports, where its signing key comes from, and the other instances'
// keys imports trust.
type exportSettings struct {
	instance, keyFile, trusted string
}

// register adds --instance, --signing-key and --trusted-keys, with the
// environment variables FANCLUB_INSTANCE, FANCLUB_SIGNING_KEY and
// FANCLUB_TRUSTED_KEYS as defaults.
func (e *exportSettings) register(fs *flag.FlagSet) {
	fs.StringVar(&e.instance, "instance", os.Getenv("FANCLUB_INSTANCE"),
		"this instance's name in the exports it signs, e.g. its base `URL` (env FANCLUB_INSTANCE; default urn:fanclub:<key id>)")
	fs.StringVar(&e.keyFile, "signing-key", os.Getenv("FANCLUB_SIGNING_KEY"),
		"PEM `file` of the Ed25519 key (PKCS #8) exports are signed with; empty: a key kept in the database, made on first start (env FANCLUB_SIGNING_KEY)")
	fs.StringVar(&e.trusted, "trusted-keys", os.Getenv("FANCLUB_TRUSTED_KEYS"),
		"comma-separated base64url Ed25519 public `keys` of instances whose exports are imported without a key in the request (env FANCLUB_TRUSTED_KEYS)")
}

// check reads the key file and the trusted keys.
func (e *exportSettings) check() error {
	if _, err := e.trustedKeys(); err != nil {
		return err
	}
	if e.keyFile == "" {
		return nil
	}
	_, err := readSigningKey(e.keyFile)
	return err
}

// trustedKeys parses --trusted-keys.
func (e *exportSettings) trustedKeys() ([]ed25519.PublicKey, error) {
	var out []ed25519.PublicKey
	for k := range strings.SplitSeq(e.trusted, ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(k, "="))
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("--trusted-keys: %q is not a base64url Ed25519 public key", k)
		}
		out = append(out, raw)
	}
	return out, nil
}

// apply sets the export fields of the server's configuration: the key
// from --signing-key, or the engine's stored key, made now on first start
// so that /.well-known/fanclub/keys is stable from the start.
func (e *exportSettings) apply(ctx context.Context, eng *fanclub.Engine, cfg *fanhttp.Config) error {
	cfg.Instance = e.instance
	var err error
	if cfg.TrustedKeys, err = e.trustedKeys(); err != nil {
		return err
	}
	if e.keyFile != "" {
		cfg.SigningKey, err = readSigningKey(e.keyFile)
		return err
	}
	cfg.SigningKey, err = eng.SigningKey(ctx)
	return err
}

// readSigningKey reads a PEM PKCS #8 Ed25519 private key, as
// `openssl genpkey -algorithm ed25519` writes it.
func readSigningKey(path string) (*fanclub.SigningKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--signing-key: %w", err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("--signing-key %s: not a PEM PRIVATE KEY", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("--signing-key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, errors.New("--signing-key " + path + ": not an Ed25519 key")
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("--signing-key: %w", err)
	}
	return &fanclub.SigningKey{ID: fanclub.KeyID(priv.Public().(ed25519.PublicKey)), Seed: priv.Seed(), CreatedAt: st.ModTime().Truncate(time.Second)}, nil
}

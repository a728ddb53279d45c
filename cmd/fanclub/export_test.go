package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fanclub"
	"fanclub/export"
)

// oneFanSource is an export source with one membership and two events.
type oneFanSource struct{ at time.Time }

func (s oneFanSource) ExportScope(_ context.Context, _ int64, f fanclub.ExportFormat) (*fanclub.ExportScope, error) {
	return &fanclub.ExportScope{Format: f, At: s.at, Fan: &fanclub.Fan{ID: 3, Handle: "mei", CreatedAt: s.at},
		Clubs:       []*fanclub.Club{{ID: 1, Name: "kai", CreatorID: 1, Policy: "fair"}},
		Memberships: []*fanclub.Membership{{FanID: 3, ClubID: 1, Status: fanclub.StatusActive, Level: 1, JoinedAt: s.at, LastInteractionAt: s.at}}}, nil
}

func (s oneFanSource) ExportEvents(_ context.Context, fanID, clubID int64, _ string) ([]fanclub.Event, string, error) {
	return []fanclub.Event{{ID: "a", FanID: fanID, ClubID: clubID, Action: fanclub.ActionLike, Amount: 1, At: s.at},
		{ID: "b", FanID: fanID, ClubID: clubID, Action: fanclub.ActionShare, Amount: 1, At: s.at}}, "", nil
}

func TestExportVerify(t *testing.T) {
	t.Parallel()
	key, err := fanclub.NewSigningKey(bytes.NewReader(bytes.Repeat([]byte{3}, 32)), time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	x := base64.RawURLEncoding.EncodeToString(key.Public())
	other := base64.RawURLEncoding.EncodeToString(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, 32)).Public().(ed25519.PublicKey))
	dir := t.TempDir()
	file := func(name string, f fanclub.ExportFormat, change func([]byte) []byte) string {
		var buf bytes.Buffer
		src := oneFanSource{at: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
		if _, err := export.Write(context.Background(), &buf, src, 3, f, &export.Signer{Instance: "https://a.example", Key: key}); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, change(buf.Bytes()), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	same := func(b []byte) []byte { return b }
	tests := []struct {
		name, key, file string
		code            int
		out             string
	}{
		{"json", x, file("e.json", fanclub.ExportJSON, same), 0, "valid JSON export of fan 3 from https://a.example"},
		{"csv", x, file("e.zip", fanclub.ExportCSV, same), 0, "valid CSV export"},
		{"activitystreams", x, file("e.as.json", fanclub.ExportActivityStreams, same), 0, "valid signed document"},
		{"tampered", x, file("t.json", fanclub.ExportJSON, func(b []byte) []byte { return bytes.Replace(b, []byte(`"share"`), []byte(`"like"`), 1) }), 1, "NOT VALID"},
		{"tampered activities", x, file("t.as.json", fanclub.ExportActivityStreams, func(b []byte) []byte { return bytes.Replace(b, []byte(`"Like"`), []byte(`"View"`), 1) }), 1, "NOT VALID"},
		{"other key", other, file("o.json", fanclub.ExportJSON, same), 1, "the given public key's id is"},
		{"other key, zip", other, file("o.zip", fanclub.ExportCSV, same), 1, "does not verify"},
		{"bad key", "xyz", file("b.json", fanclub.ExportJSON, same), 2, "not a base64url"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"export", "verify", "--key", tt.key, tt.file}, &stdout, &stderr)
		if code != tt.code || !strings.Contains(stdout.String()+stderr.String(), tt.out) {
			t.Errorf("%s: exit %d, want %d; output %q %q, want %q", tt.name, code, tt.code, stdout.String(), stderr.String(), tt.out)
		}
	}
}

func TestServeSigningKeyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, 32))
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(good, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := readSigningKey(good)
	if err != nil || k.ID != fanclub.KeyID(priv.Public().(ed25519.PublicKey)) || !bytes.Equal(k.Seed, priv.Seed()) {
		t.Fatalf("readSigningKey = %+v, %v", k, err)
	}
	for _, args := range [][]string{{"--signing-key", bad}, {"--signing-key", filepath.Join(dir, "none")}, {"--trusted-keys", "abc"}} {
		if _, err := parseServe(args, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Errorf("serve %v: accepted", args)
		}
	}
	if _, err := parseServe([]string{"--signing-key", good, "--trusted-keys", base64.RawURLEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))}, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Errorf("serve with a key file and a trusted key: %v", err)
	}
}

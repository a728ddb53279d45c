package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"fanclub/export"
)

// exportUsage is the usage line of 'fanclub export'.
const exportUsage = "usage: fanclub export verify --key PUBLIC_KEY FILE"

// runExport runs 'fanclub export verify': it checks a downloaded export
// (any format) offline against an instance's public key.
func runExport(_ context.Context, args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help"):
		fmt.Fprintln(stdout, exportUsage)
		return 0
	case len(args) == 0:
		fmt.Fprintf(stderr, "fanclub export: missing subcommand\n%s\n", exportUsage)
		return 2
	case args[0] != "verify":
		fmt.Fprintf(stderr, "fanclub export: unknown subcommand %q: want verify\n%s\n", args[0], exportUsage)
		return 2
	}
	fs := flag.NewFlagSet("fanclub export verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), exportUsage+"\n\nVerifies a downloaded export (any format) offline against the exporting\ninstance's public key.\n\nflags:\n")
		fs.PrintDefaults()
	}
	keyArg := fs.String("key", "", "the exporting instance's Ed25519 public `key`, base64url (the x of its /.well-known/fanclub/keys) or base64")
	files, code := parseArgs(fs, args[1:], stdout)
	if code >= 0 {
		return code
	}
	switch {
	case *keyArg == "":
		fmt.Fprintf(stderr, "fanclub export verify: --key is required\n%s\n", exportUsage)
		return 2
	case len(files) != 1:
		fmt.Fprintf(stderr, "fanclub export verify: want one FILE, got %d\n%s\n", len(files), exportUsage)
		return 2
	}
	pub, err := parsePublicKey(*keyArg)
	if err != nil {
		fmt.Fprintln(stderr, "fanclub export verify:", err)
		return 2
	}
	body, err := os.ReadFile(files[0])
	if err != nil {
		fmt.Fprintln(stderr, "fanclub export verify:", err)
		return 1
	}
	what, err := verifyExport(body, pub)
	if err != nil {
		fmt.Fprintf(stderr, "fanclub export verify: %s: NOT VALID: %v\n", files[0], err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: valid %s\n", files[0], what)
	return 0
}

// verifyExport checks an export of any format and describes it: a zip is
// the CSV format, a JSON document naming the JSON format is decoded in
// full (every record and the counts), anything else is checked as a
// signed document (the ActivityStreams format).
func verifyExport(body []byte, pub ed25519.PublicKey) (string, error) {
	switch {
	case bytes.HasPrefix(body, []byte("PK\x03\x04")):
		sig, err := export.VerifyZip(bytes.NewReader(body), int64(len(body)), pub)
		return fmt.Sprintf("CSV export (zip), signed by %s, manifest sha256 %s", sig.KeyID, sig.SHA256), err
	case bytes.HasPrefix(body, []byte(`{"format":"`+export.FormatName+`"`)):
		doc, err := export.Decode(bytes.NewReader(body), func(id string) (ed25519.PublicKey, bool) { return pub, true })
		if err != nil {
			return "", err
		}
		var counts []string
		for _, t := range export.Tables {
			if n, ok := doc.Counts[t]; ok {
				counts = append(counts, fmt.Sprintf("%s %d", t, n))
			}
		}
		return fmt.Sprintf("JSON export of fan %d from %s, signed by %s, sha256 %s; %s", doc.Header.Fan.ID, doc.Header.Instance,
			doc.Signature.KeyID, doc.SHA256, strings.Join(counts, ", ")), nil
	default:
		sig, err := export.VerifySigned(body, pub)
		return fmt.Sprintf("signed document (ActivityStreams export), signed by %s, sha256 %s", sig.KeyID, sig.SHA256), err
	}
}

// parsePublicKey reads a base64url or base64 Ed25519 public key.
func parsePublicKey(s string) (ed25519.PublicKey, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		raw, err = base64.StdEncoding.DecodeString(s)
	}
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("--key %q: not a base64url or base64 32-byte Ed25519 public key", s)
	}
	return raw, nil
}

package export

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

// SplitSigned splits a signed document (any format's: the JSON export,
// the ActivityStreams export, a zip's manifest) into its signed part,
// the bytes before the first newline, and its signature member.
func SplitSigned(b []byte) ([]byte, Signature, error) {
	var sig Signature
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return nil, sig, fmt.Errorf("no newline: the document has no signature member")
	}
	rest := bytes.TrimRight(b[i+1:], "\n")
	const prefix = `,"signature":`
	if !bytes.HasPrefix(rest, []byte(prefix)) || !bytes.HasSuffix(rest, []byte("}")) {
		return nil, sig, fmt.Errorf(`the line after the signed part is not ,"signature":{...}}`)
	}
	dec := json.NewDecoder(bytes.NewReader(rest[len(prefix) : len(rest)-1]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sig); err != nil {
		return nil, sig, fmt.Errorf("signature: %w", err)
	}
	if dec.More() {
		return nil, sig, fmt.Errorf("signature: trailing data")
	}
	return b[:i], sig, nil
}

// VerifySigned checks a signed document's signature with pub.
func VerifySigned(b []byte, pub ed25519.PublicKey) (Signature, error) {
	signed, sig, err := SplitSigned(b)
	if err != nil {
		return sig, err
	}
	sum := sha256.Sum256(signed)
	return sig, sig.Verify(sum[:], pub)
}

// VerifyZip checks a CSV export: the manifest's signature with pub, and
// that the zip holds exactly the files the manifest lists, with their
// SHA-256 and sizes.
func VerifyZip(r io.ReaderAt, size int64, pub ed25519.PublicKey) (Signature, error) {
	var sig Signature
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return sig, fmt.Errorf("zip: %w", err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		if files[f.Name] != nil {
			return sig, fmt.Errorf("zip: %s appears twice", f.Name)
		}
		files[f.Name] = f
	}
	mf := files[ManifestName]
	if mf == nil {
		return sig, fmt.Errorf("zip: no %s", ManifestName)
	}
	manifest, err := readZipFile(mf, 16<<20)
	if err != nil {
		return sig, err
	}
	if sig, err = VerifySigned(manifest, pub); err != nil {
		return sig, fmt.Errorf("%s: %w", ManifestName, err)
	}
	signed, _, _ := SplitSigned(manifest)
	var m struct {
		Files []ManifestFile `json:"files"`
	}
	if err := json.Unmarshal(append(signed, '}'), &m); err != nil {
		return sig, fmt.Errorf("%s: %w", ManifestName, err)
	}
	if len(m.Files)+1 != len(files) {
		return sig, fmt.Errorf("zip: holds %d files, the manifest lists %d and itself", len(files), len(m.Files))
	}
	for _, want := range m.Files {
		f := files[want.Name]
		if f == nil {
			return sig, fmt.Errorf("zip: %s is listed but missing", want.Name)
		}
		h := sha256.New()
		rc, err := f.Open()
		if err != nil {
			return sig, fmt.Errorf("zip: %s: %w", want.Name, err)
		}
		n, err := io.Copy(h, rc)
		rc.Close()
		if err != nil {
			return sig, fmt.Errorf("zip: %s: %w", want.Name, err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != want.SHA256 || n != want.Bytes {
			return sig, fmt.Errorf("zip: %s has %d bytes with SHA-256 %s; the signed manifest says %d and %s", want.Name, n, got, want.Bytes, want.SHA256)
		}
	}
	return sig, nil
}

// readZipFile reads a zip entry of at most limit bytes.
func readZipFile(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("zip: %s: %w", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("zip: %s: %w", f.Name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("zip: %s is larger than %d bytes", f.Name, limit)
	}
	return b, nil
}

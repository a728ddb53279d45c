package http

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"fanclub"
	"fanclub/export"
	"fanclub/internal/teststores"
)

// download GETs a path and returns the body and the trailer.
func (a *testAPI) download(path, token string) (int, http.Header, []byte, http.Header) {
	a.t.Helper()
	req, _ := http.NewRequest("GET", a.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return res.StatusCode, res.Header, body, res.Trailer
}

// publicKey reads an instance's key from /.well-known/fanclub/keys.
func (a *testAPI) publicKey() (string, ed25519.PublicKey) {
	a.t.Helper()
	var ks KeySet
	a.must(200, "GET", "/.well-known/fanclub/keys", "", nil).JSON(a.t, &ks)
	if len(ks.Keys) != 1 || ks.Keys[0].Crv != "Ed25519" {
		a.t.Fatalf("keys = %+v", ks)
	}
	raw, err := base64.RawURLEncoding.DecodeString(ks.Keys[0].X)
	if err != nil || fanclub.KeyID(raw) != ks.Keys[0].Kid {
		a.t.Fatalf("key %+v does not decode to its kid (%v)", ks.Keys[0], err)
	}
	return ks.Keys[0].X, raw
}

func TestExportDownloadAndImportIntoAnotherInstance(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		a := newTestAPI(t, open)
		b := newTestAPI(t, teststores.SQLite.Open)
		_, fanTok := a.newFan("mei")
		_, crTok := a.newCreator("kai")
		fair, douyin := a.newClub(crTok, "kai", "fair"), a.newClub(crTok, "kai-dy", "douyin")
		for _, c := range []fanclub.Club{fair, douyin} {
			a.must(201, "PUT", fmt.Sprintf("/v1/clubs/%d/membership", c.ID), fanTok, nil)
			a.must(200, "POST", fmt.Sprintf("/v1/clubs/%d/interactions", c.ID), fanTok, map[string]any{"action": "like"})
		}
		x, pub := a.publicKey()

		// The exit flow links the export where the policy says so.
		var ex exitRequest
		a.must(201, "POST", fmt.Sprintf("/v1/clubs/%d/exit-requests", fair.ID), fanTok, nil).JSON(t, &ex)
		if ex.Links.Export != "/v1/me/export?format=json" {
			t.Errorf("fair exit links.export = %q", ex.Links.Export)
		}
		var dyEx exitRequest
		a.must(201, "POST", fmt.Sprintf("/v1/clubs/%d/exit-requests", douyin.ID), fanTok, nil).JSON(t, &dyEx)
		if dyEx.Links.Export != "" {
			t.Errorf("douyin exit links.export = %q, want none", dyEx.Links.Export)
		}

		for _, f := range []string{"json", "csv", "activitystreams"} {
			status, h, body, trailer := a.download("/v1/me/export?format="+f, fanTok)
			if status != 200 || h.Get("Content-Type") != export.ContentType(fanclub.ExportFormat(f)) {
				t.Fatalf("%s: %d %s: %s", f, status, h.Get("Content-Type"), body)
			}
			sig, err := export.ParseTrailer(trailer.Get(export.TrailerName))
			if err != nil {
				t.Fatalf("%s: trailer: %v", f, err)
			}
			sum := sha256.Sum256(body)
			if err := sig.Verify(sum[:], pub); err != nil {
				t.Errorf("%s: trailer signature: %v", f, err)
			}
		}
		if r := a.do("GET", "/v1/me/export?format=xml", fanTok, nil); r.Status != 400 || r.Problem(t).Errors[0].Path != "format" {
			t.Errorf("format=xml: %d %s", r.Status, r.Body)
		}

		_, _, body, _ := a.download("/v1/me/export", fanTok)
		_, bFan := b.newFan("mei")
		_, bCr := b.newCreator("kai")
		bClub := b.newClub(bCr, "kai here", "fair")
		q := url.Values{"public_key": {x}, "club": {fmt.Sprintf("%d:%d", fair.ID, bClub.ID)}}
		path := "/v1/me/imports?" + q.Encode()
		r := b.send("POST", path, bFan, bytes.NewReader(body), http.Header{"Content-Type": {"application/json"}})
		var got ImportResponse
		if r.Status != 201 {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &got)
		checkSchema(t, "ImportResult", r.Body)
		if !got.Created || got.Import.Counts["interactions"] != 1 || got.Import.Memberships[0].ClubID != bClub.ID {
			t.Errorf("import = %+v", got.Import)
		}
		if r := b.send("POST", path, bFan, bytes.NewReader(body), nil); r.Status != 200 {
			t.Errorf("second import: %d %s", r.Status, r.Body)
		}
		tampered := bytes.Replace(body, []byte(`"level":1`), []byte(`"level":9`), 1)
		r = b.send("POST", path, bFan, bytes.NewReader(tampered), nil)
		if r.Status != 400 || r.Problem(t).Errors[0].Path != "signature" {
			t.Errorf("tampered import: %d %s", r.Status, r.Body)
		}
		// A document signed by a's key but holding a value no export can
		// hold is refused by field, with what was found and what is
		// allowed, and imports nothing.
		key, err := a.Engine.SigningKey(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		signed, _, err := export.SplitSigned(body)
		if err != nil {
			t.Fatal(err)
		}
		bad := bytes.Replace(signed, []byte(`"level":1,`), []byte(`"level":-1,`), 1)
		sum := sha256.Sum256(bad)
		sig, _ := json.Marshal((&export.Signer{Key: key}).Sign(sum[:]))
		resigned := append(append(bytes.Clone(bad), "\n,\"signature\":"...), append(sig, "}\n"...)...)
		r = b.send("POST", path, bFan, bytes.NewReader(resigned), nil)
		if r.Status != 400 {
			t.Fatalf("re-signed bad import: %d %s", r.Status, r.Body)
		}
		if fe := r.Problem(t).Errors[0]; fe.Path != "memberships[0].level" || fe.Found != "-1" || fe.Allowed != "0 or more" ||
			!strings.Contains(fe.Message, "(at byte ") {
			t.Errorf("re-signed bad import: %+v", fe)
		}
		// Another instance's key is refused by its id.
		q.Set("public_key", base64.RawURLEncoding.EncodeToString(ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)))
		r = b.send("POST", "/v1/me/imports?"+q.Encode(), bFan, bytes.NewReader(body), nil)
		if r.Status != 400 || !strings.Contains(r.Problem(t).Errors[0].Message, "the given public key's id is") {
			t.Errorf("import with another key: %d %s", r.Status, r.Body)
		}
		// Without a key, b trusts only itself.
		r = b.send("POST", "/v1/me/imports", bFan, bytes.NewReader(body), nil)
		if r.Status != 400 || r.Problem(t).Errors[0].Path != "signature.key_id" {
			t.Errorf("untrusted import: %d %s", r.Status, r.Body)
		}
		var list struct{ Imports []fanclub.Import }
		b.must(200, "GET", "/v1/me/imports", bFan, nil).JSON(t, &list)
		if len(list.Imports) != 1 {
			t.Errorf("imports = %d, want 1", len(list.Imports))
		}
	})
}

// TestImportLargerThanTheLimit: a body over Config.MaxImportBytes is
// refused as too large (the limit in the message), and imports nothing.
func TestImportLargerThanTheLimit(t *testing.T) {
	t.Parallel()
	a := startTestAPI(t, teststores.SQLite.Open, fanclub.AuthConfig{}, nil, nil, Config{MaxImportBytes: 256})
	_, fanTok := a.newFan("mei")
	_, _, body, _ := a.download("/v1/me/export", fanTok)
	if len(body) <= 256 {
		t.Fatalf("the export is %d bytes, want more than the limit", len(body))
	}
	r := a.send("POST", "/v1/me/imports", fanTok, bytes.NewReader(body), nil)
	if r.Status != 400 || !strings.Contains(r.Problem(t).Detail, "larger than 256 bytes") {
		t.Errorf("import over the limit: %d %s", r.Status, r.Body)
	}
	var list struct{ Imports []fanclub.Import }
	a.must(200, "GET", "/v1/me/imports", fanTok, nil).JSON(t, &list)
	if len(list.Imports) != 0 {
		t.Errorf("imports = %d, want none", len(list.Imports))
	}
}

package http

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"fanclub"
	"fanclub/export"
)

// DefaultMaxImportBytes bounds an import's body when Config.MaxImportBytes
// is 0.
const DefaultMaxImportBytes = 1 << 30

// ioWindow is how long a streamed export or import may go without
// progress: each write or read moves the connection's deadline this far.
const ioWindow = 30 * time.Second

// portability holds what exports and imports need of the server.
type portability struct {
	instance string
	trusted  map[string]ed25519.PublicKey
	maxBody  int64
	mu       sync.Mutex
	key      *fanclub.SigningKey // from Config.SigningKey, or loaded on first use
}

// newPortability reads the export settings of cfg.
func newPortability(cfg Config) *portability {
	p := &portability{instance: cfg.Instance, key: cfg.SigningKey, trusted: map[string]ed25519.PublicKey{}, maxBody: cfg.MaxImportBytes}
	for _, k := range cfg.TrustedKeys {
		p.trusted[fanclub.KeyID(k)] = k
	}
	if p.maxBody <= 0 {
		p.maxBody = DefaultMaxImportBytes
	}
	return p
}

// signer returns the instance's signer: Config.SigningKey, or the key the
// engine keeps in the store (made on first use).
func (s *Server) signer(r *http.Request) (*export.Signer, error) {
	p := s.port
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.key == nil {
		k, err := s.engine.SigningKey(r.Context())
		if err != nil {
			return nil, err
		}
		p.key = k
	}
	inst := p.instance
	if inst == "" {
		inst = "urn:fanclub:" + p.key.ID
	}
	return &export.Signer{Instance: inst, Key: p.key}, nil
}

// KeySet is the body of GET /.well-known/fanclub/keys: the instance's
// public keys as JSON Web Keys (RFC 8037: kty OKP, crv Ed25519, x the
// base64url public key).
type KeySet struct {
	Instance string `json:"instance"`
	Keys     []JWK  `json:"keys"`
}

// JWK is one public key.
type JWK struct {
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	X   string `json:"x"`
}

// wellKnownKeys serves the instance's public signing key.
func (s *Server) wellKnownKeys(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	sg, err := s.signer(r)
	if err != nil {
		return err
	}
	pub := sg.Key.Public()
	return s.respond(w, r, http.StatusOK, KeySet{Instance: sg.Instance, Keys: []JWK{{Kid: sg.Key.ID, Kty: "OKP", Crv: "Ed25519",
		Alg: "EdDSA", Use: "sig", X: base64.RawURLEncoding.EncodeToString(pub)}}})
}

// exportSchema serves the JSON Schema of the JSON export.
func (s *Server) exportSchema(w http.ResponseWriter, _ *http.Request, _ fanclub.Principal) error {
	w.Header().Set("Content-Type", "application/schema+json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err := w.Write(export.SchemaJSON)
	return err
}

// progressWriter moves the connection's write deadline on every write.
type progressWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

func (p progressWriter) Write(b []byte) (int, error) {
	_ = p.rc.SetWriteDeadline(time.Now().Add(ioWindow))
	return p.w.Write(b)
}

// myExport streams the fan's signed export. Errors found before the first
// byte are problems; a failure later aborts the response, so the client
// sees a truncated body without its signature.
func (s *Server) myExport(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	format := fanclub.ExportFormat(r.URL.Query().Get("format"))
	if format == "" {
		format = fanclub.ExportJSON
	}
	sg, err := s.signer(r)
	if err != nil {
		return err
	}
	sc, err := s.engine.ExportScope(r.Context(), p.ID, format)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", export.ContentType(format))
	h.Set("Content-Disposition", `attachment; filename="`+export.FileName(format, p.ID)+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("Trailer", export.TrailerName)
	w.WriteHeader(http.StatusOK)
	sum := sha256.New()
	out := progressWriter{w: io.MultiWriter(w, sum), rc: http.NewResponseController(w)}
	if _, err := export.WriteScope(r.Context(), out, s.engine, sc, sg); err != nil {
		s.log.ErrorContext(r.Context(), "export aborted", "fan", p.ID, "format", format, "err", err)
		panic(http.ErrAbortHandler)
	}
	h.Set(export.TrailerName, export.Trailer(sg.Sign(sum.Sum(nil))))
	return nil
}

// progressReader moves the connection's read deadline on every read.
type progressReader struct {
	r  io.Reader
	rc *http.ResponseController
}

func (p progressReader) Read(b []byte) (int, error) {
	_ = p.rc.SetReadDeadline(time.Now().Add(ioWindow))
	return p.r.Read(b)
}

// ImportResponse is an import: the recorded history, and whether this
// request created it (false: the fan had imported the document before).
type ImportResponse struct {
	Import  *fanclub.Import `json:"import"`
	Created bool            `json:"created"`
}

// importExport verifies another instance's signed JSON export (the body)
// and records it as the fan's imported history. The key comes from the
// public_key query parameter (base64url or base64 of the 32-byte Ed25519
// key) or from the server's trusted keys; club=SRC:HERE parameters map
// source clubs to clubs here.
func (s *Server) importExport(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	q := r.URL.Query()
	keys, err := s.importKeys(r, q.Get("public_key"))
	if err != nil {
		return err
	}
	clubs, err := clubMapping(q["club"])
	if err != nil {
		return err
	}
	body := progressReader{r: http.MaxBytesReader(w, r.Body, s.port.maxBody), rc: http.NewResponseController(w)}
	im, created, err := export.Import(r.Context(), body, keys, s.engine, p.ID, clubs)
	var de *export.DecodeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return fanclub.Errorf(fanclub.EINVALID, "The export is larger than %d bytes.", tooBig.Limit)
	case errors.As(err, &de):
		return fanclub.InvalidFields("The export was refused; nothing was imported.", []fanclub.FieldError{{Path: de.Path,
			Found: de.Found, Allowed: de.Allowed, Message: fmt.Sprintf("%s (at byte %d)", de.Message, de.Offset)}})
	case err != nil:
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", "/v1/me/imports")
	}
	return s.respond(w, r, status, ImportResponse{Import: im, Created: created})
}

// importKeys resolves the key an import is checked with: the given
// public key, else the trusted keys and the instance's own.
func (s *Server) importKeys(r *http.Request, given string) (export.KeyFunc, error) {
	if given != "" {
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(given, "="))
		if err != nil {
			raw, err = base64.StdEncoding.DecodeString(given)
		}
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return nil, fanclub.InvalidFields("Bad public key.", []fanclub.FieldError{{Path: "public_key", Found: given,
				Allowed: "the base64url (or base64) of a 32-byte Ed25519 public key", Message: "not an Ed25519 public key"}})
		}
		// Decode checks that the document names this key's id.
		pub := ed25519.PublicKey(raw)
		return func(string) (ed25519.PublicKey, bool) { return pub, true }, nil
	}
	sg, err := s.signer(r)
	if err != nil {
		return nil, err
	}
	own := sg.Key.Public()
	return func(id string) (ed25519.PublicKey, bool) {
		if id == sg.Key.ID {
			return own, true
		}
		k, ok := s.port.trusted[id]
		return k, ok
	}, nil
}

// clubMapping parses club=SRC:HERE parameters.
func clubMapping(vals []string) (map[int64]int64, error) {
	out := map[int64]int64{}
	for i, v := range vals {
		a, b, ok := strings.Cut(v, ":")
		src, err1 := strconv.ParseInt(a, 10, 64)
		here, err2 := strconv.ParseInt(b, 10, 64)
		if _, dup := out[src]; !ok || err1 != nil || err2 != nil || src <= 0 || here <= 0 || dup {
			return nil, fanclub.InvalidFields("Bad club mapping.", []fanclub.FieldError{{Path: fmt.Sprintf("club[%d]", i), Found: v,
				Allowed: "SOURCE_CLUB_ID:CLUB_ID, each source club once", Message: "not a club mapping"}})
		}
		out[src] = here
	}
	return out, nil
}

// myImports lists the fan's imports.
func (s *Server) myImports(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	ims, err := s.engine.ListImports(r.Context(), p.ID)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, map[string]any{"imports": ims})
}

// withExportLink adds the export link to an exit request's response when
// the club's exit flow offers the export (in its policy's first format).
func (s *Server) withExportLink(r *http.Request, resp ExitRequestResponse) ExitRequestResponse {
	formats, err := s.engine.ExitExportFormats(r.Context(), resp.ClubID)
	if err != nil {
		s.log.WarnContext(r.Context(), "exit export link", "club", resp.ClubID, "err", err)
		return resp
	}
	if len(formats) > 0 {
		resp.Links.Export = "/v1/me/export?format=" + string(formats[0])
	}
	return resp
}

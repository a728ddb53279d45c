package http

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"fanclub"
)

// IdempotencyKeyHeader is the request header that makes a fan's POST or
// PUT idempotent: a retry under the same key gets the first response back
// (same status and body, with ReplayedHeader set) instead of acting twice.
const IdempotencyKeyHeader = "Idempotency-Key"

// ReplayedHeader marks a response replayed from an earlier request under
// the same Idempotency-Key.
const ReplayedHeader = "Idempotent-Replayed"

// idempotencyKeyCtx is the context key of a request's idempotency key.
type idempotencyKeyCtx struct{}

// idempotencyKey returns the Idempotency-Key of a request the idempotent
// helper let through ("" when it had none).
func idempotencyKey(ctx context.Context) string {
	k, _ := ctx.Value(idempotencyKeyCtx{}).(string)
	return k
}

// withIdempotency makes a route idempotent under an Idempotency-Key when
// it changes a fan's state: the fan's POST and PUT routes.
func (s *Server) withIdempotency(rt route) route {
	if rt.perm == permFan && (rt.method == http.MethodPost || rt.method == http.MethodPut) {
		rt.handle = s.idempotent(rt.handle)
	}
	return rt
}

// idempotent wraps a handler: without an Idempotency-Key header it runs
// as is. With one, the key (validated by the engine's rule) is looked up
// in the caller's scope: a stored response of the same request (method,
// path and body) is replayed; one of another request is a 422
// (idempotency_key_reused); otherwise the handler runs with its output
// buffered, and the response is stored for the retention when it is
// storable. Two concurrent
// first requests under one key both run (the interaction's event id,
// derived from the key, makes them count once) and both answer with the
// response stored first.
func (s *Server) idempotent(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
		keys := r.Header.Values(IdempotencyKeyHeader)
		switch {
		case len(keys) == 0:
			return next(w, r, p)
		case len(keys) > 1:
			return fanclub.InvalidFields("Invalid Idempotency-Key header.", []fanclub.FieldError{{Path: IdempotencyKeyHeader,
				Found: fmt.Sprintf("%d headers", len(keys)), Allowed: "one header", Message: "repeated idempotency key"}})
		}
		key := keys[0]
		if err := fanclub.CheckIdempotencyKey(key); err != nil {
			return err
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
		if err != nil {
			return fanclub.Errorf(fanclub.EINVALID, "Could not read the request body.")
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if len(body) > MaxBodyBytes {
			// Too large to fingerprint: the handler refuses it as it is.
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
			return next(w, r, p)
		}
		scope := fmt.Sprintf("%s:%d", p.Role, p.ID)
		fp := fingerprint(r, body)
		stored, err := s.engine.IdempotentResponse(r.Context(), scope, key, fp)
		switch code := fanclub.ErrorCode(err); code {
		case "":
			return replay(w, stored)
		case fanclub.ENOTFOUND:
		default:
			return err
		}
		buf := &bufferedResponse{header: http.Header{}}
		ctx := context.WithValue(r.Context(), idempotencyKeyCtx{}, key)
		if herr := next(buf, r.WithContext(ctx), p); herr != nil {
			s.writeError(buf, r, herr)
		}
		if !storable(buf.status) {
			return buf.flush(w)
		}
		first, err := s.engine.SaveIdempotentResponse(r.Context(), &fanclub.IdempotentResponse{
			Scope: scope, Key: key, Fingerprint: fp, Route: r.Method + " " + r.URL.Path,
			Status: buf.status, ContentType: buf.header.Get("Content-Type"), Location: buf.header.Get("Location"),
			Body: buf.body.Bytes(),
		})
		switch {
		case fanclub.ErrorCode(err) == fanclub.EKEYREUSED:
			return err
		case err != nil:
			// The action is done: answer it even though a retry will not
			// find the response (the event id still dedupes interactions).
			s.log.ErrorContext(r.Context(), "store idempotent response", "path", r.URL.Path, "err", err)
			return buf.flush(w)
		case !bytes.Equal(first.Body, buf.body.Bytes()) || first.Status != buf.status:
			return replay(w, first) // a concurrent request stored first
		}
		return buf.flush(w)
	}
}

// storable reports whether a response is stored for retries: not a
// server error or a 429, which a retry should repeat, and not a request
// refused as malformed (400, 413, 415), which a corrected request may
// send again under the same key.
func storable(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusTooManyRequests:
		return false
	}
	return status < 500
}

// fingerprint identifies a request: its method, path, query and body,
// less the value of a password in the body (see withoutPassword).
func fingerprint(r *http.Request, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", r.Method, r.URL.RequestURI())
	h.Write(withoutPassword(body))
	return hex.EncodeToString(h.Sum(nil))
}

// withoutPassword returns a JSON object body without its "password"
// member (matched as the decoder matches names), and any other body as
// it is. The fingerprint is stored: a SHA-256 over a password would let
// whoever reads the store try passwords at SHA-256 speed instead of
// argon2id's. A retry that differs only in its password is taken for the
// same request and gets the first answer, which no password changes.
func withoutPassword(body []byte) []byte {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return body
	}
	found := false
	for k := range doc {
		if strings.EqualFold(k, "password") {
			delete(doc, k)
			found = true
		}
	}
	if !found {
		return body
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return append([]byte("password withheld\n"), out...)
}

// replay writes a stored response.
func replay(w http.ResponseWriter, resp *fanclub.IdempotentResponse) error {
	if resp.ContentType != "" {
		w.Header().Set("Content-Type", resp.ContentType)
	}
	if resp.Location != "" {
		w.Header().Set("Location", resp.Location)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set(ReplayedHeader, "true")
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
	return nil
}

// bufferedResponse holds a handler's response until it is stored.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// Header returns the buffered headers.
func (b *bufferedResponse) Header() http.Header { return b.header }

// WriteHeader records the status (the first one wins).
func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

// Write buffers body bytes, with an implicit 200.
func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// flush sends the buffered response.
func (b *bufferedResponse) flush(w http.ResponseWriter) error {
	for k, vs := range b.header {
		w.Header()[k] = vs
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
	return nil
}

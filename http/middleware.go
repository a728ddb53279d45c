package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fanclub"
)

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status and passes it on.
func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 and passes the bytes on.
func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap exposes the underlying writer to http.ResponseController.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// RequestIDHeader carries a request's id, from the client or generated.
const RequestIDHeader = "X-Request-Id"

// MaxRequestIDLen is the longest X-Request-Id the server keeps; a longer
// or unprintable one is replaced by a generated id.
const MaxRequestIDLen = 128

// requestInfo is what the middleware learns about a request: its id and,
// once routed, its route pattern (the metrics and log label).
type requestInfo struct {
	id    string
	route string
}

// requestInfoKey is the context key of a request's requestInfo.
type requestInfoKey struct{}

// requestIDFrom returns the id of the request ctx belongs to ("" outside
// a request).
func requestIDFrom(ctx context.Context) string {
	if ri, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return ri.id
	}
	return ""
}

// RequestID returns the X-Request-Id of the request ctx belongs to.
func RequestID(ctx context.Context) string { return requestIDFrom(ctx) }

// validRequestID reports whether a client's request id is kept: 1 to
// MaxRequestIDLen printable ASCII characters without spaces.
func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > MaxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// idSource generates request ids: a random prefix per server and a
// counter, unique without a system call per request.
type idSource struct {
	prefix string
	n      atomic.Uint64
}

func newIDSource() *idSource {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return &idSource{prefix: hex.EncodeToString(b) + "-"}
}

// next returns a fresh request id.
func (s *idSource) next() string {
	return s.prefix + strconv.FormatUint(s.n.Add(1), 36)
}

// AccessLog says which requests get an access log line.
type AccessLog struct {
	mode  string // all, errors, off, sample
	every uint64 // sample: one request in every
	n     atomic.Uint64
}

// ParseAccessLog reads an access-log setting: "all" (every request),
// "errors" (status 400 and above), "off", or "sample:N" (one request in
// N, and every server error).
func ParseAccessLog(s string) (*AccessLog, error) {
	switch s {
	case "", "all":
		return &AccessLog{mode: "all"}, nil
	case "errors", "off":
		return &AccessLog{mode: s}, nil
	}
	if v, ok := strings.CutPrefix(s, "sample:"); ok {
		n, err := strconv.ParseUint(v, 10, 32)
		if err == nil && n >= 1 {
			return &AccessLog{mode: "sample", every: n}, nil
		}
	}
	return nil, fmt.Errorf("access log %q: want all, errors, off or sample:N with N ≥ 1", s)
}

// String returns the setting as ParseAccessLog reads it.
func (a *AccessLog) String() string {
	if a.mode == "sample" {
		return "sample:" + strconv.FormatUint(a.every, 10)
	}
	return a.mode
}

// logs reports whether a request with status gets a log line.
func (a *AccessLog) logs(status int) bool {
	switch a.mode {
	case "off":
		return false
	case "errors":
		return status >= 400
	case "sample":
		return status >= 500 || a.n.Add(1)%a.every == 0
	}
	return true
}

// instrument gives each request an id (the client's X-Request-Id when
// valid, else a generated one) echoed in the response header, counts it
// in the metrics by route pattern and status, writes its access log line
// as the access-log setting says (method, path, route, status, duration,
// request id; never headers or bodies, which carry tokens and passwords),
// and turns a panic into a logged internal-error problem.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID(id) {
			id = s.ids.next()
		}
		w.Header().Set(RequestIDHeader, id)
		ri := &requestInfo{id: id, route: "unmatched"}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, ri))
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err := fanclub.Errorf(fanclub.EINTERNAL, "panic: %v", v)
				if rec.status == 0 {
					s.writeError(rec, r, err)
				} else {
					s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", fmt.Errorf("after status %d: %w", rec.status, err))
				}
			}
			d := time.Since(start)
			if s.metrics != nil {
				s.metrics.ObserveRequest(ri.route, rec.status, d)
			}
			if s.access.logs(rec.status) {
				s.log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "route", ri.route,
					"status", rec.status, "duration", d)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// requestIDHandler adds the request id of a record's context, if any, to
// every record.
type requestIDHandler struct{ slog.Handler }

// Handle adds request_id and passes the record on.
func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := requestIDFrom(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the wrapper around the derived handler.
func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

// WithGroup keeps the wrapper around the derived handler.
func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// WithRequestIDs returns a logger that adds, to every record logged with
// a request's context (by this server or by the engine and store it
// calls), the request's id as request_id.
func WithRequestIDs(log *slog.Logger) *slog.Logger {
	if _, ok := log.Handler().(requestIDHandler); ok {
		return log
	}
	return slog.New(requestIDHandler{log.Handler()})
}

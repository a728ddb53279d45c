// Package http serves the fan-club engine as a JSON API under /v1. Every
// route, with the permission it needs, is listed in one table (routes);
// handlers decode input strictly, call the engine and write JSON or an RFC
// 9457 problem. Business rules stay in the engine: handlers only decide
// who may call what, and which ids come from the token.
package http

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"fanclub"
	"fanclub/captcha"
	"fanclub/payments"
)

// PolicyLister is a policy source that can also list its policy names.
type PolicyLister interface {
	fanclub.PolicySource
	Names() []string
	// Builtin reports whether a policy is one of the shipped presets.
	Builtin(name string) bool
}

// CaptchaRenderer draws exit challenges as PNG images: a captcha code,
// and a slider track width pixels wide with its gap centred at target.
type CaptchaRenderer interface {
	WritePNG(w io.Writer, digits string) error
	WriteSliderPNG(w io.Writer, width, target int) error
}

// Config holds the server's dependencies.
type Config struct {
	Engine   *fanclub.Engine
	Policies PolicyLister
	Logger   *slog.Logger
	// Captcha renders exit captchas and sliders; nil uses captcha.New
	// with defaults.
	Captcha CaptchaRenderer
	// TrustForwardedFor takes a login's client address from the last
	// X-Forwarded-For entry; set it only behind a proxy that appends it.
	TrustForwardedFor bool
	// AccessLog says which requests are logged (nil: all).
	AccessLog *AccessLog
	// Metrics counts requests by route and status (nil: none).
	Metrics RequestObserver
	// MetricsHandler serves GET /metrics (nil: 404).
	MetricsHandler http.Handler
	// TokenCacheTTL is how long an authenticated token is remembered
	// without asking the store again (0: not at all), and never past the
	// token's expiry. A token revoked through another server is still
	// accepted for up to this long.
	TokenCacheTTL time.Duration
	// TokenCacheSize bounds the remembered tokens (default 10 000).
	TokenCacheSize int
	// Payments is the payment provider the engine uses (nil: none).
	Payments payments.Provider
	// Sandbox controls the sandbox provider's decline rules (the admin
	// routes under /v1/admin/sandbox); nil when the provider is not the
	// sandbox, and those routes answer 404.
	Sandbox SandboxControls
	// VerifySandbox controls the sandbox identity verifier (the admin
	// routes under /v1/admin/sandbox/failures); nil: those answer 404.
	VerifySandbox VerifyControls
	// Instance names this instance in the exports it signs (e.g. its base
	// URL); empty: "urn:fanclub:" and the key id.
	Instance string
	// SigningKey signs exports (nil: the key the engine keeps in the
	// store, made on first use).
	SigningKey *fanclub.SigningKey
	// TrustedKeys are other instances' public keys imports are checked
	// with when a request names none (the instance's own key is always
	// trusted).
	TrustedKeys []ed25519.PublicKey
	// MaxImportBytes bounds an import's body (0: DefaultMaxImportBytes).
	MaxImportBytes int64
}

// RequestObserver records each request's route pattern, status and
// latency (metrics.Metrics in production).
type RequestObserver interface {
	ObserveRequest(route string, status int, d time.Duration)
}

// Server is the HTTP API over one engine.
type Server struct {
	engine   *fanclub.Engine
	policies PolicyLister
	log      *slog.Logger
	captcha  CaptchaRenderer
	openapi  []byte
	access   *AccessLog
	metrics  RequestObserver
	promHTTP http.Handler
	tokens   *tokenCache
	ids      *idSource
	payments payments.Provider
	sandbox  SandboxControls
	verify   VerifyControls
	port     *portability
	// trustForwardedFor: see Config.TrustForwardedFor.
	trustForwardedFor bool
}

// NewServer returns a server over cfg.
func NewServer(cfg Config) *Server {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = WithRequestIDs(log)
	cr := cfg.Captcha
	if cr == nil {
		cr = captcha.New(captcha.Config{})
	}
	access := cfg.AccessLog
	if access == nil {
		access = &AccessLog{mode: "all"}
	}
	return &Server{engine: cfg.Engine, policies: cfg.Policies, log: log, captcha: cr, openapi: openAPIJSON(),
		access: access, metrics: cfg.Metrics, promHTTP: cfg.MetricsHandler,
		tokens: newTokenCache(cfg.TokenCacheTTL, cfg.TokenCacheSize, nil), ids: newIDSource(),
		trustForwardedFor: cfg.TrustForwardedFor, payments: cfg.Payments, sandbox: cfg.Sandbox,
		verify: cfg.VerifySandbox, port: newPortability(cfg)}
}

// permission is who may call a route.
type permission string

// Permissions, from open to narrow.
const (
	permPublic    permission = "public"        // no token needed
	permAnyone    permission = "authenticated" // any valid token
	permFan       permission = "fan"           // a fan, acting on their own account
	permClubOwner permission = "club_owner"    // the club's creator, or an admin
	permCreator   permission = "creator|admin" // a creator for themselves, or an admin
	permAdmin     permission = "admin"
)

// handlerFunc handles a request for an authenticated (or anonymous, on
// public routes) principal; a returned error is written as a problem.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error

// route is one entry of the route table.
type route struct {
	method  string
	pattern string
	perm    permission
	handle  handlerFunc
}

// routes is the API: every route and the permission it needs;
// bodiless marks the routes that take no body.
func (s *Server) routes() []route {
	return []route{
		{"GET", "/healthz", permPublic, s.healthz},
		{"GET", "/readyz", permPublic, s.readyz},
		{"GET", "/metrics", permPublic, s.metricsPage},
		{"GET", "/v1/openapi.json", permPublic, s.openAPI},
		{"GET", "/v1/policies", permPublic, s.listPolicies},
		{"GET", "/v1/policies/{name}", permPublic, s.getPolicy},
		{"POST", "/v1/sessions", permPublic, s.login},
		{"DELETE", "/v1/sessions/current", permAnyone, bodiless(s.logout)},
		{"POST", "/v1/fans", permAdmin, s.createFan},
		{"POST", "/v1/creators", permAdmin, s.createCreator},
		{"POST", "/v1/tokens", permAdmin, s.issueToken},
		{"DELETE", "/v1/tokens/{id}", permAdmin, bodiless(s.revokeToken)},
		{"POST", "/v1/events:batch", permAdmin, s.ingest},
		{"POST", "/v1/clubs", permCreator, s.createClub},
		{"GET", "/v1/clubs", permAnyone, s.listClubs},
		{"GET", "/v1/clubs/{club}", permAnyone, s.getClub},
		{"GET", "/v1/clubs/{club}/members", permClubOwner, s.listMembers},
		{"GET", "/v1/me", permFan, s.me},
		{"GET", "/v1/me/memberships", permFan, s.myMemberships},
		{"GET", "/v1/me/notifications", permFan, s.myNotifications},
		{"GET", "/v1/me/receipts", permFan, s.myReceipts},
		{"POST", "/v1/me/erasure", permFan, s.eraseMe},
		{"POST", "/v1/admin/fans/{fan}/erasure", permAdmin, s.eraseFan},
		{"PUT", "/v1/creators/{id}/follow", permFan, s.follow},
		{"DELETE", "/v1/creators/{id}/follow", permFan, bodiless(s.unfollow)},
		{"PUT", "/v1/clubs/{club}/membership", permFan, s.join},
		{"GET", "/v1/clubs/{club}/membership", permFan, s.myMembership},
		{"POST", "/v1/clubs/{club}/interactions", permFan, s.interact},
		{"POST", "/v1/clubs/{club}/gifts", permFan, s.sendGift},
		{"POST", "/v1/clubs/{club}/subscription", permFan, s.subscribe},
		{"GET", "/v1/clubs/{club}/subscription", permFan, s.mySubscription},
		{"DELETE", "/v1/clubs/{club}/subscription/auto-renew", permFan, bodiless(s.cancelRenewal)},
		{"POST", "/v1/me/payment-agreements/{id}", permFan, bodiless(s.revokeAgreement)},
		{"POST", "/v1/me/coins", permFan, s.buyCoins},
		{"GET", "/v1/me/wallet", permFan, s.myWallet},
		{"GET", "/v1/me/payments", permFan, s.myPayments},
		{"GET", "/v1/me/export", permFan, s.myExport},
		{"POST", "/v1/me/imports", permFan, s.importExport},
		{"GET", "/v1/me/imports", permFan, s.myImports},
		{"GET", "/v1/schemas/export.json", permPublic, s.exportSchema},
		{"GET", "/.well-known/fanclub/keys", permPublic, s.wellKnownKeys},
		{"POST", "/v1/clubs/{club}/exit-requests", permFan, s.requestExit},
		{"GET", "/v1/exit-requests/{id}", permFan, s.getExitRequest},
		{"GET", "/v1/exit-requests/{id}/captcha.png", permFan, s.exitCaptcha},
		{"GET", "/v1/exit-requests/{id}/slider.png", permFan, s.exitSlider},
		{"POST", "/v1/exit-requests/{id}/confirm", permFan, s.confirmExit},
		{"GET", "/v1/clubs/{club}/task", permAnyone, s.clubTask},
		{"GET", "/v1/creators/me/revenue", permCreator, s.myRevenue},
		{"GET", "/v1/creators/me/settlements", permCreator, s.mySettlements},
		{"GET", "/v1/creators/me/statements/{week}", permCreator, s.myStatement},
		{"POST", "/v1/creators/me/payouts", permCreator, s.requestPayout},
		{"GET", "/v1/admin/revenue/holds", permAdmin, s.listHolds},
		{"POST", "/v1/admin/revenue/holds/{id}/release", permAdmin, s.releaseHold},
		{"POST", "/v1/admin/revenue/holds/{id}/void", permAdmin, s.voidHold},
		{"GET", "/v1/admin/revenue/reviews", permAdmin, s.listReviews},
		{"POST", "/v1/admin/revenue/reviews/{id}/close", permAdmin, s.closeReview},
		{"GET", "/v1/admin/sandbox/declines", permAdmin, s.sandboxRules},
		{"PUT", "/v1/admin/sandbox/declines/fans/{fan}", permAdmin, bodiless(s.sandboxDeclineFan)},
		{"DELETE", "/v1/admin/sandbox/declines/fans/{fan}", permAdmin, bodiless(s.sandboxDeclineFan)},
		{"PUT", "/v1/admin/sandbox/declines/amounts/{amount}", permAdmin, bodiless(s.sandboxDeclineAmount)},
		{"DELETE", "/v1/admin/sandbox/declines/amounts/{amount}", permAdmin, bodiless(s.sandboxDeclineAmount)},
		{"PUT", "/v1/me/age", permFan, s.setAge},
		{"GET", "/v1/me/age", permFan, s.myAge},
		{"POST", "/v1/me/face-checks", permFan, s.faceCheck},
		{"POST", "/v1/me/guardian-links", permFan, s.requestGuardianLink},
		{"GET", "/v1/me/guardian-links", permFan, s.myGuardianLinks},
		{"POST", "/v1/me/guardian-links/{id}/accept", permFan, bodiless(s.acceptGuardianLink)},
		{"DELETE", "/v1/me/guardian-links/{id}", permFan, bodiless(s.unlinkGuardian)},
		{"GET", "/v1/me/minors/{minor}/consumption", permFan, s.minorConsumption},
		{"POST", "/v1/me/minors/{minor}/exit-requests", permFan, s.guardianExitPreview},
		{"POST", "/v1/me/minors/{minor}/exit-requests/{id}/confirm", permFan, s.confirmGuardianExit},
		{"POST", "/v1/me/minors/{minor}/refund-requests", permFan, s.guardianRefund},
		{"GET", "/v1/admin/guardian-refunds", permAdmin, s.listGuardianRefunds},
		{"POST", "/v1/admin/guardian-refunds/{id}/decision", permAdmin, s.decideGuardianRefund},
		{"DELETE", "/v1/admin/guardian-links/{id}", permAdmin, bodiless(s.adminUnlinkGuardian)},
		{"PUT", "/v1/admin/sandbox/failures/face/{fan}", permAdmin, bodiless(s.sandboxFailFace)},
		{"DELETE", "/v1/admin/sandbox/failures/face/{fan}", permAdmin, bodiless(s.sandboxFailFace)},
		{"PUT", "/v1/admin/sandbox/failures/age/{fan}", permAdmin, bodiless(s.sandboxFailAge)},
		{"DELETE", "/v1/admin/sandbox/failures/age/{fan}", permAdmin, bodiless(s.sandboxFailAge)},
	}
}

// Handler returns the API's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	paths := http.NewServeMux() // the same patterns without methods, for 405s
	allowed := map[string][]string{}
	for _, rt := range s.routes() {
		rt = s.withIdempotency(rt)
		mux.Handle(rt.method+" "+rt.pattern, s.wrap(rt))
		if allowed[rt.pattern] == nil {
			paths.Handle(rt.pattern, http.NotFoundHandler())
		}
		allowed[rt.pattern] = append(allowed[rt.pattern], rt.method)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := paths.Handler(r); allowed[pattern] != nil {
			w.Header().Set("Allow", strings.Join(allowed[pattern], ", "))
			s.writeError(w, r, &fanclub.Error{Code: CodeMethodNotAllowed, Message: fmt.Sprintf("%s supports %s, not %s.", r.URL.Path, strings.Join(allowed[pattern], ", "), r.Method)})
			return
		}
		s.writeError(w, r, fanclub.Errorf(fanclub.ENOTFOUND, "No route for %s %s.", r.Method, r.URL.Path))
	})
	return s.instrument(mux)
}

// principalKey is the context key of the authenticated principal.
type principalKey struct{}

// PrincipalFrom returns the principal a request was authenticated as.
func PrincipalFrom(ctx context.Context) (fanclub.Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(fanclub.Principal)
	return p, ok
}

// wrap authenticates a request, checks the route's permission, runs the
// handler and writes its error, if any.
func (s *Server) wrap(rt route) http.Handler {
	label := rt.method + " " + rt.pattern
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ri, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
			ri.route = label
		}
		var p fanclub.Principal
		if rt.perm != permPublic {
			var err error
			p, err = s.authenticate(r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			if !rt.perm.allows(p.Role) {
				s.writeError(w, r, fanclub.Errorf(fanclub.EFORBIDDEN, "This route needs the %s permission; the token is a %s token.", rt.perm, p.Role))
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
		}
		if err := rt.handle(w, r, p); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// allows reports whether a role passes the permission's role check; routes
// with ownership rules (club_owner, creator) check the subject themselves.
func (pm permission) allows(role fanclub.Role) bool {
	switch pm {
	case permPublic, permAnyone:
		return true
	case permFan:
		return role == fanclub.RoleFan
	case permClubOwner, permCreator:
		return role == fanclub.RoleCreator || role == fanclub.RoleAdmin
	case permAdmin:
		return role == fanclub.RoleAdmin
	}
	return false
}

// authenticate resolves the request's bearer token.
func (s *Server) authenticate(r *http.Request) (fanclub.Principal, error) {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return fanclub.Principal{}, fanclub.Errorf(fanclub.EUNAUTHORIZED, "Send a bearer token: Authorization: Bearer <token>.")
	}
	tok := h[len(prefix):]
	if s.tokens == nil {
		return s.engine.Authenticate(r.Context(), tok)
	}
	key := sha256.Sum256([]byte(tok))
	if p, ok := s.tokens.get(key); ok {
		return p, nil
	}
	gen := s.tokens.generation()
	p, left, err := s.engine.AuthenticateLeft(r.Context(), tok)
	if err == nil {
		s.tokens.put(key, p, gen, left)
	}
	return p, err
}

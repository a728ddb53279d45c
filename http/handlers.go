package http

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"fanclub"
)

// healthz reports that the server is up.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	return s.respond(w, r, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz reports whether the service can serve: its store answers and has
// every migration applied (503 otherwise).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	if err := s.engine.Ready(r.Context()); err != nil {
		s.log.WarnContext(r.Context(), "not ready", "err", err)
		return &fanclub.Error{Code: CodeNotReady, Message: "The store is not reachable or not migrated; see the server log."}
	}
	return s.respond(w, r, http.StatusOK, map[string]string{"status": "ready"})
}

// metricsPage serves the Prometheus metrics.
func (s *Server) metricsPage(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	if s.promHTTP == nil {
		return fanclub.Errorf(fanclub.ENOTFOUND, "Metrics are not enabled on this server.")
	}
	s.promHTTP.ServeHTTP(w, r)
	return nil
}

// openAPI serves the API's OpenAPI document.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(s.openapi)
	return nil
}

// PolicySummary names a policy in the policy list.
type PolicySummary struct {
	Name         string               `json:"name"`
	Version      string               `json:"version,omitempty"`
	DisplayName  fanclub.Localized    `json:"displayName"`
	Jurisdiction fanclub.Jurisdiction `json:"jurisdiction"`
	// Builtin is true for the presets that ship with fanclub, false for
	// the policies of serve --policies.
	Builtin bool `json:"builtin"`
}

// listPolicies lists the known policies by name, a page at a time.
func (s *Server) listPolicies(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	pq, err := parsePage(r, cursorPolicies)
	if err != nil {
		return err
	}
	names := slices.Sorted(slices.Values(s.policies.Names()))
	start, _ := slices.BinarySearch(names, pq.after)
	if pq.after != "" && start < len(names) && names[start] == pq.after {
		start++
	}
	names = names[start:]
	more := len(names) > pq.limit
	if more {
		names = names[:pq.limit]
	}
	out := []PolicySummary{}
	for _, n := range names {
		p, err := s.policies.Policy(n)
		if err != nil {
			return err
		}
		out = append(out, PolicySummary{Name: n, Version: p.Metadata.Version, DisplayName: p.Metadata.DisplayName, Jurisdiction: p.Metadata.Jurisdiction,
			Builtin: s.policies.Builtin(n)})
	}
	return s.respond(w, r, http.StatusOK, pageOf(out, more, cursorPolicies, func(p PolicySummary) string { return p.Name }))
}

// getPolicy returns one policy in full.
func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	p, err := s.policies.Policy(r.PathValue("name"))
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, p)
}

// credentials are a fan's handle and password.
type credentials struct {
	Handle   string `json:"handle"`
	Password string `json:"password"`
	// DeviceID, when set, records a sighting of the fan's device.
	DeviceID string `json:"device_id,omitempty"`
}

// login checks a fan's password and returns a fan session token with its
// id and expiry. Wrong passwords are throttled per handle and per client
// address (429 with Retry-After).
func (s *Server) login(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	var in credentials
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	tok, f, err := s.engine.LoginFanDevice(r.Context(), in.Handle, in.Password, s.clientAddr(r), in.DeviceID)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusCreated, map[string]any{"token": tok.Token, "token_id": tok.TokenID, "expires_at": tok.ExpiresAt, "fan": f})
}

// clientAddr is the address login throttling counts a request under: the
// connection's peer host or, when the server trusts a proxy, the last
// address of X-Forwarded-For (the one the proxy saw).
func (s *Server) clientAddr(r *http.Request) string {
	if s.trustForwardedFor {
		if v := r.Header.Values("X-Forwarded-For"); len(v) > 0 {
			parts := strings.Split(v[len(v)-1], ",")
			if a := strings.TrimSpace(parts[len(parts)-1]); a != "" {
				return a
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// logout revokes the caller's own token.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	if err := s.engine.RevokeToken(r.Context(), p.TokenID); err != nil {
		return err
	}
	s.tokens.forgetID(p.TokenID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// revokeToken revokes any token by id.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.engine.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	s.tokens.forgetID(id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// createFan registers a fan.
func (s *Server) createFan(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	var in credentials
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	f, err := s.engine.CreateFan(r.Context(), in.Handle, in.Password)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusCreated, f)
}

// createCreator registers a creator.
func (s *Server) createCreator(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	var in struct {
		Handle string `json:"handle"`
	}
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	c, err := s.engine.CreateCreator(r.Context(), in.Handle)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusCreated, c)
}

// issueToken issues a token for a role and subject, valid for ttl (a Go
// duration such as "720h"; omitted: the server's default).
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	var in struct {
		Role      fanclub.Role `json:"role"`
		SubjectID int64        `json:"subject_id"`
		TTL       string       `json:"ttl,omitempty"`
	}
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	var ttl time.Duration
	if in.TTL != "" {
		d, err := time.ParseDuration(in.TTL)
		if err != nil || d <= 0 {
			return fanclub.InvalidFields("Invalid token request.", []fanclub.FieldError{{Path: "ttl", Found: fmt.Sprintf("%q", in.TTL), Allowed: `a positive duration such as "24h" or "90m"`, Message: "invalid lifetime"}})
		}
		ttl = d
	}
	tok, err := s.engine.IssueTokenTTL(r.Context(), in.Role, in.SubjectID, ttl)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusCreated, tok)
}

// ingest applies a batch of interaction events.
func (s *Server) ingest(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	var in fanclub.Batch
	if err := decodeBodyLimit(w, r, &in, MaxBatchBodyBytes); err != nil {
		return err
	}
	res, err := s.engine.Ingest(r.Context(), in)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, res)
}

// createClub creates a club: a creator for themselves, an admin for the
// creator_id it names.
func (s *Server) createClub(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	var in struct {
		Name      string `json:"name"`
		Policy    string `json:"policy"`
		CreatorID int64  `json:"creator_id,omitempty"`
	}
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	creatorID := in.CreatorID
	if p.Role == fanclub.RoleCreator {
		if creatorID != 0 && creatorID != p.ID {
			return fanclub.Errorf(fanclub.EFORBIDDEN, "A creator creates clubs only for themselves.")
		}
		creatorID = p.ID
	} else if creatorID == 0 {
		return fanclub.InvalidFields("Invalid club.", []fanclub.FieldError{{Path: "creator_id", Message: "required for an admin token", Allowed: "a creator id"}})
	}
	c, err := s.engine.CreateClub(r.Context(), creatorID, in.Name, in.Policy)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusCreated, c)
}

// listClubs lists clubs by id, optionally one creator's (?creator_id=), a
// page at a time.
func (s *Server) listClubs(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	pq, err := parsePage(r, cursorClubs)
	if err != nil {
		return err
	}
	var creatorID int64
	if v := r.URL.Query().Get("creator_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			return fanclub.InvalidFields("Invalid query.", []fanclub.FieldError{{Path: "creator_id", Found: v, Allowed: "a positive integer", Message: "invalid id"}})
		}
		creatorID = id
	}
	cs, more, err := s.engine.ClubPage(r.Context(), creatorID, pq.afterID(), pq.limit)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, pageOf(cs, more, cursorClubs, func(c *fanclub.Club) string { return strconv.FormatInt(c.ID, 10) }))
}

// getClub returns a club with its member count, as the caller may see it.
func (s *Server) getClub(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	id, err := pathID(r, "club")
	if err != nil {
		return err
	}
	c, err := s.engine.ClubView(r.Context(), p, id)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, c)
}

// listMembers lists a club's memberships by fan id, a page at a time, for
// its creator or an admin.
func (s *Server) listMembers(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	id, err := pathID(r, "club")
	if err != nil {
		return err
	}
	pq, err := parsePage(r, cursorMembers)
	if err != nil {
		return err
	}
	c, err := s.engine.FindClub(r.Context(), id)
	if err != nil {
		return err
	}
	if p.Role != fanclub.RoleAdmin && !(p.Role == fanclub.RoleCreator && p.ID == c.CreatorID) {
		return fanclub.Errorf(fanclub.EFORBIDDEN, "Only the club's creator or an admin may list its members.")
	}
	ms, more, err := s.engine.ClubMembersPage(r.Context(), id, pq.afterID(), pq.limit)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, pageOf(ms, more, cursorMembers, func(m *fanclub.MembershipView) string { return strconv.FormatInt(m.FanID, 10) }))
}

// pathID parses a positive integer path parameter, written the one way
// the API writes it (no sign, no leading zero), so that one resource has
// one path.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 || strconv.FormatInt(id, 10) != v {
		return 0, fanclub.InvalidFields("Invalid path.", []fanclub.FieldError{{Path: name, Found: v, Allowed: "a positive integer", Message: "invalid id"}})
	}
	return id, nil
}

// isCode reports whether err carries a domain error code.
func isCode(err error, code string) bool {
	var de *fanclub.Error
	return errors.As(err, &de) && de.Code == code
}

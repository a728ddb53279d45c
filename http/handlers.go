package http

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

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
		out = append(out, PolicySummary{Name: n, Version: p.Metadata.Version, DisplayName: p.Metadata.DisplayName, Jurisdiction: p.Metadata.Jurisdiction})
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
}

// login checks a fan's password and returns a fan token.
func (s *Server) login(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	var in credentials
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	tok, f, err := s.engine.LoginFan(r.Context(), in.Handle, in.Password)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusCreated, map[string]any{"token": tok, "fan": f})
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

// issueToken issues a token for a role and subject.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	var in struct {
		Role      fanclub.Role `json:"role"`
		SubjectID int64        `json:"subject_id"`
	}
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	tok, err := s.engine.IssueToken(r.Context(), in.Role, in.SubjectID)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusCreated, map[string]any{"token": tok, "role": in.Role, "subject_id": in.SubjectID})
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

// pathID parses a positive integer path parameter.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return 0, fanclub.InvalidFields("Invalid path.", []fanclub.FieldError{{Path: name, Found: v, Allowed: "a positive integer", Message: "invalid id"}})
	}
	return id, nil
}

// isCode reports whether err carries a domain error code.
func isCode(err error, code string) bool {
	var de *fanclub.Error
	return errors.As(err, &de) && de.Code == code
}

package http

import (
	"errors"
	"net/http"
	"strconv"

	"fanclub"
)

// healthz reports that the server is up.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	return s.respond(w, r, http.StatusOK, map[string]string{"status": "ok"})
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

// listPolicies lists the known policies.
func (s *Server) listPolicies(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	out := []PolicySummary{}
	for _, n := range s.policies.Names() {
		p, err := s.policies.Policy(n)
		if err != nil {
			return err
		}
		out = append(out, PolicySummary{Name: n, Version: p.Metadata.Version, DisplayName: p.Metadata.DisplayName, Jurisdiction: p.Metadata.Jurisdiction})
	}
	return s.respond(w, r, http.StatusOK, map[string]any{"policies": out})
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
	if err := decodeBody(w, r, &in); err != nil {
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

// listClubs lists clubs, optionally one creator's (?creator_id=).
func (s *Server) listClubs(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	var creatorID int64
	if v := r.URL.Query().Get("creator_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			return fanclub.InvalidFields("Invalid query.", []fanclub.FieldError{{Path: "creator_id", Found: v, Allowed: "a positive integer", Message: "invalid id"}})
		}
		creatorID = id
	}
	cs, err := s.engine.ListClubs(r.Context(), creatorID)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, map[string]any{"clubs": cs})
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

// listMembers lists a club's memberships, for its creator or an admin.
func (s *Server) listMembers(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	id, err := pathID(r, "club")
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
	ms, err := s.engine.ListMemberships(r.Context(), 0, id)
	if err != nil {
		return err
	}
	if ms == nil {
		ms = []*fanclub.MembershipView{}
	}
	return s.respond(w, r, http.StatusOK, map[string]any{"memberships": ms})
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

package http

import (
	"net/http"

	"fanclub"
)

// follow has the fan follow a creator (PUT is idempotent).
func (s *Server) follow(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	creator, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct{} // no member is defined: a body, if any, is {}
	if err := decodeOptionalBody(w, r, &in); err != nil {
		return err
	}
	f, err := s.engine.Follow(r.Context(), p.ID, creator)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, f)
}

// unfollow removes the fan's follow of a creator (204, also when there
// was none).
func (s *Server) unfollow(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	creator, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.engine.Unfollow(r.Context(), p.ID, creator); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// myReceipts lists the fan's deletion receipts, oldest first.
func (s *Server) myReceipts(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	rs, err := s.engine.Receipts(r.Context(), p.ID)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, Page[fanclub.DeletionReceipt]{Items: rs})
}

// eraseMe previews ({"confirm": false} or no body) or runs ({"confirm":
// true}) the erasure of the fan's own account.
func (s *Server) eraseMe(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	return s.erase(w, r, p.ID)
}

// eraseFan is eraseMe run by an admin for the fan in the path.
func (s *Server) eraseFan(w http.ResponseWriter, r *http.Request, _ fanclub.Principal) error {
	fan, err := pathID(r, "fan")
	if err != nil {
		return err
	}
	return s.erase(w, r, fan)
}

// erase previews or runs an account erasure; a confirmed one answers 200
// with what it did and forgets the fan's cached tokens.
func (s *Server) erase(w http.ResponseWriter, r *http.Request, fanID int64) error {
	var in fanclub.ErasureRequest
	if err := decodeOptionalBody(w, r, &in); err != nil {
		return err
	}
	er, err := s.engine.EraseAccount(r.Context(), fanID, in)
	if err != nil {
		return err
	}
	if er.Confirmed {
		s.tokens.forgetFan(fanID)
	}
	return s.respond(w, r, http.StatusOK, er)
}

// forgetFan drops every cached token of a fan (the fan's account was
// erased through this server; other processes' caches hold them for at
// most their ttl).
func (c *tokenCache) forgetFan(fanID int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.m {
		if e.p.Role == fanclub.RoleFan && e.p.ID == fanID {
			delete(c.m, k)
		}
	}
}

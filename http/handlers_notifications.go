package http

import (
	"net/http"
	"strconv"

	"fanclub"
)

// cursorNotifications is the cursor kind of the fan's notifications.
const cursorNotifications = "notifications"

// myNotifications lists the fan's notifications by seq, oldest first, a
// page at a time, with titles and bodies in both languages.
func (s *Server) myNotifications(w http.ResponseWriter, r *http.Request, p fanclub.Principal) error {
	pq, err := parsePage(r, cursorNotifications)
	if err != nil {
		return err
	}
	ns, more, err := s.engine.NotificationsPage(r.Context(), fanclub.FanRecipient(p.ID), pq.afterID(), pq.limit)
	if err != nil {
		return err
	}
	return s.respond(w, r, http.StatusOK, pageOf(ns, more, cursorNotifications, func(n *fanclub.Notification) string { return strconv.FormatInt(n.Seq, 10) }))
}

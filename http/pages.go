package http

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"fanclub"
)

// Page is one page of a list: its items and the cursor of the next page
// (null on the last one).
type Page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// pageQuery is a list request's page: its size and the key it starts
// after (from the cursor; "" for the first page).
type pageQuery struct {
	limit int
	after string
}

// parsePage reads ?limit= (1 to fanclub.MaxPageLimit, default
// fanclub.DefaultPageLimit) and ?cursor= (opaque: a cursor this server
// returned for the same list, kind).
func parsePage(r *http.Request, kind string) (pageQuery, error) {
	q := r.URL.Query()
	pq := pageQuery{limit: fanclub.DefaultPageLimit}
	if v, ok := q["limit"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > fanclub.MaxPageLimit || len(v) > 1 {
			return pq, fanclub.InvalidFields("Invalid query.", []fanclub.FieldError{{Path: "limit", Found: strconv.Quote(strings.Join(v, ",")),
				Allowed: fmt.Sprintf("one integer from 1 to %d", fanclub.MaxPageLimit), Message: "invalid limit"}})
		}
		pq.limit = n
	}
	if v, ok := q["cursor"]; ok {
		key, err := decodeCursor(kind, v[0])
		if err != nil || len(v) > 1 {
			return pq, fanclub.InvalidFields("Invalid query.", []fanclub.FieldError{{Path: "cursor", Found: strconv.Quote(strings.Join(v, ",")),
				Allowed: "the next_cursor of a previous page of this list", Message: "invalid cursor"}})
		}
		pq.after = key
	}
	return pq, nil
}

// afterID is the page's start key as an id (0 for the first page).
func (pq pageQuery) afterID() int64 {
	id, _ := strconv.ParseInt(pq.after, 10, 64)
	return id
}

// cursorPrefix versions the cursor format.
const cursorPrefix = "c1:"

// encodeCursor makes the opaque cursor of a list after key.
func encodeCursor(kind, key string) *string {
	c := base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + kind + ":" + key))
	return &c
}

// decodeCursor returns the key of a cursor of list kind.
func decodeCursor(kind, c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", err
	}
	key, ok := strings.CutPrefix(string(b), cursorPrefix+kind+":")
	if !ok || key == "" {
		return "", fmt.Errorf("not a %s cursor", kind)
	}
	if kind != cursorPolicies {
		if id, err := strconv.ParseInt(key, 10, 64); err != nil || id < 1 {
			return "", fmt.Errorf("bad %s cursor key", kind)
		}
	}
	return key, nil
}

// Cursor kinds: a cursor is valid only for the list it came from.
const (
	cursorClubs         = "clubs"
	cursorMembers       = "members"
	cursorMyMemberships = "me"
	cursorPolicies      = "policies"
)

// pageOf builds a page; when more follow, its cursor starts after the key
// of the last item.
func pageOf[T any](items []T, more bool, kind string, key func(T) string) Page[T] {
	p := Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if more && len(items) > 0 {
		p.NextCursor = encodeCursor(kind, key(items[len(items)-1]))
	}
	return p
}

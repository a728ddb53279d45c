package postgres

import (
	"sync"

	"fanclub"
)

// maxCachedClubs bounds the club cache; clubs beyond it are read from the
// table every time.
const maxCachedClubs = 1 << 16

// clubCache holds clubs by id. A club never changes once created, so a
// cached club is right for every process; only clubs a transaction read
// and then committed (or read in a read-only transaction) are added, never
// one a transaction created and might roll back.
type clubCache struct {
	mu    sync.RWMutex
	clubs map[int64]*fanclub.Club
}

// get returns a copy of a cached club.
func (c *clubCache) get(id int64) (*fanclub.Club, bool) {
	c.mu.RLock()
	cl, ok := c.clubs[id]
	c.mu.RUnlock()
	if !ok {
		return nil, false
	}
	cp := *cl
	return &cp, true
}

// add caches clubs, up to maxCachedClubs.
func (c *clubCache) add(clubs []*fanclub.Club) {
	if len(clubs) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.clubs == nil {
		c.clubs = make(map[int64]*fanclub.Club)
	}
	for _, cl := range clubs {
		if len(c.clubs) >= maxCachedClubs {
			return
		}
		c.clubs[cl.ID] = cl
	}
}

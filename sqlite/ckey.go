package sqlite

import "fanclub"

// ckey is a daily counter's key in the overlay: a fanclub.CounterKey whose
// day and action are interned, so that the overlay's largest map holds no
// pointers (the garbage collector does not scan it) and hashes integers.
type ckey struct {
	fan, club   int64
	day, action uint32
}

// names interns the day and action strings of counter keys. The overlay
// interns under its write lock and looks up under its read lock.
type names struct {
	ids  map[string]uint32
	strs []string
}

// lookup returns s's id, if s was interned.
func (n *names) lookup(s string) (uint32, bool) {
	id, ok := n.ids[s]
	return id, ok
}

// intern returns s's id, interning it if needed.
func (n *names) intern(s string) uint32 {
	if id, ok := n.ids[s]; ok {
		return id
	}
	if n.ids == nil {
		n.ids = map[string]uint32{}
	}
	id := uint32(len(n.strs))
	n.ids[s] = id
	n.strs = append(n.strs, s)
	return id
}

// str returns the string with id.
func (n *names) str(id uint32) string { return n.strs[id] }

// packer packs counter keys, remembering the last day and action it
// looked up (a batch's keys mostly share them). It belongs to one
// goroutine.
type packer struct {
	n          *names
	day, act   string
	dayID, aID uint32
	dayOK, aOK bool
}

// pack returns k's packed key, or false when one of its strings was never
// interned (so the overlay holds no counter with it). The caller holds
// the overlay's lock.
func (p *packer) pack(k fanclub.CounterKey) (ckey, bool) {
	if k.Day != p.day || (p.day == "" && !p.dayOK) {
		p.day = k.Day
		p.dayID, p.dayOK = p.n.lookup(k.Day)
	}
	if string(k.Action) != p.act || (p.act == "" && !p.aOK) {
		p.act = string(k.Action)
		p.aID, p.aOK = p.n.lookup(string(k.Action))
	}
	return ckey{fan: k.FanID, club: k.ClubID, day: p.dayID, action: p.aID}, p.dayOK && p.aOK
}

// packNew returns k's packed key, interning its strings; the caller holds
// the overlay's write lock.
func (p *packer) packNew(k fanclub.CounterKey) ckey {
	if c, ok := p.pack(k); ok {
		return c
	}
	p.dayID, p.dayOK = p.n.intern(k.Day), true
	p.aID, p.aOK = p.n.intern(string(k.Action)), true
	return ckey{fan: k.FanID, club: k.ClubID, day: p.dayID, action: p.aID}
}

// unpack returns the fanclub.CounterKey of c.
func (n *names) unpack(c ckey) fanclub.CounterKey {
	return fanclub.CounterKey{FanID: c.fan, ClubID: c.club, Day: n.strs[c.day], Action: fanclub.Action(n.strs[c.action])}
}

package fanclub

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// ImportTimeMax is the last instant the stores can keep: they store times
// as Unix nanoseconds in a signed 64-bit integer (0 standing for no
// time), so a later time would read back as another one.
var ImportTimeMax = time.Unix(0, math.MaxInt64).UTC()

// ImportTimeAllowed says, for field errors, which times an import accepts.
const ImportTimeAllowed = "a time after 1970-01-01T00:00:00Z and at most 2262-04-11T23:47:16.854775807Z"

// ImportClockSkew is how far an imported time that records the past may
// lie after the export's time, and the export's time after the importing
// instance's clock: the clocks of two processes, or two instances, differ
// by a little.
const ImportClockSkew = MaxEventSkew

// ImportableTime reports whether an import accepts t: after the Unix
// epoch (no fanclub data is older, and a store reads the epoch itself
// back as no time) and no later than ImportTimeMax, so that every time an
// import stores reads back exactly as it was given.
func ImportableTime(t time.Time) bool {
	return t.After(time.Unix(0, 0)) && !t.After(ImportTimeMax)
}

// checkImport refuses an import no verified export could have produced,
// at the importing instance's time now: the export's time outside
// ImportableTime or more than ImportClockSkew after now, and memberships
// with an unknown status, negative or out-of-range level or points,
// times outside ImportableTime or after the export's time, a left
// membership without left_at or left before it was joined, retained
// progress on an active membership, or a negative tenure. Every problem
// is one field error; export.Decode checks the same and more, with the
// byte offset, before an import gets here.
func checkImport(im *Import, now time.Time) error {
	var bad []FieldError
	add := func(path, found, allowed, msg string) {
		bad = append(bad, FieldError{Path: path, Found: found, Allowed: allowed, Message: msg})
	}
	tm := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	// past checks a time of the past against the export's time, when that
	// is a time at all (else the export's time is the one fault).
	latest, exportedOK := im.ExportedAt.Add(ImportClockSkew), ImportableTime(im.ExportedAt)
	past := func(path string, t time.Time) bool {
		switch {
		case !ImportableTime(t):
			add(path, tm(t), ImportTimeAllowed, "not a time an export can hold")
		case exportedOK && t.After(latest):
			add(path, tm(t), "at most "+ImportClockSkew.String()+" after exported_at ("+tm(im.ExportedAt)+")", "after the export was made")
		default:
			return true
		}
		return false
	}
	switch {
	case !exportedOK:
		add("exported_at", tm(im.ExportedAt), ImportTimeAllowed, "not a time an export can hold")
	case im.ExportedAt.After(now.Add(ImportClockSkew)):
		add("exported_at", tm(im.ExportedAt), "at most "+ImportClockSkew.String()+" after this instance's time ("+tm(now)+")",
			"the export is dated in the future")
	}
	for i, m := range im.Memberships {
		p := "memberships[" + strconv.Itoa(i) + "]"
		if m.Status != StatusActive && m.Status != StatusLeft {
			add(p+".status", string(m.Status), "active or left", "not a membership status")
		}
		if m.Level < 0 {
			add(p+".level", strconv.Itoa(m.Level), "0 or more", "a level cannot be negative")
		}
		if m.LevelPoints < 0 || m.LevelPoints > MaxPoints {
			add(p+".level_points", strconv.FormatInt(m.LevelPoints, 10), fmt.Sprintf("0 to %d", MaxPoints), "level points out of range")
		}
		joinedOK := past(p+".joined_at", m.JoinedAt)
		switch {
		case m.LeftAt != nil:
			if past(p+".left_at", *m.LeftAt) && joinedOK && m.Status == StatusLeft && m.LeftAt.Before(m.JoinedAt) {
				add(p+".left_at", tm(*m.LeftAt), "at or after joined_at ("+tm(m.JoinedAt)+")", "the fan left before joining")
			}
		case m.Status == StatusLeft:
			add(p+".left_at", "null", "the time the fan left", "a left membership has no left_at")
		}
		if m.Retained != nil && m.Status == StatusActive {
			add(p+".retained", "progress kept", "null for an active membership", "only a left membership keeps progress")
		}
		if m.Retained != nil {
			checkRetained(p+".retained", m.Retained, add)
		}
		if m.TenureSeconds < 0 {
			add(p+".tenure_seconds", strconv.FormatInt(m.TenureSeconds, 10), "0 or more", "a tenure cannot be negative")
		}
	}
	if len(bad) > 0 {
		return InvalidFields("The import holds values no export can hold; nothing was imported.", bad)
	}
	return nil
}

// checkRetained checks retained progress: a known decay and restore rule,
// points and level in range, and an end unless it lasts for ever.
func checkRetained(p string, r *Retained, add func(path, found, allowed, msg string)) {
	if r.Points < 0 || r.Points > MaxPoints {
		add(p+".points", strconv.FormatInt(r.Points, 10), fmt.Sprintf("0 to %d", MaxPoints), "retained points out of range")
	}
	if r.Level < 0 {
		add(p+".level", strconv.Itoa(r.Level), "0 or more", "a level cannot be negative")
	}
	if !slices.Contains(Decays, r.Decay) {
		add(p+".decay", string(r.Decay), "none or linear_daily", "not a decay rule")
	}
	if r.DecayDays < 0 {
		add(p+".decay_days", strconv.Itoa(r.DecayDays), "0 or more", "a number of days cannot be negative")
	}
	if !slices.Contains(Restores, r.Restore) {
		add(p+".restore", string(r.Restore), "none, points or level_threshold", "not a restore rule")
	}
	switch {
	case r.Forever && !r.Until.IsZero():
		add(p+".until", r.Until.UTC().Format(time.RFC3339Nano), "null when forever is true", "kept for ever and until a time")
	case !r.Forever && !ImportableTime(r.Until):
		add(p+".until", r.Until.UTC().Format(time.RFC3339Nano), ImportTimeAllowed+" (or forever true)", "not a time an export can hold")
	}
}

// utcImport copies im with its times in UTC, as the stores read them back.
func utcImport(im *Import) Import {
	cp := *im
	cp.ExportedAt = im.ExportedAt.UTC()
	cp.Memberships = slices.Clone(im.Memberships)
	for i := range cp.Memberships {
		m := &cp.Memberships[i]
		m.JoinedAt = m.JoinedAt.UTC()
		if m.LeftAt != nil {
			t := m.LeftAt.UTC()
			m.LeftAt = &t
		}
		if m.Retained != nil {
			r := *m.Retained
			if !r.Until.IsZero() {
				r.Until = r.Until.UTC()
			}
			m.Retained = &r
		}
	}
	return cp
}

package fanclub

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// ingestWork is the per-event state of a batch being applied.
type ingestWork struct {
	at     time.Time
	amount int64
	m      *Membership
	cp     *clubPolicy
	rule   ActionRule
}

// ingestTx applies a validated batch in tx. With wantErrs it also returns,
// per event, the domain error of a rejected event (nil otherwise).
// replayed is true when the batch's (producer, seq) was applied before
// and res is the stored result: nothing was applied now.
func (e *Engine) ingestTx(ctx context.Context, tx Tx, b Batch, wantErrs bool) (res *BatchResult, errs []*Error, replayed bool, err error) {
	now := tx.Now()
	n := len(b.Events)
	if wantErrs {
		errs = make([]*Error, n)
	}
	if b.Producer != "" {
		stored, err := tx.FindBatch(ctx, b.Producer, b.Seq)
		if err == nil {
			if !sameEventIDs(stored, b) {
				return nil, nil, false, Errorf(ECONFLICT, "Batch %d of producer %q was already applied with other events; a retry must resend the same events, and a new batch needs a new seq.", b.Seq, b.Producer)
			}
			return stored, errs, true, nil
		} else if !isNotFound(err) {
			return nil, nil, false, fmt.Errorf("find batch: %w", err)
		}
	}
	res = &BatchResult{Results: make([]EventResult, n)}
	work := make([]ingestWork, n)

	reject := func(i int, err *Error) {
		res.Results[i].Status = EventRejected
		res.Results[i].Code = err.Code
		if wantErrs {
			errs[i] = err
		}
	}
	oldest, latest := now.Add(-e.limits.EventWindow), now.Add(e.limits.EventSkew)

	// Duplicates within the batch, event times, member keys and clubs.
	seen := make(map[string]struct{}, n)
	keys := make([]MemberKey, 0, n)
	keySet := make(map[MemberKey]struct{}, n)
	clubs := clubCache{}
	clubMissing := map[int64]bool{}
	minAt := now
	for i := range b.Events {
		ev := &b.Events[i]
		r := &res.Results[i]
		r.ID = ev.ID
		if _, dup := seen[ev.ID]; dup {
			r.Status = EventDuplicate
			continue
		}
		seen[ev.ID] = struct{}{}
		w := &work[i]
		w.at, w.amount = now, ev.Amount
		if ev.At != nil {
			w.at = *ev.At
		}
		if w.amount == 0 {
			w.amount = 1
		}
		if terr := e.eventTimeError(i, w.at, oldest, latest, wantErrs); terr != nil {
			reject(i, terr)
			continue
		}
		if w.at.Before(minAt) {
			minAt = w.at
		}
		if _, missing := clubMissing[ev.ClubID]; !missing {
			cp, err := clubs.get(ctx, e, tx, ev.ClubID)
			switch {
			case isNotFound(err):
				clubMissing[ev.ClubID] = true
			case err != nil:
				return nil, nil, false, err
			default:
				w.cp = cp
			}
		}
		k := MemberKey{FanID: ev.FanID, ClubID: ev.ClubID}
		if _, ok := keySet[k]; !ok {
			keySet[k] = struct{}{}
			keys = append(keys, k)
		}
	}
	members, err := tx.FindMemberships(ctx, keys)
	if err != nil {
		return nil, nil, false, fmt.Errorf("find memberships: %w", err)
	}
	effects, err := e.effectsOf(ctx, tx, members, minAt)
	if err != nil {
		return nil, nil, false, err
	}

	// Per-event checks; candidates go to the behaviour log.
	cand := make([]Event, 0, n)
	candIdx := make([]int, 0, n)
	for i := range b.Events {
		ev := &b.Events[i]
		if res.Results[i].Status != "" {
			continue // a duplicate within the batch, or out of the window
		}
		w := &work[i]
		if w.cp == nil {
			reject(i, Errorf(ENOTFOUND, "Club %d does not exist.", ev.ClubID))
			continue
		}
		m := members[MemberKey{FanID: ev.FanID, ClubID: ev.ClubID}]
		if m == nil || m.Status != StatusActive {
			reject(i, Errorf(ENOTMEMBER, "Fan %d is not a member of club %d.", ev.FanID, ev.ClubID))
			continue
		}
		rule, ok := w.cp.policy.Engagement.ActionRule(ev.Action)
		if !ok {
			reject(i, InvalidFields("Action not in the club's policy.", []FieldError{{Path: fmt.Sprintf("events[%d].action", i), Found: string(ev.Action), Message: "action not in the club's policy"}}))
			continue
		}
		if efs := effects[ev.FanID]; len(efs) > 0 {
			var hit *Effect
			for j := range efs {
				if restricts(&efs[j], ev.ClubID, ev.Action, w.at) {
					hit = &efs[j]
					break
				}
			}
			if hit != nil {
				reject(i, restrictedError(hit, ev.Action))
				continue
			}
		}
		w.m, w.rule = m, rule
		cand = append(cand, Event{ID: ev.ID, FanID: ev.FanID, ClubID: ev.ClubID, Action: ev.Action, Amount: w.amount, At: w.at})
		candIdx = append(candIdx, i)
	}
	fresh, err := tx.InsertEvents(ctx, cand)
	if err != nil {
		return nil, nil, false, fmt.Errorf("insert events: %w", err)
	}
	if len(fresh) != len(cand) {
		return nil, nil, false, Errorf(EINTERNAL, "store reported %d results for %d events", len(fresh), len(cand))
	}

	// Daily counters of capped actions, read once.
	var dc dayCache
	ckeys := make([]CounterKey, len(cand))
	var capped []CounterKey
	for j, ev := range cand {
		if !fresh[j] {
			continue
		}
		w := &work[candIdx[j]]
		ckeys[j] = CounterKey{FanID: ev.FanID, ClubID: ev.ClubID, Day: dc.dayKey(ev.At, w.cp.loc), Action: ev.Action}
		if w.rule.DailyCap > 0 {
			capped = append(capped, ckeys[j])
		}
	}
	counters := map[CounterKey]int64{}
	if len(capped) > 0 {
		counters, err = tx.DailyPoints(ctx, capped)
		if err != nil {
			return nil, nil, false, fmt.Errorf("daily points: %w", err)
		}
		if counters == nil {
			counters = map[CounterKey]int64{}
		}
	}

	// Paid benefits of the members earning, read once.
	rates, err := e.tierRates(ctx, tx, cand, fresh, work, candIdx)
	if err != nil {
		return nil, nil, false, err
	}

	// Earn, in batch order.
	deltas := make(map[CounterKey]int64, len(cand))
	changed := make([]*Membership, 0, len(keys))
	changedSet := make(map[*Membership]struct{}, len(keys))
	for j := range cand {
		i := candIdx[j]
		r := &res.Results[i]
		if !fresh[j] {
			r.Status = EventDuplicate
			continue
		}
		w := &work[i]
		k := ckeys[j]
		var earned int64
		if rate, ok := rates[j]; ok {
			earned = earnRate(w.rule, w.amount, counters[k], rate)
		} else {
			earned = Earn(w.rule, w.amount, counters[k])
		}
		if w.rule.DailyCap > 0 {
			counters[k] = AddPoints(counters[k], earned)
		}
		if earned > 0 {
			deltas[k] = AddPoints(deltas[k], earned)
		}
		m := w.m
		m.LevelPoints = AddPoints(m.LevelPoints, earned) // bounded by MaxPoints
		m.Level = LevelFor(w.cp.policy.Engagement.Levels, m.LevelPoints)
		if w.at.After(m.LastInteractionAt) {
			m.LastInteractionAt = w.at
		}
		if _, ok := changedSet[m]; !ok {
			changedSet[m] = struct{}{}
			changed = append(changed, m)
		}
		r.Status = EventAccepted
		r.Points = earned
	}
	for _, m := range changed {
		m.Version++
	}
	if len(changed) > 0 {
		if err := tx.SaveMemberships(ctx, changed); err != nil {
			return nil, nil, false, fmt.Errorf("save memberships: %w", err)
		}
	}
	if len(deltas) > 0 {
		if err := tx.AddDailyPoints(ctx, deltas); err != nil {
			return nil, nil, false, fmt.Errorf("add daily points: %w", err)
		}
	}
	for i := range res.Results {
		switch res.Results[i].Status {
		case EventAccepted:
			res.Accepted++
		case EventDuplicate:
			res.Duplicates++
		default:
			res.Rejected++
		}
	}
	if sightings := eventSightings(b, res, work); len(sightings) > 0 {
		if err := tx.SeeDevices(ctx, sightings); err != nil {
			return nil, nil, false, fmt.Errorf("see devices: %w", err)
		}
	}
	if b.Producer != "" {
		if err := tx.SaveBatch(ctx, b.Producer, b.Seq, res); err != nil {
			return nil, nil, false, fmt.Errorf("save batch: %w", err)
		}
	}
	return res, errs, false, nil
}

// eventTimeError returns the rejection of an event whose time at is before
// oldest (too_old) or after latest (in_future), nil otherwise. The message,
// built only when wanted, names the field, the time and the window.
func (e *Engine) eventTimeError(i int, at, oldest, latest time.Time, wanted bool) *Error {
	var code, allowed, msg string
	switch {
	case at.Before(oldest):
		code, msg = ETOOOLD, "event time too old"
	case at.After(latest):
		code, msg = EINFUTURE, "event time in the future"
	default:
		return nil
	}
	if !wanted {
		return &Error{Code: code}
	}
	allowed = fmt.Sprintf("from %s (%s before now) to %s (%s after now)", oldest.UTC().Format(time.RFC3339), e.limits.EventWindow,
		latest.UTC().Format(time.RFC3339), e.limits.EventSkew)
	return &Error{Code: code, Message: fmt.Sprintf("Event %d is outside the event window.", i),
		Fields: []FieldError{{Path: fmt.Sprintf("events[%d].at", i), Found: at.UTC().Format(time.RFC3339), Allowed: allowed, Message: msg}}}
}

// effectsOf returns the effects, not ended by at, of the fans with an
// active membership among members.
func (e *Engine) effectsOf(ctx context.Context, tx Tx, members map[MemberKey]*Membership, at time.Time) (map[int64][]Effect, error) {
	fans := make([]int64, 0, len(members))
	for k, m := range members {
		if m != nil && m.Status == StatusActive {
			fans = append(fans, k.FanID)
		}
	}
	if len(fans) == 0 {
		return nil, nil
	}
	if bt, ok := tx.(BulkEffectsTx); ok {
		// A fan may repeat (members of several clubs); the store dedupes.
		out, err := bt.ListEffectsOfFans(ctx, fans, at)
		if err != nil {
			return nil, fmt.Errorf("list effects: %w", err)
		}
		return out, nil
	}
	slices.Sort(fans)
	fans = slices.Compact(fans)
	out := make(map[int64][]Effect)
	for _, f := range fans {
		efs, err := tx.ListEffects(ctx, f, at)
		if err != nil {
			return nil, fmt.Errorf("list effects of fan %d: %w", f, err)
		}
		if len(efs) > 0 {
			out[f] = efs
		}
	}
	return out, nil
}

// sameEventIDs reports whether a batch carries, in order, the event ids of
// the stored result of its (producer, seq): only then is it a retry.
func sameEventIDs(stored *BatchResult, b Batch) bool {
	if len(stored.Results) != len(b.Events) {
		return false
	}
	for i, r := range stored.Results {
		if r.ID != b.Events[i].ID {
			return false
		}
	}
	return true
}

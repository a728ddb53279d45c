package fanclub

import (
	"context"
	"fmt"
	"time"
)

// Ingest limits.
const (
	// MaxBatchEvents is the most events one batch may hold.
	MaxBatchEvents = 10000
	// MaxEventIDLen is the longest event id, in bytes.
	MaxEventIDLen = 128
	// MaxProducerLen is the longest producer name, in bytes.
	MaxProducerLen = 128
	// MaxEventSkew is how far in the future an event's time may be.
	MaxEventSkew = 5 * time.Minute
)

// Event result statuses.
const (
	EventAccepted  = "accepted"
	EventDuplicate = "duplicate"
	EventRejected  = "rejected"
)

// BulkEffectsTx is an optional extension of Tx: the effects of many fans
// (fanIDs may repeat), not ended by at, in one query. Ingest uses it when the store offers it
// and falls back to one ListEffects per fan otherwise.
type BulkEffectsTx interface {
	ListEffectsOfFans(ctx context.Context, fanIDs []int64, at time.Time) (map[int64][]Effect, error)
}

// Ingest applies a batch of interactions exactly once, in one transaction.
//
// A batch with a malformed event (empty or over-long id, unknown action,
// an amount outside CheckAmount's bounds, missing fan or club id) is
// rejected whole with EINVALID and field paths such as "events[3].action";
// nothing changes. Otherwise each event is accepted, a duplicate (its id
// already stored or repeated in the batch), or rejected with a code:
// too_old (its time is more than the event window before now), in_future
// (more than the skew after now), not_found (unknown club), not_member (no
// active membership), invalid (action not in the club's policy),
// restricted (an exit effect forbids the action). Accepted events earn
// points up to the daily caps and are kept in the behaviour log; rejected
// events are reported, not stored. With Producer set, a retried (Producer,
// Seq) returns the stored result and changes nothing. The batch ingest is
// the platform's trusted service path: it reports gifts, which fans cannot.
func (e *Engine) Ingest(ctx context.Context, b Batch) (*BatchResult, error) {
	if err := validateBatchShape(b); err != nil {
		e.observeBatch(&b, nil, false, err)
		return nil, err
	}
	var (
		res      *BatchResult
		replayed bool
	)
	err := e.inLockingTx(ctx, func(tx Tx) error {
		var err error
		res, _, replayed, err = e.ingestTx(ctx, tx, b, false)
		return err
	})
	e.observeBatch(&b, res, replayed, err)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Interact records one interaction a fan reports, through the ingest path,
// under a fresh event id. See InteractKeyed.
func (e *Engine) Interact(ctx context.Context, fanID, clubID int64, action Action, amount int64) (*MembershipView, *EventResult, error) {
	return e.InteractKeyed(ctx, fanID, clubID, action, amount, "")
}

// InteractKeyed records one interaction a fan reports, through the ingest
// path. It returns the membership after it and the event's result, and an
// error (restricted, not_member, not_found, invalid) when the event was
// rejected. A fan cannot report a gift: a fan's gift spends coins
// (SendGift), and the platform's service reports gifts paid elsewhere
// through the batch ingest, so a fan's gift interaction is invalid input. With an idempotency key the event id is derived
// from (fan, key), so a retry under the same key counts once (it is a
// duplicate); without one the id is random.
func (e *Engine) InteractKeyed(ctx context.Context, fanID, clubID int64, action Action, amount int64, key string) (*MembershipView, *EventResult, error) {
	var id string
	if key != "" {
		id = KeyedEventID(fanID, key)
	} else {
		var err error
		if id, err = e.randomID("ia_"); err != nil {
			return nil, nil, err
		}
	}
	ev := EventInput{ID: id, FanID: fanID, ClubID: clubID, Action: action, Amount: amount}
	fields := eventFieldErrors(ev, "")
	if action == ActionGift {
		fields = append(fields, FieldError{Path: "action", Found: string(action), Allowed: "watch_minutes, like, comment, share",
			Message: "a fan cannot report a gift as an interaction: gifts are sent with coins through POST /v1/clubs/{club}/gifts"})
	}
	if amount == 0 {
		fields = append(fields, FieldError{Path: "amount", Found: "0", Allowed: "1 or more", Message: "invalid amount"})
	}
	if len(fields) > 0 {
		return nil, nil, InvalidFields("Invalid interaction.", fields)
	}
	b := Batch{Events: []EventInput{ev}}
	var (
		v        *MembershipView
		result   EventResult
		rejected error // the event's rejection, returned by the last run
	)
	err := e.inLockingTx(ctx, func(tx Tx) error {
		v, result, rejected = nil, EventResult{}, nil // a retried run starts afresh
		res, errs, _, err := e.ingestTx(ctx, tx, b, true)
		if err != nil {
			return err
		}
		result = res.Results[0]
		if errs[0] != nil {
			rejected = errs[0]
			return rejected
		}
		v, err = e.membershipView(ctx, tx, fanID, clubID)
		return err
	})
	switch {
	case err == nil:
		e.obs.EventsIngested(result.Status, 1)
		return v, &result, nil
	case rejected != nil && err == rejected:
		// A rejection is the outcome, not a failure: it is counted and
		// returned with the event's result.
		e.obs.EventsIngested(EventRejected, 1)
		return nil, &result, err
	default:
		// Nothing was stored (a store error, or conflicts that outlasted
		// the retries): a result computed by a run that rolled back is
		// neither counted nor returned.
		return nil, nil, err
	}
}

// eventFieldErrors returns every problem of one event, with field paths
// under prefix (e.g. "events[3]." in a batch, "" for a single interaction).
func eventFieldErrors(ev EventInput, prefix string) []FieldError {
	var fields []FieldError
	add := func(field, found, allowed, msg string) {
		fields = append(fields, FieldError{Path: prefix + field, Found: found, Allowed: allowed, Message: msg})
	}
	if ev.ID == "" || len(ev.ID) > MaxEventIDLen {
		add("id", fmt.Sprintf("%d bytes", len(ev.ID)), "1 to 128 bytes", "invalid event id")
	}
	if ev.FanID <= 0 {
		add("fan_id", fmt.Sprint(ev.FanID), "a positive id", "invalid fan id")
	}
	if ev.ClubID <= 0 {
		add("club_id", fmt.Sprint(ev.ClubID), "a positive id", "invalid club id")
	}
	if !knownAction(ev.Action) {
		add("action", fmt.Sprintf("%q", ev.Action), "watch_minutes, like, comment, share, gift", "unknown action")
	}
	if fe := CheckAmount(ev.Action, ev.Amount, prefix+"amount"); fe != nil {
		fields = append(fields, *fe)
	}
	if fe := CheckDeviceID(ev.DeviceID, prefix+"device_id"); fe != nil {
		fields = append(fields, *fe)
	}
	return fields
}

// validateBatchShape checks what can be checked without the store.
func validateBatchShape(b Batch) error {
	var fields []FieldError
	add := func(path, found, allowed, msg string) {
		if len(fields) < 100 {
			fields = append(fields, FieldError{Path: path, Found: found, Allowed: allowed, Message: msg})
		}
	}
	if len(b.Producer) > MaxProducerLen {
		add("producer", fmt.Sprintf("%d bytes", len(b.Producer)), "at most 128 bytes", "producer too long")
	}
	if b.Producer == "" && b.Seq != 0 {
		add("seq", fmt.Sprint(b.Seq), "0 without a producer", "seq needs a producer")
	}
	if b.Seq < 0 {
		add("seq", fmt.Sprint(b.Seq), "0 or more", "negative seq")
	}
	if len(b.Events) > MaxBatchEvents {
		add("events", fmt.Sprintf("%d events", len(b.Events)), "at most 10000 events", "batch too large")
		return InvalidFields("Invalid batch.", fields)
	}
	for i := range b.Events {
		if eventFieldErrors(b.Events[i], "") == nil {
			continue
		}
		for _, f := range eventFieldErrors(b.Events[i], fmt.Sprintf("events[%d].", i)) {
			add(f.Path, f.Found, f.Allowed, f.Message)
		}
	}
	if len(fields) > 0 {
		return InvalidFields("Invalid batch.", fields)
	}
	return nil
}

// knownAction reports whether a is one of Actions.
func knownAction(a Action) bool {
	switch a {
	case ActionWatchMinutes, ActionLike, ActionComment, ActionShare, ActionGift:
		return true
	}
	return false
}

// restricts reports whether an effect refuses action in club at t, for an
// interaction_restricted effect (its Actions, or like and comment when it
// names none).
func restricts(ef *Effect, clubID int64, action Action, t time.Time) bool {
	if ef.Kind != EffectInteractionRestricted || !ef.ActiveAt(t) {
		return false
	}
	if ef.Scope != ScopeInstance && ef.ClubID != clubID {
		return false
	}
	if len(ef.Actions) == 0 {
		return action == ActionLike || action == ActionComment
	}
	for _, a := range ef.Actions {
		if a == action {
			return true
		}
	}
	return false
}

// restrictedError is the error for an interaction an effect refuses.
func restrictedError(ef *Effect, action Action) *Error {
	err := Errorf(ERESTRICTED, "%s is restricted after an exit.", action)
	if ef.Until != nil {
		err.Until = ef.Until.UTC().Format(time.RFC3339)
		err.Message = fmt.Sprintf("%s is restricted after an exit until %s.", action, err.Until)
	}
	return err
}

// dayCache remembers the calendar day last computed per time zone.
type dayCache struct {
	loc        *time.Location
	start, end time.Time
	key        string
}

// dayKey returns the day of t in loc, reusing the cached day when t is in it.
func (d *dayCache) dayKey(t time.Time, loc *time.Location) string {
	if d.loc == loc && !t.Before(d.start) && t.Before(d.end) {
		return d.key
	}
	l := t.In(loc)
	d.loc = loc
	d.start = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	d.end = time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc)
	d.key = l.Format(dayLayout)
	return d.key
}

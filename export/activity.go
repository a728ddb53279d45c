package export

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"fanclub"
)

// ASContext is the ActivityStreams 2.0 context; ExtContext the
// extension context for what AS2 has no terms for (prefix "fc").
const (
	ASContext = "https://www.w3.org/ns/activitystreams"
	ExtNS     = "https://fanclub.dev/ns/export#"
)

// ExtContext maps the "fc" prefix and the signature member.
var ExtContext = map[string]string{"fc": ExtNS, "signature": "fc:signature"}

// activityTypes maps an interaction's action to its AS2 activity type.
var activityTypes = map[fanclub.Action]string{
	fanclub.ActionLike: "Like", fanclub.ActionComment: "Create", fanclub.ActionShare: "Announce",
	fanclub.ActionWatchMinutes: "View", fanclub.ActionGift: "Offer",
}

// asDoc writes the ActivityStreams format: every record as one or two
// activities of one OrderedCollection, table by table.
type asDoc struct {
	d     *signedDoc
	base  string
	fan   string
	items int64
}

func (a *asDoc) club(id int64) string { return a.base + "/clubs/" + strconv.FormatInt(id, 10) }

func (a *asDoc) table(string) error { return a.d.err }

func (a *asDoc) record(_ string, rec any) error {
	for _, act := range a.activities(rec) {
		if a.items > 0 {
			a.d.str(",")
		}
		a.items++
		act["actor"] = a.fan
		a.d.value(act)
	}
	return a.d.err
}

type obj = map[string]any

// activities maps a record to its activities.
func (a *asDoc) activities(rec any) []obj {
	switch r := rec.(type) {
	case Membership:
		join := obj{"type": "Join", "object": a.club(r.ClubID), "published": r.JoinedAt, "fc:status": r.Status,
			"fc:level": r.Level, "fc:levelPoints": r.LevelPoints, "fc:lastInteractionAt": r.LastInteractionAt, "fc:exits": r.Exits}
		if r.LeftAt == nil {
			if k := retainedActivity(r.Retained); k != nil {
				join["fc:retained"] = k
			}
			return []obj{join}
		}
		leave := obj{"type": "Leave", "object": a.club(r.ClubID), "published": *r.LeftAt}
		if k := retainedActivity(r.Retained); k != nil {
			leave["fc:retained"] = k
		}
		if r.LeftAt.Before(r.JoinedAt) {
			return []obj{leave, join}
		}
		return []obj{join, leave}
	case Interaction:
		t := activityTypes[r.Action]
		if t == "" {
			t = "fc:Interaction"
		}
		act := obj{"type": t, "object": a.club(r.ClubID), "published": r.At, "fc:eventId": r.ID, "fc:action": r.Action, "fc:amount": r.Amount}
		if t == "Create" {
			act["object"] = obj{"type": "Note", "context": a.club(r.ClubID)}
		}
		return []obj{act}
	case Point:
		return []obj{{"type": "Add", "object": obj{"type": "fc:Points", "fc:delta": r.Delta}, "summary": r.Reason,
			"published": r.At, "fc:entryId": r.ID}}
	case Purchase:
		act := obj{"type": "fc:Purchase", "published": r.CreatedAt, "fc:purchaseId": r.ID, "fc:kind": r.Kind, "fc:purpose": r.Purpose,
			"fc:amount": r.Amount, "fc:currency": r.Currency, "fc:coins": r.Coins, "fc:status": r.Status}
		if r.ClubID != 0 {
			act["target"] = a.club(r.ClubID)
		}
		if r.SettledAt != nil {
			act["fc:settledAt"] = *r.SettledAt
		}
		return []obj{act}
	case Subscription:
		return []obj{{"type": "fc:Subscribe", "object": a.club(r.ClubID), "published": r.CreatedAt, "fc:subscriptionId": r.ID,
			"fc:tier": r.Tier, "fc:plan": r.Plan, "fc:price": r.Price, "fc:currency": r.Currency, "fc:status": r.Status,
			"fc:autoRenew": r.AutoRenew, "startTime": r.PeriodStart, "endTime": r.PeriodEnd, "fc:benefitsUntil": r.BenefitsUntil}}
	case Gift:
		return []obj{{"type": "Offer", "object": obj{"type": "fc:Gift", "fc:giftId": r.ID, "fc:coins": r.Coins, "fc:value": r.Value,
			"fc:currency": r.Currency, "fc:points": r.Points, "fc:eventId": r.EventID}, "target": a.club(r.ClubID), "published": r.At}}
	case Receipt:
		act := obj{"type": "Delete", "object": obj{"type": "fc:Records", "fc:category": r.Category, "fc:count": r.Count, "fc:kept": r.Kept},
			"published": r.At, "fc:action": r.Action, "fc:rule": r.Rule, "fc:basis": r.Basis}
		if r.ClubID != 0 {
			act["target"] = a.club(r.ClubID)
		}
		if r.Until != nil {
			act["fc:until"] = *r.Until
		}
		return []obj{act}
	}
	return nil
}

// retainedActivity is the fc:retained object of the Leave activity that
// kept progress (nil: none kept).
func retainedActivity(r *Retained) obj {
	if r == nil {
		return nil
	}
	k := obj{"type": "fc:RetainedProgress", "fc:option": r.Option, "fc:points": r.Points, "fc:level": r.Level, "fc:forever": r.Forever,
		"fc:decay": r.Decay, "fc:decayDays": r.DecayDays, "fc:restore": r.Restore}
	if r.Until != nil {
		k["fc:until"] = *r.Until
	}
	return k
}

// writeActivities writes the ActivityStreams format.
func writeActivities(ctx context.Context, w io.Writer, src Source, sc *fanclub.ExportScope, s *Signer) (map[string]int64, error) {
	d := newSignedDoc(w)
	a := &asDoc{d: d, base: s.Instance, fan: s.Instance + "/fans/" + strconv.FormatInt(sc.Fan.ID, 10)}
	head := headerOf(sc, s)
	head.Format = FormatName + "-activitystreams"
	start, err := json.Marshal(obj{"@context": []any{ASContext, ExtContext}, "type": "OrderedCollection",
		"summary": "fanclub export of fan " + sc.Fan.Handle, "attributedTo": a.fan, "published": sc.At.Format(time.RFC3339Nano),
		"fc:export": head})
	if err != nil {
		return nil, err
	}
	d.raw(start[:len(start)-1])
	d.str(`,"orderedItems":[`)
	counts, err := walk(ctx, src, sc, a)
	if err != nil {
		return nil, err
	}
	d.str("]")
	d.member("totalItems", a.items)
	d.member("fc:counts", counts)
	return counts, d.finish(s)
}

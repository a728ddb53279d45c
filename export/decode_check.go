package export

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"fanclub"
)

// The closed value sets of the format (schema.json lists the same).
var (
	membershipStatuses = []fanclub.MembershipStatus{fanclub.StatusActive, fanclub.StatusLeft}
	paymentKinds       = []fanclub.PaymentKind{fanclub.PaymentCharge, fanclub.PaymentRefund}
	paymentStatuses    = []fanclub.PaymentStatus{fanclub.PaymentPending, fanclub.PaymentSucceeded, fanclub.PaymentDeclined}
	receiptActions     = []string{fanclub.DataErase, fanclub.DataHold, fanclub.DataAnonymise}
)

// Patterns of the format's strings (schema.json: currency, keyId,
// category, the signature's sha256).
var (
	currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)
	keyIDRe    = regexp.MustCompile(`^ed25519:[A-Za-z0-9_-]{16}$`)
	nameRe     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	sha256Re   = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// first returns the first non-nil error: the checks of a record are
// listed in the order of its fields.
func first(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// ftime renders a time for an error.
func ftime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// itoa renders a number for an error.
func itoa[N ~int | ~int64](n N) string { return strconv.FormatInt(int64(n), 10) }

// at is the path of a row's field ("" for the value itself), made only
// for an error.
func at(path, field string) string {
	if field == "" {
		return path
	}
	return path + "." + field
}

// id requires a positive id.
func (d *decoder) id(path, field string, n int64) error {
	if n <= 0 {
		return d.bad(at(path, field), itoa(n), "a positive id", "is not a positive id")
	}
	return nil
}

// count requires n ≥ 0.
func (d *decoder) count(path, field string, n int64) error {
	if n < 0 {
		return d.bad(at(path, field), itoa(n), "0 or more", "cannot be negative")
	}
	return nil
}

// points requires level points in 0..fanclub.MaxPoints.
func (d *decoder) points(path, field string, n int64) error {
	if n < 0 || n > fanclub.MaxPoints {
		return d.bad(at(path, field), itoa(n), fmt.Sprintf("0 to %d", fanclub.MaxPoints), "is not a number of points")
	}
	return nil
}

// nonEmpty requires a non-empty string.
func (d *decoder) nonEmpty(path, field, s, what string) error {
	if s == "" {
		return d.bad(at(path, field), `""`, what, "is empty")
	}
	return nil
}

// oneOf requires one of a closed set of values.
func oneOf[T ~string](d *decoder, path, field string, v T, allowed []T) error {
	if !slices.Contains(allowed, v) {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = string(a)
		}
		return d.bad(at(path, field), strconv.Quote(string(v)), strings.Join(names, ", "), "is not a value the format knows")
	}
	return nil
}

// match requires a string of a pattern.
func (d *decoder) match(path, field, s string, re *regexp.Regexp, what string) error {
	if !re.MatchString(s) {
		return d.bad(at(path, field), strconv.Quote(s), what, "is not %s", what)
	}
	return nil
}

// when requires a time an import can hold (fanclub.ImportableTime).
func (d *decoder) when(path, field string, t time.Time) error {
	if !fanclub.ImportableTime(t) {
		return d.bad(at(path, field), ftime(t), fanclub.ImportTimeAllowed, "is not a time an export can hold")
	}
	return nil
}

// past requires a time of a record of the past: one an import can hold,
// no later than exported_at plus fanclub.ImportClockSkew.
func (d *decoder) past(path, field string, t time.Time) error {
	if err := d.when(path, field, t); err != nil {
		return err
	}
	if t.After(d.latest) {
		return d.bad(at(path, field), ftime(t), fmt.Sprintf("at most %s after exported_at (%s)", fanclub.ImportClockSkew, ftime(d.doc.Header.ExportedAt)),
			"is after the export was made")
	}
	return nil
}

// notBefore requires t at or after the time earlier, named by what.
func (d *decoder) notBefore(path, field string, t, earlier time.Time, what string) error {
	if t.Before(earlier) {
		return d.bad(at(path, field), ftime(t), fmt.Sprintf("at or after %s (%s)", what, ftime(earlier)), "is before %s", what)
	}
	return nil
}

// club requires a club id the header's clubs list (or 0, when allowed,
// for records that belong to no club).
func (d *decoder) club(path, field string, id int64, zeroOK bool) error {
	if id == 0 && zeroOK {
		return nil
	}
	if _, ok := d.clubs[id]; !ok {
		allowed := "a club id of the export's clubs"
		if zeroOK {
			allowed += ", or 0 for none"
		}
		return d.bad(at(path, field), itoa(id), allowed, "names club %d, which the export's clubs do not list", id)
	}
	return nil
}

// keyID requires a key id of the format's form.
func (d *decoder) keyID(path, field, id string) error {
	return d.match(path, field, id, keyIDRe, "a key id (ed25519: and 16 base64url characters)")
}

// checkFan checks the exported account.
func (d *decoder) checkFan(path string, f Fan) error {
	return first(d.id(path, "id", f.ID), d.nonEmpty(path, "handle", f.Handle, "the fan's handle"),
		d.past(path, "created_at", f.CreatedAt))
}

// checkClubRow checks a row of clubs: a new positive id, its creator, its
// policy.
func (d *decoder) checkClubRow(path string, c Club) error {
	if _, dup := d.clubs[c.ID]; dup {
		return d.bad(path+".id", itoa(c.ID), "each club once", "lists club %d twice", c.ID)
	}
	return first(d.id(path, "id", c.ID), d.id(path, "creator_id", c.CreatorID), d.nonEmpty(path, "policy", c.Policy, "the club's policy name"))
}

// checkWithheld checks a row of withheld: a club once, not one whose
// records the export holds.
func (d *decoder) checkWithheld(path string, w fanclub.WithheldClub) error {
	if err := d.id(path, "club_id", w.ClubID); err != nil {
		return err
	}
	if _, listed := d.clubs[w.ClubID]; listed || d.withheld[w.ClubID] {
		return d.bad(path+".club_id", itoa(w.ClubID), "a club neither in clubs nor withheld before",
			"club %d is listed twice (in clubs or withheld)", w.ClubID)
	}
	return d.nonEmpty(path, "policy", w.Policy, "the club's policy name")
}

// checkMembership checks a row of memberships: a listed club, once; a
// known status; level, points and exits in range; times in order and not
// after the export (last_interaction_at may be, as an event's time may
// be ahead); a left membership has left_at; kept progress only on a left
// membership.
func (d *decoder) checkMembership(path string, m Membership) error {
	if err := d.club(path, "club_id", m.ClubID, false); err != nil {
		return err
	}
	if d.clubs[m.ClubID] {
		return d.bad(path+".club_id", itoa(m.ClubID), "each club's membership once", "is a second membership of club %d", m.ClubID)
	}
	err := first(oneOf(d, path, "status", m.Status, membershipStatuses), d.count(path, "level", int64(m.Level)),
		d.points(path, "level_points", m.LevelPoints), d.past(path, "joined_at", m.JoinedAt),
		d.when(path, "last_interaction_at", m.LastInteractionAt),
		d.notBefore(path, "last_interaction_at", m.LastInteractionAt, m.JoinedAt, "joined_at"))
	if err != nil {
		return err
	}
	if m.LeftAt == nil {
		if m.Status == fanclub.StatusLeft {
			return d.bad(path+".left_at", "null", "the time the fan left", "is null, but the membership was left")
		}
	} else {
		if err := d.past(path, "left_at", *m.LeftAt); err != nil {
			return err
		}
		if m.Status == fanclub.StatusLeft {
			if err := d.notBefore(path, "left_at", *m.LeftAt, m.JoinedAt, "joined_at"); err != nil {
				return err
			}
		} else if m.LeftAt.After(m.JoinedAt) {
			// Active with a left_at: the last exit came before this period.
			return d.bad(path+".left_at", ftime(*m.LeftAt), fmt.Sprintf("at or before joined_at (%s) for an active membership", ftime(m.JoinedAt)),
				"is after the current period began")
		}
	}
	if err := d.count(path, "exits", int64(m.Exits)); err != nil {
		return err
	}
	if m.Retained == nil {
		return nil
	}
	if m.Status != fanclub.StatusLeft {
		return d.bad(path+".retained", "an object", "null for an active membership", "holds kept progress, which only a left membership has")
	}
	return d.checkRetained(path+".retained", m.Retained, *m.LeftAt)
}

// checkRetained checks kept progress: an option, points and level in
// range, an end at or after the exit unless it lasts for ever, known
// decay and restore rules.
func (d *decoder) checkRetained(path string, r *Retained, leftAt time.Time) error {
	err := first(d.nonEmpty(path, "option", r.Option, "the progress option applied"), d.points(path, "points", r.Points),
		d.count(path, "level", int64(r.Level)))
	if err != nil {
		return err
	}
	switch {
	case r.Forever && r.Until != nil:
		return d.bad(path+".until", ftime(*r.Until), "null when forever is true", "is set, but the progress is kept for ever")
	case !r.Forever && r.Until == nil:
		return d.bad(path+".until", "null", "the time the retention ends, or forever true", "is null, but the progress is not kept for ever")
	case r.Until != nil:
		if err := first(d.when(path, "until", *r.Until), d.notBefore(path, "until", *r.Until, leftAt, "left_at")); err != nil {
			return err
		}
	}
	return first(oneOf(d, path, "decay", r.Decay, fanclub.Decays), d.count(path, "decay_days", int64(r.DecayDays)),
		oneOf(d, path, "restore", r.Restore, fanclub.Restores))
}

// checkPoint checks a row of points.
func (d *decoder) checkPoint(path string, p Point) error {
	bad := p.Delta < -fanclub.MaxPoints || p.Delta > fanclub.MaxPoints
	if bad {
		return d.bad(path+".delta", itoa(p.Delta), fmt.Sprintf("-%d to %d", fanclub.MaxPoints, fanclub.MaxPoints), "is not a change of points")
	}
	return first(d.id(path, "id", p.ID), d.past(path, "at", p.At))
}

// checkPurchase checks a row of purchases: a listed club or none, a known
// kind and status, amounts of at least 0, times in order.
func (d *decoder) checkPurchase(path string, p Purchase) error {
	err := first(d.id(path, "id", p.ID), d.club(path, "club_id", p.ClubID, true), oneOf(d, path, "kind", p.Kind, paymentKinds),
		d.nonEmpty(path, "purpose", p.Purpose, "what the money was for"), d.count(path, "amount", p.Amount),
		d.match(path, "currency", p.Currency, currencyRe, "an ISO 4217 currency code"), d.count(path, "coins", p.Coins),
		oneOf(d, path, "status", p.Status, paymentStatuses), d.past(path, "created_at", p.CreatedAt))
	if err != nil || p.SettledAt == nil {
		return err
	}
	return first(d.past(path, "settled_at", *p.SettledAt), d.notBefore(path, "settled_at", *p.SettledAt, p.CreatedAt, "created_at"))
}

// checkSubscription checks a row of subscriptions: a listed club, a tier,
// a known plan and status, a price of at least 0, a period in order.
func (d *decoder) checkSubscription(path string, s Subscription) error {
	return first(d.id(path, "id", s.ID), d.club(path, "club_id", s.ClubID, false), d.nonEmpty(path, "tier", s.Tier, "the paid tier"),
		oneOf(d, path, "plan", s.Plan, fanclub.Plans), d.count(path, "price", s.Price),
		d.match(path, "currency", s.Currency, currencyRe, "an ISO 4217 currency code"),
		oneOf(d, path, "status", s.Status, fanclub.SubscriptionStatuses), d.when(path, "period_start", s.PeriodStart),
		d.when(path, "period_end", s.PeriodEnd), d.notBefore(path, "period_end", s.PeriodEnd, s.PeriodStart, "period_start"),
		d.when(path, "benefits_until", s.BenefitsUntil), d.past(path, "created_at", s.CreatedAt))
}

// checkGift checks a row of gifts: a listed club, amounts of at least 0.
func (d *decoder) checkGift(path string, g Gift) error {
	return first(d.id(path, "id", g.ID), d.club(path, "club_id", g.ClubID, false), d.count(path, "coins", g.Coins),
		d.count(path, "value", g.Value), d.match(path, "currency", g.Currency, currencyRe, "an ISO 4217 currency code"),
		d.points(path, "points", g.Points), d.past(path, "at", g.At))
}

// checkInteraction checks a row of interactions: an id, a listed club, a
// known action, an amount of at least 0, a time (which may be ahead of
// the export's, as the source's clock allowed).
func (d *decoder) checkInteraction(path string, e Interaction) error {
	return first(d.nonEmpty(path, "id", e.ID, "the event's id"), d.club(path, "club_id", e.ClubID, false),
		oneOf(d, path, "action", e.Action, fanclub.Actions), d.count(path, "amount", e.Amount), d.when(path, "at", e.At))
}

// checkReceipt checks a row of receipts: the account (0) or a listed
// club, a category name, a known action, counts of at least 0, an until
// (a hold's end) not before the receipt.
func (d *decoder) checkReceipt(path string, r Receipt) error {
	err := first(d.past(path, "at", r.At), d.club(path, "club_id", r.ClubID, true),
		d.match(path, "category", r.Category, nameRe, "a data category (a lower-case name, e.g. behaviour_log)"),
		oneOf(d, path, "action", r.Action, receiptActions), d.count(path, "count", r.Count), d.count(path, "kept", r.Kept))
	if err != nil || r.Until == nil {
		return err
	}
	return first(d.when(path, "until", *r.Until), d.notBefore(path, "until", *r.Until, r.At, "at"))
}

// checkSignature checks the signature member's form; Decode then checks
// that it verifies.
func (d *decoder) checkSignature(path string, s Signature) error {
	return first(oneOf(d, path, "alg", s.Alg, []string{AlgEd25519}), d.keyID(path, "key_id", s.KeyID),
		d.match(path, "sha256", s.SHA256, sha256Re, "a lower-case hex SHA-256"))
}

package fanclub

import (
	"context"
	"fmt"
	"time"
)

// Join makes a fan an active member of a club, applying rejoin rules: an
// active member gets EALREADYMEMBER; a fan who left and is within the
// exit's cooldown gets ECOOLDOWN with Error.Until; a rejoin restores what
// the exit retained (see RestoreAt) and ends the exit's effects that end on
// rejoin. A first join starts at L1 with 0 level points.
func (e *Engine) Join(ctx context.Context, fanID, clubID int64) (*MembershipView, error) {
	var v *MembershipView
	err := e.inTx(ctx, true, func(tx Tx) error {
		now := tx.Now()
		if _, err := tx.FindFanByID(ctx, fanID); err != nil {
			return fmt.Errorf("find fan %d: %w", fanID, err)
		}
		cp, err := e.loadClub(ctx, tx, clubID)
		if err != nil {
			return err
		}
		m, err := tx.FindMembership(ctx, fanID, clubID)
		switch {
		case isNotFound(err):
			m = &Membership{FanID: fanID, ClubID: clubID}
		case err != nil:
			return fmt.Errorf("find membership: %w", err)
		}
		prev := *m
		if err := applyJoin(m, cp.policy.Engagement.Levels, now); err != nil {
			return err
		}
		if err := tx.SaveMemberships(ctx, []*Membership{m}); err != nil {
			return fmt.Errorf("save membership: %w", err)
		}
		if m.Exits > 0 {
			if err := tx.EndRejoinEffects(ctx, fanID, clubID, now); err != nil {
				return fmt.Errorf("end rejoin effects: %w", err)
			}
			if err := e.rejoinBenefits(ctx, tx, cp, fanID, clubID); err != nil {
				return err
			}
			if err := e.rejoinPurges(ctx, tx, prev, now); err != nil {
				return err
			}
		}
		v = view(m, cp, now)
		return e.showTiers(ctx, tx, []*MembershipView{v}, []*clubPolicy{cp})
	})
	if err != nil {
		return nil, err
	}
	e.log.DebugContext(ctx, "join", "fan", fanID, "club", clubID, "level", v.Level, "points", v.LevelPoints)
	return v, nil
}

// applyJoin turns m (new, or left) into an active membership at now.
func applyJoin(m *Membership, levels []int64, now time.Time) error {
	switch m.Status {
	case StatusActive:
		return Errorf(EALREADYMEMBER, "Fan %d is already a member of club %d.", m.FanID, m.ClubID)
	case StatusLeft:
		if now.Before(m.RejoinAfter) {
			err := Errorf(ECOOLDOWN, "Rejoining is possible from %s.", m.RejoinAfter.UTC().Format(time.RFC3339))
			err.Until = m.RejoinAfter.UTC().Format(time.RFC3339)
			return err
		}
		m.Level, m.LevelPoints = RestoreAt(levels, *m, now)
	default:
		m.Level, m.LevelPoints = 1, 0
	}
	m.Status = StatusActive
	m.JoinedAt = now
	m.LastInteractionAt = now
	m.Retained = nil
	m.RejoinAfter = time.Time{}
	m.Version++
	return nil
}

// Membership returns a fan's membership in a club as of now (ENOTFOUND when
// the fan never joined).
func (e *Engine) Membership(ctx context.Context, fanID, clubID int64) (*MembershipView, error) {
	var v *MembershipView
	err := e.inTx(ctx, false, func(tx Tx) (err error) {
		v, err = e.membershipView(ctx, tx, fanID, clubID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// membershipView reads a fan's membership in a club and derives its view at
// the transaction's time (ENOTFOUND when the fan never joined).
func (e *Engine) membershipView(ctx context.Context, tx Tx, fanID, clubID int64) (*MembershipView, error) {
	cp, err := e.loadClub(ctx, tx, clubID)
	if err != nil {
		return nil, err
	}
	m, err := tx.FindMembership(ctx, fanID, clubID)
	if err != nil {
		return nil, fmt.Errorf("find membership: %w", err)
	}
	v := view(m, cp, tx.Now())
	if err := e.showTiers(ctx, tx, []*MembershipView{v}, []*clubPolicy{cp}); err != nil {
		return nil, err
	}
	return v, nil
}

// ListMemberships lists a fan's memberships (clubID 0) or a club's members (fanID 0).
func (e *Engine) ListMemberships(ctx context.Context, fanID, clubID int64) ([]*MembershipView, error) {
	out := []*MembershipView{}
	err := e.inTx(ctx, false, func(tx Tx) error {
		out = []*MembershipView{} // a retried run starts afresh (a failed run left nil)
		ms, err := tx.ListMemberships(ctx, fanID, clubID)
		if err != nil {
			return fmt.Errorf("list memberships: %w", err)
		}
		out, err = e.views(ctx, tx, ms, out)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// views appends the views of memberships, as of tx's time, to out.
func (e *Engine) views(ctx context.Context, tx Tx, ms []*Membership, out []*MembershipView) ([]*MembershipView, error) {
	clubs := clubCache{}
	now := tx.Now()
	start := len(out)
	cps := make([]*clubPolicy, 0, len(ms))
	for _, m := range ms {
		cp, err := clubs.get(ctx, e, tx, m.ClubID)
		cps = append(cps, cp)
		if err != nil {
			return nil, err
		}
		out = append(out, view(m, cp, now))
	}
	if err := e.showTiers(ctx, tx, out[start:], cps); err != nil {
		return nil, err
	}
	return out, nil
}

// showTiers sets the Tier of the views of active memberships whose paid
// benefits apply at the view's time, with one read of subscriptions; cps
// are the views' clubs. Only clubs whose policy gives a tier a multiplier
// other than 1 are read: elsewhere paid benefits change nothing on the
// membership, and a membership read stays free of a subscriptions read
// (the subscription itself shows the tier).
func (e *Engine) showTiers(ctx context.Context, tx Tx, vs []*MembershipView, cps []*clubPolicy) error {
	var keys []MemberKey
	var from, to time.Time
	for i, v := range vs {
		if v.Status != StatusActive || !cps[i].policy.Engagement.hasTierRates() {
			continue
		}
		keys = append(keys, MemberKey{FanID: v.FanID, ClubID: v.ClubID})
		if from.IsZero() || v.At.Before(from) {
			from = v.At
		}
		if v.At.After(to) {
			to = v.At
		}
	}
	if len(keys) == 0 {
		return nil
	}
	benefits, err := tx.ActiveBenefits(ctx, keys, from, to)
	if err != nil {
		return fmt.Errorf("active benefits: %w", err)
	}
	for _, v := range vs {
		if b, ok := benefits[MemberKey{FanID: v.FanID, ClubID: v.ClubID}]; ok && v.Status == StatusActive && b.ActiveAt(v.At) {
			v.Tier = b.Tier
		}
	}
	return nil
}

// FanView returns a fan's general points, active effects and the
// recommendation weight they put on the fan now.
func (e *Engine) FanView(ctx context.Context, fanID int64) (*FanView, error) {
	var v *FanView
	err := e.inTx(ctx, false, func(tx Tx) error {
		f, err := tx.FindFanByID(ctx, fanID)
		if err != nil {
			return fmt.Errorf("find fan %d: %w", fanID, err)
		}
		now := tx.Now()
		gp, err := tx.GeneralPoints(ctx, fanID)
		if err != nil {
			return fmt.Errorf("general points: %w", err)
		}
		effs, err := tx.ListEffects(ctx, fanID, now)
		if err != nil {
			return fmt.Errorf("list effects: %w", err)
		}
		v = &FanView{Fan: *f, At: now, GeneralPoints: gp, Effects: ActiveEffects(effs, now),
			RecommendationWeight: RecommendationWeight(effs, now)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

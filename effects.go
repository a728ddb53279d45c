package fanclub

import (
	"context"
	"fmt"
	"time"
)

// ActiveEffects returns the effects among effs that apply at t.
func ActiveEffects(effs []Effect, t time.Time) []Effect {
	active := []Effect{}
	for _, ef := range effs {
		if ef.ActiveAt(t) {
			active = append(active, ef)
		}
	}
	return active
}

// RecommendationWeight is the factor a search or recommendation system
// applies to a fan's weight at t: the product of the fan's active
// recommendation_weight effects, 1 when there are none.
func RecommendationWeight(effs []Effect, t time.Time) float64 {
	w := 1.0
	for _, ef := range effs {
		if ef.Kind == EffectRecommendationWeight && ef.ActiveAt(t) {
			w *= ef.Factor
		}
	}
	return w
}

// MemberCountHidden reports whether, at t, the fan whose effects are effs
// may not see the member count of club clubID (member_count_hidden, put by
// an exit from that club, or instance-wide).
func MemberCountHidden(effs []Effect, clubID int64, t time.Time) bool {
	for _, ef := range effs {
		if ef.Kind == EffectMemberCountHidden && ef.ActiveAt(t) && (ef.Scope == ScopeInstance || ef.ClubID == clubID) {
			return true
		}
	}
	return false
}

// ClubView is a club as one viewer sees it.
type ClubView struct {
	Club
	// MemberCount is the number of active members; nil when it is hidden
	// from the viewer by an exit effect.
	MemberCount *int `json:"member_count"`
	// MemberCountHidden is true when an exit effect hides the count.
	MemberCountHidden bool `json:"member_count_hidden,omitempty"`
}

// ClubView returns a club with its member count as viewer sees it: a fan
// under a member_count_hidden effect for the club does not see the count.
func (e *Engine) ClubView(ctx context.Context, viewer Principal, clubID int64) (*ClubView, error) {
	var v *ClubView
	err := e.inTx(ctx, false, func(tx Tx) error {
		c, err := tx.FindClubByID(ctx, clubID)
		if err != nil {
			return fmt.Errorf("find club %d: %w", clubID, err)
		}
		v = &ClubView{Club: *c}
		if viewer.Role == RoleFan {
			effs, err := tx.ListEffects(ctx, viewer.ID, tx.Now())
			if err != nil {
				return fmt.Errorf("list effects: %w", err)
			}
			if v.MemberCountHidden = MemberCountHidden(effs, clubID, tx.Now()); v.MemberCountHidden {
				return nil
			}
		}
		active, err := tx.ActiveMembers(ctx, clubID)
		if err != nil {
			return fmt.Errorf("count members: %w", err)
		}
		n := int(active)
		v.MemberCount = &n
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

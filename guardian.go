package fanclub

import (
	"context"
	"fmt"
	"time"
)

// Sides that can ask to remove a guardian link.
const (
	SideGuardian = "guardian"
	SideMinor    = "minor"
	SideOperator = "operator"
)

// RequestGuardianLink is a guardian's request to link to a minor's
// account; the link becomes active when the minor accepts it
// (AcceptGuardianLink): both consent. A minor has at most one link that
// is requested or active; a guardian whose recorded age is under the
// policy's adult age cannot be one.
func (e *Engine) RequestGuardianLink(ctx context.Context, guardianID, minorID int64) (*GuardianLink, error) {
	if guardianID == minorID {
		return nil, Errorf(EINVALID, "A fan cannot be their own guardian.")
	}
	var out *GuardianLink
	err := e.inTx(ctx, true, func(tx Tx) error {
		for _, id := range []int64{guardianID, minorID} {
			if _, err := tx.FindFanByID(ctx, id); err != nil {
				return fmt.Errorf("find fan %d: %w", id, err)
			}
		}
		p, loc, err := e.resolvePolicy(e.minors.Policy)
		if err != nil {
			return err
		}
		if minor, err := isMinor(ctx, tx, p, loc, guardianID); err != nil {
			return err
		} else if minor {
			return Errorf(EINVALID, "Fan %d is under %d and cannot be a guardian.", guardianID, p.Minors.AdultAge)
		}
		ls, err := tx.ListGuardianLinks(ctx, 0, minorID)
		if err != nil {
			return fmt.Errorf("list guardian links: %w", err)
		}
		if len(ls) > 0 {
			return Errorf(ECONFLICT, "Fan %d already has a guardian link (%d, %s).", minorID, ls[0].ID, ls[0].Status)
		}
		now := tx.Now()
		out = &GuardianLink{GuardianID: guardianID, MinorID: minorID, Status: LinkRequested, CreatedAt: now, UpdatedAt: now}
		return tx.CreateGuardianLink(ctx, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AcceptGuardianLink is the minor's consent to a requested link, which
// becomes active.
func (e *Engine) AcceptGuardianLink(ctx context.Context, minorID, linkID int64) (*GuardianLink, error) {
	var out *GuardianLink
	err := e.inTx(ctx, true, func(tx Tx) error {
		l, err := findLink(ctx, tx, linkID)
		if err != nil {
			return err
		}
		if l.MinorID != minorID {
			return Errorf(EFORBIDDEN, "Only the minor accepts guardian link %d.", linkID)
		}
		if l.Status != LinkRequested {
			return Errorf(ECONFLICT, "Guardian link %d is %s, not requested.", linkID, l.Status)
		}
		l.Status, l.UpdatedAt = LinkActive, tx.Now()
		out = l
		return tx.UpdateGuardianLink(ctx, l)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GuardianLinks lists the links, not removed, in which a fan is the
// guardian or the minor.
func (e *Engine) GuardianLinks(ctx context.Context, fanID int64) ([]*GuardianLink, error) {
	var out []*GuardianLink
	err := e.inTx(ctx, false, func(tx Tx) error {
		asGuardian, err := tx.ListGuardianLinks(ctx, fanID, 0)
		if err != nil {
			return fmt.Errorf("list guardian links: %w", err)
		}
		asMinor, err := tx.ListGuardianLinks(ctx, 0, fanID)
		if err != nil {
			return fmt.Errorf("list guardian links: %w", err)
		}
		out = append(asGuardian, asMinor...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UnlinkGuardian removes a guardian link at the request of one side: by
// is SideGuardian or SideMinor for fan byFan, or SideOperator (byFan 0).
// A requested link is withdrawn by either side. Where the policy lets
// either side remove an active link alone it ends now; where it does not
// (kuaishou), a side's request is recorded and the link stays, refused
// with EGUARDIAN, until the other side asks too, or an operator removes
// it.
func (e *Engine) UnlinkGuardian(ctx context.Context, linkID int64, by string, byFan int64) (*GuardianLink, error) {
	var (
		out     *GuardianLink
		refusal error // committed: the side's request is kept
	)
	err := e.inTx(ctx, true, func(tx Tx) error {
		out, refusal = nil, nil
		l, err := findLink(ctx, tx, linkID)
		if err != nil {
			return err
		}
		switch {
		case by == SideOperator:
		case by == SideGuardian && l.GuardianID == byFan, by == SideMinor && l.MinorID == byFan:
		default:
			return Errorf(EFORBIDDEN, "Fan %d is not the %s of guardian link %d.", byFan, by, linkID)
		}
		p, _, err := e.resolvePolicy(e.minors.Policy)
		if err != nil {
			return err
		}
		now := tx.Now()
		out = l
		if by != SideOperator && l.Status == LinkActive && !p.Minors.Guardian.UnilateralUnlink && l.UnlinkBy != other(by) {
			l.UnlinkBy, l.UpdatedAt = by, now
			refusal = Errorf(EGUARDIAN, "Policy %s does not let either side remove a guardian link alone: the %s's request is recorded, and the link ends when the %s asks too, or when an operator removes it.",
				p.Metadata.Name, by, other(by))
			return tx.UpdateGuardianLink(ctx, l)
		}
		l.Status, l.UpdatedAt = LinkRemoved, now
		if l.UnlinkBy == "" || by == SideOperator {
			l.UnlinkBy = by
		} else if l.UnlinkBy != by {
			l.UnlinkBy = "both"
		}
		return tx.UpdateGuardianLink(ctx, l)
	})
	if err != nil {
		return nil, err
	}
	return out, refusal
}

// other names the other side of a link.
func other(side string) string {
	if side == SideGuardian {
		return SideMinor
	}
	return SideGuardian
}

// findLink finds a link not removed by id (ENOTFOUND otherwise).
func findLink(ctx context.Context, tx Tx, linkID int64) (*GuardianLink, error) {
	l, err := tx.FindGuardianLink(ctx, linkID)
	if err == nil && l.Status == LinkRemoved {
		err = Errorf(ENOTFOUND, "Guardian link %d was removed.", linkID)
	}
	if err != nil {
		return nil, fmt.Errorf("find guardian link: %w", err)
	}
	return l, nil
}

// guardianOf checks that guardianID is the active guardian of minorID
// and returns the instance's minors policy.
func (e *Engine) guardianOf(ctx context.Context, tx Tx, guardianID, minorID int64) (*Policy, *time.Location, error) {
	l, err := activeGuardian(ctx, tx, minorID)
	if err != nil {
		return nil, nil, err
	}
	if l == nil || l.GuardianID != guardianID {
		return nil, nil, Errorf(EFORBIDDEN, "Fan %d is not the guardian of fan %d.", guardianID, minorID)
	}
	return e.resolvePolicy(e.minors.Policy)
}

// Consumption is a minor's consumption record as the guardian sees it.
type Consumption struct {
	MinorID  int64      `json:"minor_id"`
	Payments []*Payment `json:"payments"`
	Gifts    []*Gift    `json:"gifts"`
	Wallet   *Wallet    `json:"wallet"`
}

// GuardianConsumption returns a minor's consumption record (charges,
// refunds, gifts and wallet) to the minor's guardian, where the policy
// lets the guardian see it (fair); elsewhere EGUARDIAN.
func (e *Engine) GuardianConsumption(ctx context.Context, guardianID, minorID int64) (*Consumption, error) {
	var out *Consumption
	err := e.inTx(ctx, false, func(tx Tx) error {
		p, _, err := e.guardianOf(ctx, tx, guardianID, minorID)
		if err != nil {
			return err
		}
		if !p.Minors.Guardian.ViewConsumption {
			return Errorf(EGUARDIAN, "Policy %s does not show a minor's consumption record to the guardian.", p.Metadata.Name)
		}
		out = &Consumption{MinorID: minorID}
		if out.Payments, err = tx.ListPayments(ctx, minorID); err != nil {
			return fmt.Errorf("list payments: %w", err)
		}
		if out.Gifts, err = tx.ListGifts(ctx, minorID, 0, time.Time{}); err != nil {
			return fmt.Errorf("list gifts: %w", err)
		}
		out.Wallet, err = walletOf(ctx, tx, minorID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

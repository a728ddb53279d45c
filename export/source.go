package export

import (
	"context"
	"fmt"

	"fanclub"
)

// Source is what an export reads: *fanclub.Engine implements it.
type Source interface {
	// ExportScope reads everything but the behaviour log, in one
	// transaction.
	ExportScope(ctx context.Context, fanID int64, format fanclub.ExportFormat) (*fanclub.ExportScope, error)
	// ExportEvents reads one page of a fan's behaviour log in a club.
	ExportEvents(ctx context.Context, fanID, clubID int64, after string) ([]fanclub.Event, string, error)
}

// visitor receives an export's tables in order: table starts a table,
// record is one of its rows (a record type of record.go).
type visitor interface {
	table(name string) error
	record(name string, rec any) error
}

// headerOf builds an export's header.
func headerOf(sc *fanclub.ExportScope, s *Signer) Header {
	h := Header{Format: FormatName, Version: Version, Schema: SchemaPath, Instance: s.Instance, KeyID: s.Key.ID,
		ExportedAt: sc.At, Fan: Fan{ID: sc.Fan.ID, Handle: sc.Fan.Handle, CreatedAt: sc.Fan.CreatedAt},
		Clubs: []Club{}, Withheld: sc.Withheld}
	if h.Withheld == nil {
		h.Withheld = []fanclub.WithheldClub{}
	}
	for _, c := range sc.Clubs {
		h.Clubs = append(h.Clubs, Club{ID: c.ID, Name: c.Name, CreatorID: c.CreatorID, Policy: c.Policy, PolicyVersion: c.PolicyVersion})
	}
	return h
}

// walk sends a scope's tables to v, paging through each club's behaviour
// log, and returns the rows written per table.
func walk(ctx context.Context, src Source, sc *fanclub.ExportScope, v visitor) (map[string]int64, error) {
	counts := map[string]int64{}
	emit := func(name string, rec any) error {
		counts[name]++
		return v.record(name, rec)
	}
	steps := []struct {
		name string
		rows func() error
	}{
		{"memberships", func() error {
			return each(sc.Memberships, func(m *fanclub.Membership) error { return emit("memberships", membershipOf(m)) })
		}},
		{"points", func() error {
			return each(sc.Points, func(p fanclub.PointEntry) error {
				return emit("points", Point{ID: p.ID, Delta: p.Delta, Reason: p.Reason, At: p.At})
			})
		}},
		{"purchases", func() error {
			return each(sc.Payments, func(p *fanclub.Payment) error { return emit("purchases", purchaseOf(p)) })
		}},
		{"subscriptions", func() error {
			return each(sc.Subscriptions, func(s *fanclub.Subscription) error { return emit("subscriptions", subscriptionOf(s)) })
		}},
		{"gifts", func() error { return each(sc.Gifts, func(g *fanclub.Gift) error { return emit("gifts", giftOf(g)) }) }},
		{"interactions", func() error {
			for _, c := range sc.Clubs {
				after := ""
				for {
					evs, next, err := src.ExportEvents(ctx, sc.Fan.ID, c.ID, after)
					if err != nil {
						return fmt.Errorf("export events of club %d: %w", c.ID, err)
					}
					for _, e := range evs {
						if err := emit("interactions", interactionOf(e)); err != nil {
							return err
						}
					}
					if next == "" {
						break
					}
					after = next
				}
			}
			return nil
		}},
		{"receipts", func() error {
			return each(sc.Receipts, func(r fanclub.DeletionReceipt) error { return emit("receipts", receiptOf(r)) })
		}},
	}
	for _, st := range steps {
		counts[st.name] = 0
		if err := v.table(st.name); err != nil {
			return nil, err
		}
		if err := st.rows(); err != nil {
			return nil, err
		}
	}
	return counts, nil
}

// each calls fn for every element of s, stopping at an error.
func each[T any](s []T, fn func(T) error) error {
	for _, v := range s {
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

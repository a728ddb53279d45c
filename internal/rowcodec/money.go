package rowcodec

import (
	"time"

	"fanclub"
)

// PaymentCols are the columns of a payment row, in the order ScanPayment
// reads them and PaymentArgs gives them (id excluded from the args).
const PaymentCols = `id, key, fan_id, club_id, kind, purpose, amount, currency, coins, status, provider_ref, decline_code, created_at, settled_at`

// PaymentArgs returns a payment's insert values for every column of
// PaymentCols but id.
func PaymentArgs(p *fanclub.Payment) []any {
	return []any{p.Key, p.FanID, p.ClubID, string(p.Kind), p.Purpose, p.Amount, p.Currency, p.Coins, string(p.Status),
		p.ProviderRef, p.DeclineCode, Nanos(p.CreatedAt), NanosPtr(p.SettledAt)}
}

// ScanPayment reads a payment row of PaymentCols.
func ScanPayment(s Scanner) (*fanclub.Payment, error) {
	var p fanclub.Payment
	var kind, status string
	var created int64
	var settled *int64
	if err := s.Scan(&p.ID, &p.Key, &p.FanID, &p.ClubID, &kind, &p.Purpose, &p.Amount, &p.Currency, &p.Coins, &status,
		&p.ProviderRef, &p.DeclineCode, &created, &settled); err != nil {
		return nil, err
	}
	p.Kind, p.Status, p.CreatedAt, p.SettledAt = fanclub.PaymentKind(kind), fanclub.PaymentStatus(status), FromNanos(created), FromNanosPtr(settled)
	return &p, nil
}

// GiftCols are the columns of a gift row, in the order ScanGift reads
// them and GiftArgs gives them (id excluded from the args).
const GiftCols = `id, key, fan_id, club_id, creator_id, coins, value, share, currency, points, event_id, at`

// GiftArgs returns a gift's insert values for every column of GiftCols
// but id.
func GiftArgs(g *fanclub.Gift) []any {
	return []any{g.Key, g.FanID, g.ClubID, g.CreatorID, g.Coins, g.Value, g.Share, g.Currency, g.Points, g.EventID, Nanos(g.At)}
}

// ScanGift reads a gift row of GiftCols.
func ScanGift(s Scanner) (*fanclub.Gift, error) {
	var g fanclub.Gift
	var at int64
	if err := s.Scan(&g.ID, &g.Key, &g.FanID, &g.ClubID, &g.CreatorID, &g.Coins, &g.Value, &g.Share, &g.Currency,
		&g.Points, &g.EventID, &at); err != nil {
		return nil, err
	}
	g.At = FromNanos(at)
	return &g, nil
}

// NanosPtr encodes an optional time (nil stays nil).
func NanosPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	n := Nanos(*t)
	return &n
}

// FromNanosPtr decodes NanosPtr.
func FromNanosPtr(n *int64) *time.Time {
	if n == nil {
		return nil
	}
	t := FromNanos(*n)
	return &t
}

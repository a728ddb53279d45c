package rowcodec

import (
	"encoding/json"

	"fanclub"
)

// FanAgeCols are the columns of a fan_ages row, in ScanFanAge's order.
const FanAgeCols = `fan_id, birth_date, method, ref, set_at`

// FanAgeArgs returns a fan age's values for FanAgeCols.
func FanAgeArgs(a *fanclub.FanAge) []any {
	return []any{a.FanID, a.BirthDate, string(a.Method), a.Ref, Nanos(a.SetAt)}
}

// ScanFanAge reads a fan_ages row of FanAgeCols.
func ScanFanAge(s Scanner) (*fanclub.FanAge, error) {
	var a fanclub.FanAge
	var method string
	var at int64
	if err := s.Scan(&a.FanID, &a.BirthDate, &method, &a.Ref, &at); err != nil {
		return nil, err
	}
	a.Method, a.SetAt = fanclub.AgeMethod(method), FromNanos(at)
	return &a, nil
}

// GuardianLinkCols are the columns of a guardian_links row, in
// ScanGuardianLink's order; GuardianLinkArgs gives them but id.
const GuardianLinkCols = `id, guardian_id, minor_id, status, unlink_by, created_at, updated_at`

// GuardianLinkArgs returns a link's insert values (id excluded).
func GuardianLinkArgs(l *fanclub.GuardianLink) []any {
	return []any{l.GuardianID, l.MinorID, l.Status, l.UnlinkBy, Nanos(l.CreatedAt), Nanos(l.UpdatedAt)}
}

// ScanGuardianLink reads a guardian_links row of GuardianLinkCols.
func ScanGuardianLink(s Scanner) (*fanclub.GuardianLink, error) {
	var l fanclub.GuardianLink
	var created, updated int64
	if err := s.Scan(&l.ID, &l.GuardianID, &l.MinorID, &l.Status, &l.UnlinkBy, &created, &updated); err != nil {
		return nil, err
	}
	l.CreatedAt, l.UpdatedAt = FromNanos(created), FromNanos(updated)
	return &l, nil
}

// GuardianRefundCols are the columns of a guardian_refunds row, in
// ScanGuardianRefund's order; GuardianRefundArgs gives them but id.
const GuardianRefundCols = `id, key, guardian_id, minor_id, since, until, status, document, amount, currency, coins, gifts,
 decided_by, note, decided_at, created_at`

// GuardianRefundArgs returns a request's insert values (id excluded).
func GuardianRefundArgs(r *fanclub.GuardianRefund) ([]any, error) {
	doc := ""
	if r.Document != nil {
		b, err := json.Marshal(r.Document)
		if err != nil {
			return nil, err
		}
		doc = string(b)
	}
	return []any{r.Key, r.GuardianID, r.MinorID, NanosPtr(r.Since), NanosPtr(r.Until), r.Status, doc, r.Amount, r.Currency,
		r.Coins, r.Gifts, r.DecidedBy, r.Note, NanosPtr(r.DecidedAt), Nanos(r.CreatedAt)}, nil
}

// ScanGuardianRefund reads a guardian_refunds row of GuardianRefundCols.
func ScanGuardianRefund(s Scanner) (*fanclub.GuardianRefund, error) {
	var r fanclub.GuardianRefund
	var since, until, decided *int64
	var doc string
	var created int64
	if err := s.Scan(&r.ID, &r.Key, &r.GuardianID, &r.MinorID, &since, &until, &r.Status, &doc, &r.Amount, &r.Currency,
		&r.Coins, &r.Gifts, &r.DecidedBy, &r.Note, &decided, &created); err != nil {
		return nil, err
	}
	if doc != "" {
		r.Document = &fanclub.RefundDocument{}
		if err := json.Unmarshal([]byte(doc), r.Document); err != nil {
			return nil, err
		}
	}
	r.Since, r.Until, r.DecidedAt, r.CreatedAt = FromNanosPtr(since), FromNanosPtr(until), FromNanosPtr(decided), FromNanos(created)
	return &r, nil
}

package fanclub

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"time"
)

// SigningKey is the instance's Ed25519 key: exports are signed with it and
// importers check them against its public key.
type SigningKey struct {
	// ID names the key: KeyID of its public key.
	ID string
	// Seed is the 32-byte Ed25519 private key seed (RFC 8032).
	Seed []byte
	// CreatedAt is when the key was made.
	CreatedAt time.Time
}

// Private returns the Ed25519 private key.
func (k *SigningKey) Private() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(k.Seed) }

// Public returns the Ed25519 public key.
func (k *SigningKey) Public() ed25519.PublicKey {
	return k.Private().Public().(ed25519.PublicKey)
}

// KeyID names a public key: "ed25519:" and the unpadded base64url of the
// first 12 bytes of the key's SHA-256, so that the same key has the same
// id on every instance.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "ed25519:" + base64.RawURLEncoding.EncodeToString(sum[:12])
}

// NewSigningKey makes a key from 32 bytes of random.
func NewSigningKey(random io.Reader, at time.Time) (*SigningKey, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(random, seed); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	k := &SigningKey{Seed: seed, CreatedAt: at}
	k.ID = KeyID(k.Public())
	return k, nil
}

// SigningKey returns the instance's signing key, creating and storing one
// on first use (every engine over the same store then signs with it).
func (e *Engine) SigningKey(ctx context.Context) (*SigningKey, error) {
	var k *SigningKey
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		k, err = tx.FindSigningKey(ctx)
		return err
	})
	if err == nil || !isNotFound(err) {
		return k, err
	}
	err = e.inTx(ctx, true, func(tx Tx) error {
		seed, err := e.randomBytes(ed25519.SeedSize)
		if err != nil {
			return err
		}
		fresh, err := NewSigningKey(bytes.NewReader(seed), tx.Now())
		if err != nil {
			return err
		}
		k, err = tx.SaveSigningKey(ctx, fresh)
		return err
	})
	return k, err
}

// WithheldClub is a club of the fan's whose data an export leaves out,
// because the club's policy does not offer the export's format.
type WithheldClub struct {
	ClubID int64  `json:"club_id"`
	Policy string `json:"policy"`
	Reason string `json:"reason"`
}

// ExportScope is what an export of a fan's data holds, apart from the
// behaviour log (read a page at a time with ExportEvents): the fan's own
// records (coin purchases, general points) and, for every club whose
// policy offers the format, the club's records.
type ExportScope struct {
	Format ExportFormat
	At     time.Time
	Fan    *Fan
	// Clubs are the fan's clubs whose data the export holds, by id.
	Clubs []*Club
	// Withheld are the fan's clubs it leaves out, by id.
	Withheld      []WithheldClub
	Memberships   []*Membership
	Points        []PointEntry
	Payments      []*Payment
	Subscriptions []*Subscription
	Gifts         []*Gift
	// Receipts are the fan's deletion receipts: the whole account's and
	// those of the clubs the export holds.
	Receipts []DeletionReceipt
}

// ExportPageSize is how many events ExportEvents reads per transaction.
const ExportPageSize = 1000

// ExportScope reads, in one transaction, the part of a fan's export that
// is not the behaviour log. The format must be one of ExportFormats.
// Per-club records (memberships, subscriptions, gifts, payments made in
// a club, deletion receipts of a club's data) are included only for clubs
// whose policy's portability.export lists the format; the others are
// listed as withheld. The fan's own records — coin purchases, general
// points and the receipts of the whole account, which belong to no club
// — are always included: they are the fan's data on this instance whatever
// a club's policy says.
func (e *Engine) ExportScope(ctx context.Context, fanID int64, format ExportFormat) (*ExportScope, error) {
	if !slices.Contains(ExportFormats, format) {
		return nil, InvalidFields("Unknown export format.", []FieldError{{Path: "format", Found: string(format),
			Allowed: "json, csv or activitystreams", Message: "not an export format"}})
	}
	var sc *ExportScope
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		sc, err = e.exportScope(ctx, tx, fanID, format)
		return err
	})
	return sc, err
}

// exportScope reads an export's scope in tx.
func (e *Engine) exportScope(ctx context.Context, tx Tx, fanID int64, format ExportFormat) (*ExportScope, error) {
	fan, err := tx.FindFanByID(ctx, fanID)
	if err != nil {
		return nil, fmt.Errorf("find fan %d: %w", fanID, err)
	}
	sc := &ExportScope{Format: format, At: tx.Now(), Fan: fan}
	ms, err := tx.ListMemberships(ctx, fanID, 0)
	if err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	slices.SortFunc(ms, func(a, b *Membership) int { return cmpID(a.ClubID, b.ClubID) })
	offered := map[int64]bool{0: true}
	for _, m := range ms {
		cp, err := e.loadClub(ctx, tx, m.ClubID)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(cp.policy.Portability.Export, format) {
			sc.Withheld = append(sc.Withheld, WithheldClub{ClubID: m.ClubID, Policy: cp.club.Policy,
				Reason: fmt.Sprintf("the club's policy offers no %s export", format)})
			continue
		}
		offered[m.ClubID] = true
		sc.Clubs = append(sc.Clubs, cp.club)
		sc.Memberships = append(sc.Memberships, m)
	}
	if sc.Points, err = tx.ListPointEntries(ctx, fanID); err != nil {
		return nil, fmt.Errorf("list points: %w", err)
	}
	pays, err := tx.ListPayments(ctx, fanID)
	if err != nil {
		return nil, fmt.Errorf("list payments: %w", err)
	}
	sc.Payments = keep(pays, func(p *Payment) bool { return offered[p.ClubID] })
	subs, err := tx.ListSubscriptions(ctx, fanID)
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	sc.Subscriptions = keep(subs, func(s *Subscription) bool { return offered[s.ClubID] })
	slices.SortFunc(sc.Subscriptions, func(a, b *Subscription) int { return cmpID(a.ID, b.ID) })
	gifts, err := tx.ListGifts(ctx, fanID, 0, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("list gifts: %w", err)
	}
	sc.Gifts = keep(gifts, func(g *Gift) bool { return offered[g.ClubID] })
	rs, err := tx.ListReceipts(ctx, fanID)
	if err != nil {
		return nil, fmt.Errorf("list receipts: %w", err)
	}
	sc.Receipts = keep(rs, func(r DeletionReceipt) bool { return offered[r.ClubID] })
	return sc, nil
}

// ExportEvents reads one page of a fan's behaviour log in a club, in its
// own transaction: up to ExportPageSize events after the cursor after
// ("" from the start) and the next page's cursor ("" at the end).
func (e *Engine) ExportEvents(ctx context.Context, fanID, clubID int64, after string) ([]Event, string, error) {
	var (
		evs  []Event
		next string
	)
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		evs, next, err = tx.ListEventsPage(ctx, fanID, clubID, after, ExportPageSize)
		return err
	})
	return evs, next, err
}

// ExitExportFormats returns the export formats a club's exit flow offers:
// its policy's portability.export when portability.inExitFlow is set,
// none otherwise.
func (e *Engine) ExitExportFormats(ctx context.Context, clubID int64) ([]ExportFormat, error) {
	var out []ExportFormat
	err := e.inTx(ctx, false, func(tx Tx) error {
		cp, err := e.loadClub(ctx, tx, clubID)
		if err != nil {
			return err
		}
		if cp.policy.Portability.InExitFlow {
			out = slices.Clone(cp.policy.Portability.Export)
		}
		return nil
	})
	return out, err
}

// keep returns the elements of s for which ok holds.
func keep[T any](s []T, ok func(T) bool) []T {
	var out []T
	for _, v := range s {
		if ok(v) {
			out = append(out, v)
		}
	}
	return out
}

// cmpID orders ids.
func cmpID(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

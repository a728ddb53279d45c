package fanclub

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Import is a history a fan brought from another fanclub instance: what a
// signed export held, with its provenance. It is history only: it creates
// no money, coins or points (an imported points entry is a record of the
// other instance's balance, never a balance here) and no membership.
type Import struct {
	ID    int64 `json:"id"`
	FanID int64 `json:"fan_id"`
	// SourceInstance is the instance the export names as its maker;
	// KeyID the key whose signature was checked (the part of the
	// provenance the signature proves).
	SourceInstance string `json:"source_instance"`
	KeyID          string `json:"key_id"`
	// SourceFanID is the fan's id on the source instance.
	SourceFanID int64 `json:"source_fan_id"`
	// SHA256 is the hex SHA-256 of the signed part of the document: the
	// same document is imported once per fan.
	SHA256     string    `json:"sha256"`
	ExportedAt time.Time `json:"exported_at"`
	ImportedAt time.Time `json:"imported_at"`
	// Counts are the records the document held, per table.
	Counts map[string]int64 `json:"counts"`
	// Memberships are the source's memberships, with the club each is
	// mapped to here (if any) and whether its tenure counts.
	Memberships []ImportedMembership `json:"memberships"`
}

// ImportedMembership is a membership on another instance.
type ImportedMembership struct {
	SourceClubID   int64            `json:"source_club_id"`
	SourceClubName string           `json:"source_club_name"`
	SourcePolicy   string           `json:"source_policy"`
	Status         MembershipStatus `json:"status"`
	Level          int              `json:"level"`
	LevelPoints    int64            `json:"level_points"`
	JoinedAt       time.Time        `json:"joined_at"`
	LeftAt         *time.Time       `json:"left_at,omitempty"`
	// Retained is the progress the source kept after the fan's last exit
	// there (left memberships only; nil: none). History only, like the
	// rest: it restores nothing here.
	Retained *Retained `json:"retained,omitempty"`
	// Tenure is the last membership period on the source: from JoinedAt
	// to LeftAt for a membership that was left, to the export's time for
	// an active one.
	TenureSeconds int64 `json:"tenure_seconds"`
	// ClubID is the club here the fan mapped it to (0: none).
	ClubID int64 `json:"club_id,omitempty"`
	// TenureCounted is true when ClubID's policy counts imported tenure
	// (portability.importedTenureCounts).
	TenureCounted bool `json:"tenure_counted"`
}

// RecordImport stores a verified export's history for a fan. clubs maps
// source club ids to clubs here: every source club named must be one of
// the document's memberships, and every club here must exist and accept
// imports (portability.import); its policy's importedTenureCounts decides
// whether the mapped tenure counts. Unmapped memberships are kept as
// history. Importing a document the fan already imported (same SHA256)
// changes nothing and returns the first import with created false.
// An import whose times or values no export could hold (checkImport) is
// invalid and changes nothing; its times are stored in UTC.
func (e *Engine) RecordImport(ctx context.Context, im *Import, clubs map[int64]int64) (*Import, bool, error) {
	var (
		out     *Import
		created bool
	)
	err := e.inTx(ctx, true, func(tx Tx) error {
		if err := checkImport(im, tx.Now()); err != nil {
			return err
		}
		if _, err := tx.FindFanByID(ctx, im.FanID); err != nil {
			return fmt.Errorf("find fan %d: %w", im.FanID, err)
		}
		cp := utcImport(im)
		if err := e.mapImport(ctx, tx, &cp, clubs); err != nil {
			return err
		}
		cp.ImportedAt = tx.Now()
		var err error
		created, err = tx.CreateImport(ctx, &cp)
		out = &cp
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return out, created, nil
}

// mapImport sets the club and tenure rule of each imported membership.
func (e *Engine) mapImport(ctx context.Context, tx Tx, im *Import, clubs map[int64]int64) error {
	var bad []FieldError
	srcs := make([]int64, 0, len(clubs))
	for src := range clubs {
		srcs = append(srcs, src)
	}
	slices.Sort(srcs)
	for _, src := range srcs {
		path := "clubs." + strconv.FormatInt(src, 10)
		i := slices.IndexFunc(im.Memberships, func(m ImportedMembership) bool { return m.SourceClubID == src })
		if i < 0 {
			bad = append(bad, FieldError{Path: path, Found: strconv.FormatInt(src, 10), Allowed: "a club id of the export's memberships",
				Message: "the export holds no membership in this club"})
			continue
		}
		local := clubs[src]
		cp, err := e.loadClub(ctx, tx, local)
		if isNotFound(err) {
			bad = append(bad, FieldError{Path: path, Found: strconv.FormatInt(local, 10), Allowed: "a club of this instance",
				Message: "no such club here"})
			continue
		} else if err != nil {
			return err
		}
		if !cp.policy.Portability.Import {
			bad = append(bad, FieldError{Path: path, Found: strconv.FormatInt(local, 10), Allowed: "a club whose policy accepts imports",
				Message: fmt.Sprintf("club %d's policy %s does not accept imports", local, cp.club.Policy)})
			continue
		}
		im.Memberships[i].ClubID = local
		im.Memberships[i].TenureCounted = cp.policy.Portability.ImportedTenureCounts
	}
	if len(bad) > 0 {
		return InvalidFields("The club mapping of the import is not valid; nothing was imported.", bad)
	}
	return nil
}

// ListImports lists a fan's imports, oldest first.
func (e *Engine) ListImports(ctx context.Context, fanID int64) ([]*Import, error) {
	var out []*Import
	err := e.inTx(ctx, false, func(tx Tx) error {
		var err error
		out, err = tx.ListImports(ctx, fanID)
		return err
	})
	return out, err
}

// ImportedTenure is the imported tenure that counts in a club: the sum of
// the tenure of the fan's imported memberships mapped to the club whose
// policy counted it when they were imported.
func (e *Engine) ImportedTenure(ctx context.Context, fanID, clubID int64) (time.Duration, error) {
	ims, err := e.ListImports(ctx, fanID)
	if err != nil {
		return 0, err
	}
	var secs int64
	for _, im := range ims {
		for _, m := range im.Memberships {
			if m.ClubID == clubID && m.TenureCounted {
				secs = SaturatingAdd(secs, m.TenureSeconds)
			}
		}
	}
	return time.Duration(min(secs, int64(time.Duration(1<<63-1)/time.Second))) * time.Second, nil
}

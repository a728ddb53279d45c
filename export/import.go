package export

import (
	"context"
	"io"
	"time"

	"fanclub"
)

// Importer records a verified document: *fanclub.Engine implements it.
type Importer interface {
	RecordImport(ctx context.Context, im *fanclub.Import, clubs map[int64]int64) (*fanclub.Import, bool, error)
}

// Import decodes and verifies a JSON export from r and records it as the
// fan's imported history, with clubs mapping source club ids to clubs
// here. A document that fails (malformed, tampered, unknown key, bad
// mapping) changes nothing; its error is a *DecodeError or the engine's.
func Import(ctx context.Context, r io.Reader, keys KeyFunc, to Importer, fanID int64, clubs map[int64]int64) (*fanclub.Import, bool, error) {
	doc, err := Decode(r, keys)
	if err != nil {
		return nil, false, err
	}
	return to.RecordImport(ctx, doc.ImportFor(fanID), clubs)
}

// ImportFor is the history a fan imports from the document: provenance,
// counts and memberships, each with its kept progress and its tenure
// (joined_at to left_at, or to exported_at while active); times in UTC.
func (d *Document) ImportFor(fanID int64) *fanclub.Import {
	h := d.Header
	im := &fanclub.Import{FanID: fanID, SourceInstance: h.Instance, KeyID: d.Signature.KeyID, SourceFanID: h.Fan.ID,
		SHA256: d.SHA256, ExportedAt: h.ExportedAt.UTC(), Counts: d.Counts, Memberships: []fanclub.ImportedMembership{}}
	names := map[int64]Club{}
	for _, c := range h.Clubs {
		names[c.ID] = c
	}
	for _, m := range d.Memberships {
		end := h.ExportedAt
		var left *time.Time
		if m.LeftAt != nil {
			t := m.LeftAt.UTC()
			left = &t
			if m.Status == fanclub.StatusLeft {
				end = t
			}
		}
		im.Memberships = append(im.Memberships, fanclub.ImportedMembership{SourceClubID: m.ClubID,
			SourceClubName: names[m.ClubID].Name, SourcePolicy: names[m.ClubID].Policy, Status: m.Status, Level: m.Level,
			LevelPoints: m.LevelPoints, JoinedAt: m.JoinedAt.UTC(), LeftAt: left, Retained: m.Retained.keptProgress(),
			TenureSeconds: max(0, int64(end.Sub(m.JoinedAt).Seconds()))})
	}
	return im
}

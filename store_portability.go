package fanclub

import (
	"context"
	"strconv"
	"time"
)

// PointEntry is one entry of a fan's general points: a change, why, and
// when it was booked.
type PointEntry struct {
	ID     int64     `json:"id"`
	Delta  int64     `json:"delta"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// ExportTx reads what an export of a fan's data needs, the behaviour log a
// page at a time so that an export costs bounded memory however long the
// fan's history is.
type ExportTx interface {
	// ListEventsPage lists up to limit (> 0) of a fan's stored events in a
	// club that come after the cursor after ("" starts at the beginning),
	// and the cursor of the next page ("" when there is none). The order
	// and the cursor are the store's own: a cursor is only meaningful to
	// the store that made it, and every stored event is listed exactly
	// once by following the cursors, whatever commits in between (events
	// stored meanwhile may or may not be listed). Events the transaction
	// itself inserted are not listed.
	ListEventsPage(ctx context.Context, fanID, clubID int64, after string, limit int) ([]Event, string, error)
	// ListPointEntries lists a fan's general points entries, oldest first.
	ListPointEntries(ctx context.Context, fanID int64) ([]PointEntry, error)
}

// SigningKeyTx stores the instance's export signing key: one key, created
// on first use and kept.
type SigningKeyTx interface {
	// FindSigningKey returns the stored key (ENOTFOUND if none).
	FindSigningKey(ctx context.Context) (*SigningKey, error)
	// SaveSigningKey stores k unless a key is stored, and returns the
	// stored key: k, or the earlier one.
	SaveSigningKey(ctx context.Context, k *SigningKey) (*SigningKey, error)
}

// ImportTx stores the histories fans import from other instances.
type ImportTx interface {
	// CreateImport stores im and sets its ID, unless the fan already
	// imported a document with im.SHA256: then it copies the stored import
	// into im and reports false.
	CreateImport(ctx context.Context, im *Import) (created bool, err error)
	// ListImports lists a fan's imports, oldest first.
	ListImports(ctx context.Context, fanID int64) ([]*Import, error)
}

// StorableImport returns an invalid error when one of im's times is not
// ImportableTime: a store's CreateImport refuses such an import rather
// than keep a time that would read back as another.
func StorableImport(im *Import) error {
	bad := func(path string, t time.Time) error {
		return InvalidFields("The import holds a time the store cannot keep; nothing was stored.", []FieldError{{Path: path,
			Found: t.UTC().Format(time.RFC3339Nano), Allowed: ImportTimeAllowed, Message: "not a time the store can keep"}})
	}
	if !ImportableTime(im.ExportedAt) {
		return bad("exported_at", im.ExportedAt)
	}
	if !ImportableTime(im.ImportedAt) {
		return bad("imported_at", im.ImportedAt)
	}
	for i, m := range im.Memberships {
		p := "memberships[" + strconv.Itoa(i) + "]"
		if !ImportableTime(m.JoinedAt) {
			return bad(p+".joined_at", m.JoinedAt)
		}
		if m.LeftAt != nil && !ImportableTime(*m.LeftAt) {
			return bad(p+".left_at", *m.LeftAt)
		}
	}
	return nil
}

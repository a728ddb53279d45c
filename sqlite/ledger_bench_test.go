package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"fanclub/sqlite"
	"fanclub/storetest"
)

// BenchmarkLedgerGifts measures one ledger gift per write transaction on
// a file database.
func BenchmarkLedgerGifts(b *testing.B) {
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "ledger.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	storetest.BenchLedgerGifts(b, db)
}

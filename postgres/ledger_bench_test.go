package postgres_test

import (
	"testing"

	"fanclub/postgres"
	"fanclub/postgres/pgtest"
	"fanclub/storetest"
)

// BenchmarkLedgerGifts measures one ledger gift per write transaction.
func BenchmarkLedgerGifts(b *testing.B) {
	storetest.BenchLedgerGifts(b, pgtest.Open(b, postgres.Options{}))
}

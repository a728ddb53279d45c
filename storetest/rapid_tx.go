package storetest

import (
	"context"

	"pgregory.net/rapid"

	"fanclub"
)

// inRapidWriteTx runs fn in a write transaction of s and commits it; an
// error from either fails the property's run rt.
func inRapidWriteTx(rt *rapid.T, s fanclub.Store, fn func(tx fanclub.Tx) error) {
	rt.Helper()
	tx, err := s.BeginTx(context.Background(), true)
	if err != nil {
		rt.Fatalf("BeginTx: %v", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		rt.Fatalf("write: %v", err)
	}
	if err := tx.Commit(); err != nil {
		rt.Fatalf("Commit: %v", err)
	}
}

package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

// TestEventsReadWhileIngestIndexes lists a member's events from several
// read transactions while commits keep indexing new events in the
// background: a reader waiting for the index (settle) while a commit
// starts indexing (add) must neither panic nor race.
func TestEventsReadWhileIngestIndexes(t *testing.T) {
	t.Parallel()
	db := openFile(t, filepath.Join(t.TempDir(), "x.db"))
	k := memberWithPoints(t, db)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for !stop.Load() {
				tx, err := db.BeginTx(context.Background(), false)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := tx.ListEvents(context.Background(), k.FanID, k.ClubID); err != nil {
					t.Error(err)
				}
				_ = tx.Rollback()
			}
		})
	}
	for i := range 1000 {
		earn(t, db, k, counterOf(k), fmt.Sprint("e", i), 1)
	}
	stop.Store(true)
	wg.Wait()
}

// TestInFlightAddWhileWaiting checks the counter behind settle: tasks
// start and end while others wait for none to run, and every wait ends.
func TestInFlightAddWhileWaiting(t *testing.T) {
	t.Parallel()
	var f inFlight
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 2000 {
				f.Add(1)
				go f.Done()
				f.Wait()
			}
		})
	}
	wg.Wait()
	f.Wait()
}

package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
)

// runTx runs fn in a transaction and commits it, running it again when
// the store reports a retryable conflict: the contract the engine's
// transaction runner keeps (at most fanclub.MaxTxAttempts runs, waiting
// fanclub.TxBackoff between them).
func runTx(ctx context.Context, s fanclub.Store, write bool, fn func(tx fanclub.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := func() error {
			tx, err := s.BeginTx(ctx, write)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if err := fn(tx); err != nil {
				return err
			}
			return tx.Commit()
		}()
		if err == nil || !fanclub.IsRetryable(err) || attempt >= fanclub.MaxTxAttempts {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(fanclub.TxBackoff(attempt)):
		}
	}
}

// testConcurrentWriters runs engine-style read-modify-write transactions
// on one membership and one counter from several goroutines, each through
// runTx. Every transaction must eventually commit and none may lose an
// update or see another's partial state: the store serializes write
// transactions, or fails one of two conflicting ones with a retryable
// error (and keeps nothing of it).
func testConcurrentWriters(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	const workers, rounds = 4, 25
	var club, fan int64
	inWriteTx(t, s, func(tx fanclub.Tx) {
		club = seedClub(t, tx, "busy")
		fan = seedFans(t, tx, "busy", 1)[0]
		must(t, "SaveMemberships", tx.SaveMemberships(ctx, []*fanclub.Membership{membershipAt(fan, club, c.Now())}))
	})
	start := membershipAt(fan, club, c.Now())
	k := fanclub.CounterKey{FanID: fan, ClubID: club, Day: "2026-03-01", Action: fanclub.ActionLike}
	errs := make(chan error, workers*rounds)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				errs <- runTx(ctx, s, true, func(tx fanclub.Tx) error {
					m, err := tx.FindMembership(ctx, fan, club)
					if err != nil {
						return err
					}
					pts, err := tx.DailyPoints(ctx, []fanclub.CounterKey{k})
					if err != nil {
						return err
					}
					if err := tx.AddDailyPoints(ctx, map[fanclub.CounterKey]int64{k: 1}); err != nil {
						return err
					}
					m.LevelPoints, m.Version = m.LevelPoints+1, m.Version+1
					if err := tx.SaveMemberships(ctx, []*fanclub.Membership{m}); err != nil {
						return err
					}
					// Book the counter value read: interleaved transactions
					// would book repeated values and break the sum below.
					return tx.AddGeneralPoints(ctx, fan, pts[k]+1, "mirror", fmt.Sprintf("w%d-r%d", w, r))
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent write transaction failed: %v", err)
		}
	}
	n := int64(workers * rounds)
	inReadTx(t, s, func(tx fanclub.Tx) {
		pts, err := tx.DailyPoints(ctx, []fanclub.CounterKey{k})
		must(t, "DailyPoints", err)
		if pts[k] != n {
			t.Fatalf("counter = %d, want %d: updates lost", pts[k], n)
		}
		m, err := tx.FindMembership(ctx, fan, club)
		must(t, "FindMembership", err)
		if m.LevelPoints != start.LevelPoints+n || m.Version != start.Version+n {
			t.Fatalf("membership level points %d version %d, want %d and %d: updates lost",
				m.LevelPoints, m.Version, start.LevelPoints+n, start.Version+n)
		}
		// Serialized, the transactions saw 0, 1, 2, … so the mirrored
		// values sum to 1+2+…+n.
		bal, err := tx.GeneralPoints(ctx, fan)
		must(t, "GeneralPoints", err)
		if bal != n*(n+1)/2 {
			t.Fatalf("sum of values read in transactions = %d, want %d: write transactions interleaved", bal, n*(n+1)/2)
		}
		active, err := tx.ActiveMembers(ctx, club)
		must(t, "ActiveMembers", err)
		wantEqual(t, "active members", active, int64(1))
	})
}

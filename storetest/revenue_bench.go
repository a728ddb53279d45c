package storetest

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"fanclub"
	"fanclub/clock"
	"fanclub/ledger"
	"fanclub/policyfile"
)

// SettlementBench is what BenchSettlement measured.
type SettlementBench struct {
	Creators, Gifts int
	// Load is the time to store the week's gifts and the creators'
	// pending shares (setup, not measured against anything).
	Load time.Duration
	// Read is the raw cost of reading the week's gifts of every club
	// through the settlement's index (ListClubGifts, one read
	// transaction per club).
	Read time.Duration
	// Settle is the time the job runner took to settle every club-week.
	Settle time.Duration
}

// GiftLoader stores a batch of gifts for BenchSettlement through a
// store's bulk path (PostgreSQL's COPY); with none, BenchSettlement
// stores them one CreateGift at a time.
type GiftLoader func(ctx context.Context, gifts []*fanclub.Gift) error

// String renders the figures for docs/BENCHMARKS.md.
func (b SettlementBench) String() string {
	return fmt.Sprintf("%d creators, %d gifts: load %v, raw read %v, settlement %v (%.2f× the read); "+
		"per club: read %v, settlement %v; per gift: read %v, settlement %v",
		b.Creators, b.Gifts, b.Load.Round(time.Millisecond), b.Read.Round(time.Millisecond), b.Settle.Round(time.Millisecond),
		float64(b.Settle)/float64(max(b.Read, 1)), per(b.Read, b.Creators, time.Microsecond), per(b.Settle, b.Creators, time.Microsecond),
		per(b.Read, b.Gifts, 10*time.Nanosecond), per(b.Settle, b.Gifts, 10*time.Nanosecond))
}

// per is d divided by n, rounded to a multiple of unit.
func per(d time.Duration, n int, unit time.Duration) time.Duration {
	return (d / time.Duration(max(n, 1))).Round(unit)
}

// BenchSettlement stores, on a fresh store s whose clock is clk, one
// club per creator (fair preset) with gifts gifts spread evenly over the
// creators and over ten fans each, in the week before a Monday, plus the
// creators' pending shares and one settlement job per club-week; it then
// times the raw read of those gifts and the job runner settling them.
// Gifts of the week before are stored too, so a settlement that scanned
// other weeks would show. load stores the gifts in bulk (nil: one
// CreateGift at a time, in transactions of 20 000).
func BenchSettlement(tb *testing.T, s fanclub.Store, clk *clock.Manual, creators, gifts int, load GiftLoader) SettlementBench {
	tb.Helper()
	ctx := context.Background()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		tb.Fatalf("registry: %v", err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	week := fanclub.WeekStart(clk.Now(), loc)
	prev := week.Add(-7 * 24 * time.Hour)
	e := fanclub.NewEngine(fanclub.EngineConfig{Store: s, Policies: reg, Random: rand.Reader})
	res := SettlementBench{Creators: creators, Gifts: gifts}
	start := time.Now()
	clubs := make([]int64, creators)
	inWriteTx(tb, s, func(tx fanclub.Tx) {
		for i := range creators {
			c := &fanclub.Creator{Handle: fmt.Sprintf("bench_creator_%d", i), CreatedAt: clk.Now()}
			must(tb, "CreateCreator", tx.CreateCreator(ctx, c))
			cl := &fanclub.Club{CreatorID: c.ID, Name: fmt.Sprintf("bench club %d", i), Policy: "fair", CreatedAt: clk.Now()}
			must(tb, "CreateClub", tx.CreateClub(ctx, cl))
			clubs[i] = cl.ID
		}
	})
	per := max(gifts/creators, 1)
	const batch = 20000
	n := 0
	shares := make([]int64, creators)
	for _, at := range []time.Time{prev, week} {
		for lo := 0; lo < creators*per; lo += batch {
			gs := make([]*fanclub.Gift, 0, batch)
			for k := lo; k < min(lo+batch, creators*per); k++ {
				i := k % creators
				n++
				g := &fanclub.Gift{Key: fmt.Sprintf("bench-gift-%d", n), FanID: int64(1 + k%10), ClubID: clubs[i], CreatorID: int64(i + 1),
					Coins: 10, Value: 100, Share: 50, Currency: "CNY", Points: 100, EventID: fmt.Sprintf("bench-event-%d", n),
					At: at.Add(time.Duration(k) * time.Millisecond)}
				gs = append(gs, g)
				if at.Equal(week) {
					shares[i] += g.Share
				}
			}
			if load != nil {
				must(tb, "load gifts", load(ctx, gs))
				continue
			}
			inWriteTx(tb, s, func(tx fanclub.Tx) {
				for _, g := range gs {
					if _, err := tx.CreateGift(ctx, g); err != nil {
						tb.Fatalf("CreateGift: %v", err)
					}
				}
			})
		}
	}
	var ts []ledger.Transfer
	for i, sh := range shares {
		ts = append(ts, ledger.Transfer{Key: fmt.Sprintf("bench-share-%d", i), Debit: ledger.PlatformRevenue("CNY").ID,
			Credit: ledger.CreatorPending(int64(i+1), "CNY").ID, Asset: "CNY", Amount: sh, Code: "gift_share"})
	}
	for lo := 0; lo < len(ts); lo += 1000 {
		inWriteTx(tb, s, func(tx fanclub.Tx) {
			if _, err := ledger.Post(ctx, tx, clk.Now(), ts[lo:min(lo+1000, len(ts))]...); err != nil {
				tb.Fatalf("post shares: %v", err)
			}
		})
	}
	jobs := make([]*fanclub.Job, creators)
	for i, c := range clubs {
		jobs[i] = &fanclub.Job{Kind: fanclub.JobSettleWeek, Key: fmt.Sprintf("bench-settle-%d", c),
			Payload: []byte(fmt.Sprintf(`{"club_id":%d,"week":%q}`, c, week.Format(time.RFC3339Nano))), DueAt: fanclub.WeekEnd(week, loc)}
	}
	if err := e.EnqueueJobs(ctx, jobs...); err != nil {
		tb.Fatalf("enqueue: %v", err)
	}
	res.Load = time.Since(start)
	clk.Set(fanclub.WeekEnd(week, loc))

	start = time.Now()
	read := 0
	for _, c := range clubs {
		inReadTx(tb, s, func(tx fanclub.Tx) {
			gs, err := tx.ListClubGifts(ctx, c, week, fanclub.WeekEnd(week, loc))
			must(tb, "ListClubGifts", err)
			read += len(gs)
		})
	}
	res.Read = time.Since(start)
	if read != creators*per {
		tb.Fatalf("read %d gifts, want %d", read, creators*per)
	}

	start = time.Now()
	ran := 0
	for {
		k, err := e.RunDueJobs(ctx)
		if err != nil {
			tb.Fatalf("run jobs: %v", err)
		}
		if k == 0 {
			break
		}
		ran += k
	}
	res.Settle = time.Since(start)
	if ran != creators {
		tb.Fatalf("ran %d settlement jobs, want %d", ran, creators)
	}
	inReadTx(tb, s, func(tx fanclub.Tx) {
		st, err := tx.FindSettlement(ctx, clubs[0], week)
		must(tb, "FindSettlement", err)
		if st.State != fanclub.SettlementSettled || st.Settled != shares[0] {
			tb.Fatalf("settlement %+v, want %d settled", st, shares[0])
		}
	})
	return res
}

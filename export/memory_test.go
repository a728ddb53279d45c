package export_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"fanclub"
	"fanclub/export"
	"fanclub/internal/teststores"
)

// heapWatcher discards what is written and, every 256 KiB, measures the
// live heap (after a collection, so that garbage not yet collected does
// not count).
type heapWatcher struct {
	written, next int64
	peak          uint64
}

func (h *heapWatcher) Write(p []byte) (int, error) {
	h.written += int64(len(p))
	if h.written >= h.next {
		h.next = h.written + 256<<10
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		h.peak = max(h.peak, ms.HeapAlloc)
	}
	return len(p), nil
}

// TestExportMemoryIsBounded exports a fan with 200 000 events (about
// 20 MB of JSON) from each store and checks that the heap grows by far
// less than the export (at most 4 MB, with the
// largest stored batch 5 000 events): the behaviour log is paged, not loaded.
func TestExportMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 200 000 events")
	}
	const events = 200_000
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		ctx := context.Background()
		in := newInstance(t, open, "a")
		fan, club := fanAndClubOn(t, in, "fair")
		if _, err := in.Engine.Join(ctx, fan.ID, club.ID); err != nil {
			t.Fatal(err)
		}
		at := in.Clock.Now()
		for b := 0; b < events; b += 5000 {
			batch := make([]fanclub.Event, 5000)
			for i := range batch {
				batch[i] = fanclub.Event{ID: fmt.Sprintf("e%07d", b+i), FanID: fan.ID, ClubID: club.ID, Action: fanclub.ActionLike, Amount: 1, At: at.Add(time.Duration(b+i) * time.Millisecond)}
			}
			tx, err := in.Store.BeginTx(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.InsertEvents(ctx, batch); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		w := &heapWatcher{}
		res, err := export.Write(ctx, w, in.Engine, fan.ID, fanclub.ExportJSON, in.Signer)
		if err != nil {
			t.Fatal(err)
		}
		if res.Counts["interactions"] != events {
			t.Fatalf("exported %d events, want %d", res.Counts["interactions"], events)
		}
		growth := int64(w.peak) - int64(before.HeapAlloc)
		t.Logf("%s: %d events, %.1f MB written, peak heap growth %.1f MB", t.Name(), events, float64(w.written)/1e6, float64(growth)/1e6)
		if growth > 4<<20 {
			t.Errorf("heap grew by %d bytes while writing %d: the export is not streamed", growth, w.written)
		}
	})
}

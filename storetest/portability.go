package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"fanclub"
	"fanclub/clock"
)

// testEventsPages pages through a member's events, stored over several
// transactions that also hold other members' events, with several page
// sizes: every event is listed once, no other member's event is, and a
// bad cursor is invalid.
func testEventsPages(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	var want []string
	for batch := range 4 {
		var evs []fanclub.Event
		for i := range 1 + batch*3 {
			id := fmt.Sprintf("m-%d-%d", batch, i)
			want = append(want, id)
			evs = append(evs, eventAt(id, 1, 1, c.Now().Add(time.Duration(batch*10+i)*time.Second)),
				eventAt(fmt.Sprintf("o-%d-%d", batch, i), 1, 2, c.Now()), eventAt(fmt.Sprintf("p-%d-%d", batch, i), 2, 1, c.Now()))
		}
		inWriteTx(t, s, func(tx fanclub.Tx) {
			_, err := tx.InsertEvents(ctx, evs)
			must(t, "InsertEvents", err)
		})
	}
	slices.Sort(want)
	for _, limit := range []int{1, 2, 5, 22, 100} {
		var got []string
		after, pages := "", 0
		for {
			pages++
			if pages > 100 {
				t.Fatalf("limit %d: no end after 100 pages", limit)
			}
			var (
				evs  []fanclub.Event
				next string
			)
			inReadTx(t, s, func(tx fanclub.Tx) {
				var err error
				evs, next, err = tx.ListEventsPage(ctx, 1, 1, after, limit)
				must(t, "ListEventsPage", err)
			})
			if len(evs) > limit {
				t.Fatalf("limit %d: a page of %d", limit, len(evs))
			}
			for _, e := range evs {
				if e.FanID != 1 || e.ClubID != 1 {
					t.Fatalf("limit %d: listed %+v of another member", limit, e)
				}
				got = append(got, e.ID)
			}
			if next == "" {
				break
			}
			after = next
		}
		slices.Sort(got)
		wantEqual(t, fmt.Sprintf("events paged %d at a time", limit), got, want)
	}
	inReadTx(t, s, func(tx fanclub.Tx) {
		evs, next, err := tx.ListEventsPage(ctx, 9, 9, "", 10)
		if err != nil || len(evs) != 0 || next != "" {
			t.Fatalf("no events: %v %q %v", evs, next, err)
		}
		if _, _, err := tx.ListEventsPage(ctx, 1, 1, "not a cursor", 10); fanclub.ErrorCode(err) != fanclub.EINVALID {
			t.Fatalf("bad cursor: %v, want invalid", err)
		}
	})
}

// testPointEntries lists a fan's general points entries in order.
func testPointEntries(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	inWriteTx(t, s, func(tx fanclub.Tx) {
		must(t, "AddGeneralPoints", tx.AddGeneralPoints(ctx, 1, 100, "exit conversion", "k1"))
		must(t, "AddGeneralPoints", tx.AddGeneralPoints(ctx, 2, 5, "other fan", "k2"))
		must(t, "AddGeneralPoints", tx.AddGeneralPoints(ctx, 1, -30, "spend", "k3"))
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.ListPointEntries(ctx, 1)
		must(t, "ListPointEntries", err)
		if len(got) != 2 || got[0].Delta != 100 || got[1].Delta != -30 || got[1].Reason != "spend" || !got[0].At.Equal(c.Now()) {
			t.Fatalf("ListPointEntries = %+v", got)
		}
		none, err := tx.ListPointEntries(ctx, 9)
		if err != nil || none == nil || len(none) != 0 {
			t.Fatalf("ListPointEntries(none) = %v, %v; want an empty list", none, err)
		}
	})
}

// testSigningKey stores one key: a second save returns the first.
func testSigningKey(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	inReadTx(t, s, func(tx fanclub.Tx) {
		if _, err := tx.FindSigningKey(ctx); fanclub.ErrorCode(err) != fanclub.ENOTFOUND {
			t.Fatalf("FindSigningKey(empty) = %v, want not found", err)
		}
	})
	first := &fanclub.SigningKey{ID: "ed25519:first", Seed: []byte("0123456789abcdef0123456789abcdef"), CreatedAt: c.Now()}
	second := &fanclub.SigningKey{ID: "ed25519:second", Seed: []byte("fedcba9876543210fedcba9876543210"), CreatedAt: c.Now()}
	for _, k := range []*fanclub.SigningKey{first, second} {
		inWriteTx(t, s, func(tx fanclub.Tx) {
			got, err := tx.SaveSigningKey(ctx, k)
			must(t, "SaveSigningKey", err)
			wantEqual(t, "stored key", got, first)
		})
	}
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.FindSigningKey(ctx)
		must(t, "FindSigningKey", err)
		wantEqual(t, "found key", got, first)
	})
}

// testImports stores a fan's import once per document digest.
func testImports(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	left := c.Now().Add(-time.Hour)
	im := func(sum string) *fanclub.Import {
		return &fanclub.Import{FanID: 1, SourceInstance: "https://a.example", KeyID: "ed25519:k", SourceFanID: 7, SHA256: sum,
			ExportedAt: c.Now().Add(-time.Minute), ImportedAt: c.Now(), Counts: map[string]int64{"interactions": 3},
			Memberships: []fanclub.ImportedMembership{{SourceClubID: 2, SourceClubName: "kai", SourcePolicy: "fair", Status: fanclub.StatusLeft,
				Level: 3, LevelPoints: 320, JoinedAt: left.Add(-48 * time.Hour), LeftAt: &left, TenureSeconds: 48 * 3600, ClubID: 5, TenureCounted: true,
				Retained: &fanclub.Retained{Option: "keep", Points: 320, Level: 3, Until: left.Add(30 * 24 * time.Hour), Decay: fanclub.DecayNone,
					Restore: fanclub.RestorePoints}}}}
	}
	first := im("aa")
	inWriteTx(t, s, func(tx fanclub.Tx) {
		created, err := tx.CreateImport(ctx, first)
		must(t, "CreateImport", err)
		if !created || first.ID == 0 {
			t.Fatalf("CreateImport: created %v, id %d", created, first.ID)
		}
	})
	again := im("aa")
	again.SourceInstance = "https://other.example"
	inWriteTx(t, s, func(tx fanclub.Tx) {
		created, err := tx.CreateImport(ctx, again)
		must(t, "CreateImport(again)", err)
		if created {
			t.Fatal("the same document was imported twice")
		}
		wantEqual(t, "repeated import", again, first)
		other := im("bb")
		other.FanID = 2
		_, err = tx.CreateImport(ctx, other)
		must(t, "CreateImport(other fan)", err)
	})
	// A time the store cannot keep (Unix nanoseconds overflow after
	// 2262) is refused rather than stored as another.
	inWriteTx(t, s, func(tx fanclub.Tx) {
		late := im("cc")
		late.FanID = 3
		late.ExportedAt = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
		if _, err := tx.CreateImport(ctx, late); fanclub.ErrorCode(err) != fanclub.EINVALID {
			t.Fatalf("CreateImport(exported 2300) = %v, want invalid", err)
		}
	})
	inReadTx(t, s, func(tx fanclub.Tx) {
		got, err := tx.ListImports(ctx, 1)
		must(t, "ListImports", err)
		wantEqual(t, "imports", got, []*fanclub.Import{first})
		none, err := tx.ListImports(ctx, 3)
		if err != nil || len(none) != 0 {
			t.Fatalf("ListImports(refused) = %v, %v; want none", none, err)
		}
	})
}

// testEventsPagesProperty stores random batches of events for a member and
// its neighbours (another club of the fan, another fan in the club),
// purges some of the member's events, and pages through the member's
// events with a random page size: every stored, unpurged event of the
// member is listed exactly once, nothing else is. Each run uses a fan of
// its own.
func testEventsPagesProperty(t *testing.T, s fanclub.Store, c *clock.Manual) {
	ctx := context.Background()
	t0 := c.Now()
	run := int64(0)
	rapid.Check(t, func(rt *rapid.T) {
		run++
		fan := run
		model := map[string]time.Time{}
		write := func(fn func(tx fanclub.Tx) error) { inRapidWriteTx(rt, s, fn) }
		n := 0
		for range rapid.IntRange(1, 8).Draw(rt, "steps") {
			if rapid.IntRange(0, 4).Draw(rt, "op") == 0 {
				upTo := t0.Add(time.Duration(rapid.IntRange(0, 60).Draw(rt, "purge minute")) * time.Minute)
				write(func(tx fanclub.Tx) error {
					_, err := tx.PurgeEvents(ctx, fan, 1, upTo, nil)
					return err
				})
				for id, at := range model {
					if !at.After(upTo) {
						delete(model, id)
					}
				}
				continue
			}
			var evs []fanclub.Event
			for range rapid.IntRange(0, 12).Draw(rt, "events") {
				n++
				at := t0.Add(time.Duration(rapid.IntRange(0, 60).Draw(rt, "minute")) * time.Minute)
				id := fmt.Sprintf("pp%d-%d", run, n)
				switch rapid.IntRange(0, 2).Draw(rt, "member") {
				case 0:
					evs = append(evs, eventAt(id, fan, 1, at))
					model[id] = at
				case 1:
					evs = append(evs, eventAt(id, fan, 2, at))
				default:
					evs = append(evs, eventAt(id, fan+100000, 1, at))
				}
			}
			write(func(tx fanclub.Tx) error {
				_, err := tx.InsertEvents(ctx, evs)
				return err
			})
		}
		limit := rapid.IntRange(1, 7).Draw(rt, "limit")
		seen := map[string]bool{}
		after := ""
		for pages := 0; ; pages++ {
			if pages > 200 {
				rt.Fatalf("no end after 200 pages of %d", limit)
			}
			tx, err := s.BeginTx(ctx, false)
			if err != nil {
				rt.Fatalf("BeginTx: %v", err)
			}
			evs, next, err := tx.ListEventsPage(ctx, fan, 1, after, limit)
			tx.Rollback()
			if err != nil {
				rt.Fatalf("ListEventsPage: %v", err)
			}
			if len(evs) > limit {
				rt.Fatalf("a page of %d, limit %d", len(evs), limit)
			}
			for _, e := range evs {
				if _, ok := model[e.ID]; !ok || seen[e.ID] || e.FanID != fan || e.ClubID != 1 {
					rt.Fatalf("listed %+v: not the member's, purged, or listed twice", e)
				}
				seen[e.ID] = true
			}
			if next == "" {
				break
			}
			after = next
		}
		if len(seen) != len(model) {
			rt.Fatalf("listed %d events, %d stored", len(seen), len(model))
		}
	})
}

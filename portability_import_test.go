package fanclub_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
)

// goodImport is an import every check accepts, exported at `at`: a left
// membership that kept its progress.
func goodImport(fan int64, at time.Time) *fanclub.Import {
	joined, left := at.Add(-30*24*time.Hour), at.Add(-24*time.Hour)
	return &fanclub.Import{FanID: fan, SourceInstance: "https://other.example", KeyID: "ed25519:k", SourceFanID: 77, SHA256: "ab",
		ExportedAt: at, Counts: map[string]int64{"memberships": 1},
		Memberships: []fanclub.ImportedMembership{{SourceClubID: 5, SourceClubName: "kai", SourcePolicy: "fair", Status: fanclub.StatusLeft,
			Level: 2, JoinedAt: joined, LeftAt: &left, TenureSeconds: 29 * 24 * 3600,
			Retained: &fanclub.Retained{Option: "keep", Points: 120, Level: 2, Until: left.Add(30 * 24 * time.Hour), Decay: fanclub.DecayNone,
				Restore: fanclub.RestorePoints}}}}
}

// TestRecordImportRefusesImpossibleHistory records, on both stores,
// imports no export could hold: each is invalid at the field's path and
// stores nothing; a good one reads back as it was returned, in UTC.
func TestRecordImportRefusesImpossibleHistory(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		ctx := context.Background()
		e, clk, _ := engineOn(t, open)
		fan := worldWithClubs(t, e, 1).fans[0]
		now := clk.Now()
		tests := []struct {
			name   string
			change func(im *fanclub.Import)
			path   string
		}{
			{"exported in 2300 (overflows Unix nanoseconds)", func(im *fanclub.Import) { im.ExportedAt = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) }, "exported_at"},
			{"exported in the future", func(im *fanclub.Import) { im.ExportedAt = now.Add(time.Hour) }, "exported_at"},
			{"exported at the epoch", func(im *fanclub.Import) { im.ExportedAt = time.Unix(0, 0) }, "exported_at"},
			{"unknown status", func(im *fanclub.Import) { im.Memberships[0].Status = "banned" }, "memberships[0].status"},
			{"negative level", func(im *fanclub.Import) { im.Memberships[0].Level = -1 }, "memberships[0].level"},
			{"negative points", func(im *fanclub.Import) { im.Memberships[0].LevelPoints = -1 }, "memberships[0].level_points"},
			{"left without left_at", func(im *fanclub.Import) { im.Memberships[0].LeftAt = nil }, "memberships[0].left_at"},
			{"left after the export", func(im *fanclub.Import) { t := now.Add(time.Hour); im.Memberships[0].LeftAt = &t }, "memberships[0].left_at"},
			{"left before joining", func(im *fanclub.Import) { t := now.Add(-60 * 24 * time.Hour); im.Memberships[0].LeftAt = &t }, "memberships[0].left_at"},
			{"joined in 2300", func(im *fanclub.Import) { im.Memberships[0].JoinedAt = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) }, "memberships[0].joined_at"},
			{"negative tenure", func(im *fanclub.Import) { im.Memberships[0].TenureSeconds = -1 }, "memberships[0].tenure_seconds"},
			{"kept progress while active", func(im *fanclub.Import) {
				im.Memberships[0].Status, im.Memberships[0].LeftAt = fanclub.StatusActive, nil
			}, "memberships[0].retained"},
			{"kept negative points", func(im *fanclub.Import) { im.Memberships[0].Retained.Points = -1 }, "memberships[0].retained.points"},
			{"kept with an unknown decay", func(im *fanclub.Import) { im.Memberships[0].Retained.Decay = "halving" }, "memberships[0].retained.decay"},
			{"kept with an unknown restore", func(im *fanclub.Import) { im.Memberships[0].Retained.Restore = "all" }, "memberships[0].retained.restore"},
			{"kept for ever and until", func(im *fanclub.Import) { im.Memberships[0].Retained.Forever = true }, "memberships[0].retained.until"},
		}
		for _, tt := range tests {
			im := goodImport(fan, now)
			tt.change(im)
			_, _, err := e.RecordImport(ctx, im, nil)
			var fe *fanclub.Error
			if !errors.As(err, &fe) || fe.Code != fanclub.EINVALID || len(fe.Fields) != 1 || fe.Fields[0].Path != tt.path ||
				fe.Fields[0].Allowed == "" {
				t.Errorf("%s: %v, want invalid at %s with what is allowed", tt.name, err, tt.path)
			}
		}
		if ims, err := e.ListImports(ctx, fan); err != nil || len(ims) != 0 {
			t.Fatalf("refused imports stored %d (%v)", len(ims), err)
		}

		good := goodImport(fan, now.Add(fanclub.ImportClockSkew).In(time.FixedZone("CST", 8*3600)))
		got, created, err := e.RecordImport(ctx, good, nil)
		if err != nil || !created {
			t.Fatalf("good import: created %v, %v", created, err)
		}
		ims, err := e.ListImports(ctx, fan)
		if err != nil || len(ims) != 1 {
			t.Fatalf("imports = %v, %v", ims, err)
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(ims[0])
		if string(a) != string(b) || ims[0].ExportedAt.Location() != time.UTC {
			t.Errorf("stored import differs from the returned one:\nstored   %s\nreturned %s", b, a)
		}
	})
}

func TestImportableTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		at   time.Time
		want bool
	}{
		{time.Unix(0, 0), false},
		{time.Unix(0, 1), true},
		{time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 11, 20, 4, 0, 0, 0, time.FixedZone("CST", 8*3600)), true},
		{fanclub.ImportTimeMax, true},
		{fanclub.ImportTimeMax.Add(1), false},
		{time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Time{}, false},
	}
	for _, tt := range tests {
		if got := fanclub.ImportableTime(tt.at); got != tt.want {
			t.Errorf("ImportableTime(%v) = %v, want %v", tt.at, got, tt.want)
		}
		if tt.want && time.Unix(0, tt.at.UnixNano()).UTC() != tt.at.UTC() {
			t.Errorf("%v is importable but does not round-trip Unix nanoseconds", tt.at)
		}
	}
	if got := fanclub.ImportTimeMax.Format(time.RFC3339Nano); got != "2262-04-11T23:47:16.854775807Z" {
		t.Errorf("ImportTimeMax = %s, want the bound ImportTimeAllowed names", got)
	}
}

package export_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"fanclub"
	"fanclub/export"
	"fanclub/internal/teststores"
)

func TestExportFromOneStoreImportsIntoTheOther(t *testing.T) {
	t.Parallel()
	if !teststores.Available() {
		t.Skip("needs both stores: set FANCLUB_TEST_POSTGRES_URL")
	}
	pairs := []struct{ name, from, to string }{
		{"sqlite to postgres", "sqlite", "postgres"},
		{"postgres to sqlite", "postgres", "sqlite"},
	}
	open := map[string]teststores.Open{"sqlite": teststores.SQLite.Open, "postgres": teststores.Postgres.Open}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			a, b := newInstance(t, open[p.from], "a"), newInstance(t, open[p.to], "b")
			h := seedHistory(t, a, 4)
			body, _ := exportOf(t, a, h.Fan.ID, fanclub.ExportJSON)
			fan, club := fanAndClubOn(t, b, "fair")
			before := snapshot(t, b, fan.ID)

			im, created, err := export.Import(ctx, bytes.NewReader(body), keyOf(a), b.Engine, fan.ID, map[int64]int64{h.FairClub.ID: club.ID})
			if err != nil || !created {
				t.Fatalf("import: created %v, %v", created, err)
			}
			if im.SourceInstance != "https://a.example" || im.KeyID != a.Signer.Key.ID || im.SourceFanID != h.Fan.ID {
				t.Errorf("provenance = %s %s fan %d", im.SourceInstance, im.KeyID, im.SourceFanID)
			}
			if im.Counts["interactions"] != int64(h.Events) || len(im.Memberships) != 1 {
				t.Errorf("counts %v, memberships %+v", im.Counts, im.Memberships)
			}
			m := im.Memberships[0]
			if m.ClubID != club.ID || m.TenureCounted || m.TenureSeconds <= 0 {
				t.Errorf("membership = %+v: want mapped to %d, tenure not counted (fair: importedTenureCounts false)", m, club.ID)
			}
			// History only: no money, coins or points appeared.
			if after := snapshot(t, b, fan.ID); after != before {
				t.Errorf("balances changed by the import: %+v -> %+v", before, after)
			}
			// The same document again changes nothing.
			if _, created, err := export.Import(ctx, bytes.NewReader(body), keyOf(a), b.Engine, fan.ID, nil); err != nil || created {
				t.Errorf("second import: created %v, %v", created, err)
			}
			// A tampered document is refused and leaves nothing.
			tampered := bytes.Replace(body, []byte(`"action":"like"`), []byte(`"action":"share"`), 1)
			_, _, err = export.Import(ctx, bytes.NewReader(tampered), keyOf(a), b.Engine, fan.ID, nil)
			var de *export.DecodeError
			if !errors.As(err, &de) || de.Path != "signature" {
				t.Errorf("tampered import: %v, want a signature DecodeError", err)
			}
			ims, err := b.Engine.ListImports(ctx, fan.ID)
			if err != nil || len(ims) != 1 {
				t.Errorf("imports = %d (%v), want the first one only", len(ims), err)
			}
		})
	}
}

func TestImportMappingFollowsTheImportingClubsPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := newInstance(t, teststores.SQLite.Open, "a"), newInstance(t, teststores.SQLite.Open, "b")
	h := seedHistory(t, a, 1)
	body, _ := exportOf(t, a, h.Fan.ID, fanclub.ExportJSON)
	fan, _ := fanAndClubOn(t, b, "fair")
	_, douyin := fanAndClubOn(t, b, "douyin")
	tests := []struct {
		name  string
		clubs map[int64]int64
		path  string
	}{
		{"club here refuses imports", map[int64]int64{h.FairClub.ID: douyin.ID}, "clubs." + itoa(h.FairClub.ID)},
		{"no such club here", map[int64]int64{h.FairClub.ID: 999}, "clubs." + itoa(h.FairClub.ID)},
		{"withheld club is not in the export", map[int64]int64{h.Withheld.ID: douyin.ID}, "clubs." + itoa(h.Withheld.ID)},
	}
	for _, tt := range tests {
		_, _, err := export.Import(ctx, bytes.NewReader(body), keyOf(a), b.Engine, fan.ID, tt.clubs)
		var fe *fanclub.Error
		if !errors.As(err, &fe) || fe.Code != fanclub.EINVALID || len(fe.Fields) != 1 || fe.Fields[0].Path != tt.path {
			t.Errorf("%s: %v, want invalid at %s", tt.name, err, tt.path)
		}
	}
	if ims, _ := b.Engine.ListImports(ctx, fan.ID); len(ims) != 0 {
		t.Errorf("refused imports stored %d", len(ims))
	}
}

func TestImportedTenureCountsOnlyWherePolicySays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := newInstance(t, teststores.SQLite.Open, "a"), newInstance(t, teststores.SQLite.Open, "b")
	h := seedHistory(t, a, 1)
	a.Clock.Advance(240 * time.Hour)
	b.Clock.Advance(240 * time.Hour) // b refuses an export dated in its future
	body, _ := exportOf(t, a, h.Fan.ID, fanclub.ExportJSON)
	doc, err := export.Decode(bytes.NewReader(body), keyOf(a))
	if err != nil {
		t.Fatal(err)
	}
	tenure := doc.Header.ExportedAt.Sub(doc.Memberships[0].JoinedAt)
	tests := []struct {
		policy string
		want   time.Duration
	}{
		{"fair", 0},
		{countingPolicy, tenure},
	}
	for _, tt := range tests {
		fan, club := fanAndClubOn(t, b, tt.policy)
		tt := struct {
			club *fanclub.Club
			want time.Duration
		}{club, tt.want}
		got, _, err := b.Engine.RecordImport(ctx, doc.ImportFor(fan.ID), map[int64]int64{h.FairClub.ID: tt.club.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got.Memberships[0].TenureCounted != (tt.want > 0) {
			t.Errorf("%s: tenure counted = %v", tt.club.Policy, got.Memberships[0].TenureCounted)
		}
		if d, err := b.Engine.ImportedTenure(ctx, fan.ID, tt.club.ID); err != nil || d != tt.want {
			t.Errorf("%s: ImportedTenure = %v, %v; want %v", tt.club.Policy, d, err, tt.want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

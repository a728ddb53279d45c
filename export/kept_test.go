package export_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"fanclub"
	"fanclub/export"
	"fanclub/internal/teststores"
)

// csvTable reads one CSV file of a zip export as maps by column.
func csvTable(t *testing.T, body []byte, name string) []map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(zr.File, func(f *zip.File) bool { return f.Name == name })
	if i < 0 {
		t.Fatalf("the zip has no %s", name)
	}
	rc, err := zr.File[i].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	rows, err := csv.NewReader(rc).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for j, col := range rows[0] {
			m[col] = r[j]
		}
		out = append(out, m)
	}
	return out
}

// activities reads the orderedItems of an ActivityStreams export.
func activities(t *testing.T, body []byte) []map[string]any {
	t.Helper()
	var doc struct {
		Items []map[string]any `json:"orderedItems"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return doc.Items
}

// validate checks a JSON export against the published schema.
func validate(t *testing.T, schema *jsonschema.Schema, body []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("export does not match its schema: %v\n%s", err, body)
	}
}

// asJSON renders v for comparing what was returned with what was stored.
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestExportsHoldKeptProgress: after a fair exit that keeps progress,
// every format shows the kept points, level and end, the JSON export
// matches its schema, and an import keeps them as they were.
func TestExportsHoldKeptProgress(t *testing.T) {
	t.Parallel()
	schema := compileSchema(t)
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		ctx := context.Background()
		in := newInstance(t, open, "a")
		fan, club := fanAndClubOn(t, in, "fair")
		if _, err := in.Engine.Join(ctx, fan.ID, club.ID); err != nil {
			t.Fatal(err)
		}
		for range 12 {
			if _, _, err := in.Engine.Interact(ctx, fan.ID, club.ID, fanclub.ActionShare, 1); err != nil {
				t.Fatal(err)
			}
		}
		req, err := in.Engine.RequestExit(ctx, fan.ID, club.ID, map[string]string{"progress": "keep"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.Engine.ConfirmExit(ctx, fan.ID, req.ID, fanclub.ExitAnswers{Confirm: true}); err != nil {
			t.Fatal(err)
		}
		mv, err := in.Engine.Membership(ctx, fan.ID, club.ID)
		if err != nil {
			t.Fatal(err)
		}
		kept := mv.Retained
		if kept == nil || kept.Points <= 0 || mv.RetainedPoints != kept.Points || kept.Until.IsZero() {
			t.Fatalf("the keep exit kept %+v (view: %d points), want points and an end", kept, mv.RetainedPoints)
		}

		body, _ := exportOf(t, in, fan.ID, fanclub.ExportJSON)
		validate(t, schema, body)
		doc, err := export.Decode(bytes.NewReader(body), keyOf(in))
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		got := doc.Memberships[0].Retained
		if got == nil || got.Points != kept.Points || got.Level != kept.Level || got.Until == nil || !got.Until.Equal(kept.Until) ||
			got.Option != kept.Option || got.Restore != kept.Restore || got.Decay != kept.Decay || got.Forever {
			t.Errorf("JSON retained = %+v, want %+v", got, kept)
		}

		zipped, _ := exportOf(t, in, fan.ID, fanclub.ExportCSV)
		ms := csvTable(t, zipped, "memberships.csv")
		if len(ms) != 1 || ms[0]["retained_points"] != itoa(kept.Points) || ms[0]["retained_level"] != itoa(int64(kept.Level)) ||
			ms[0]["retained_until"] != kept.Until.UTC().Format(time.RFC3339Nano) || ms[0]["retained_restore"] != string(kept.Restore) {
			t.Errorf("memberships.csv = %v, want the kept %+v", ms, kept)
		}

		as, _ := exportOf(t, in, fan.ID, fanclub.ExportActivityStreams)
		var leave map[string]any
		for _, a := range activities(t, as) {
			if a["type"] == "Leave" {
				leave = a
			}
		}
		k, _ := leave["fc:retained"].(map[string]any)
		if k == nil || k["fc:points"] != float64(kept.Points) || k["fc:level"] != float64(kept.Level) ||
			k["fc:until"] != kept.Until.UTC().Format(time.RFC3339Nano) {
			t.Errorf("Leave activity = %v, want fc:retained with the kept %+v", leave, kept)
		}

		// An import keeps the progress as history, and reads back what it
		// returned.
		b := newInstance(t, open, "b")
		bFan, bClub := fanAndClubOn(t, b, countingPolicy)
		im, created, err := export.Import(ctx, bytes.NewReader(body), keyOf(in), b.Engine, bFan.ID, map[int64]int64{club.ID: bClub.ID})
		if err != nil || !created {
			t.Fatalf("import: created %v, %v", created, err)
		}
		if r := im.Memberships[0].Retained; r == nil || r.Points != kept.Points || !r.Until.Equal(kept.Until) {
			t.Errorf("imported retained = %+v, want %+v", r, kept)
		}
		ims, err := b.Engine.ListImports(ctx, bFan.ID)
		if err != nil || len(ims) != 1 || asJSON(t, ims[0]) != asJSON(t, im) {
			t.Errorf("stored import differs from the returned one (%v):\n%s\n%s", err, asJSON(t, ims), asJSON(t, im))
		}
	})
}

// TestExportsHoldReceiptsKept: a purge that keeps records (the policy's
// keepInteractionRecords) says how many in every format.
func TestExportsHoldReceiptsKept(t *testing.T) {
	t.Parallel()
	schema := compileSchema(t)
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		ctx := context.Background()
		in := newInstance(t, open, "a")
		fan, club := fanAndClubOn(t, in, keepingPolicy)
		if _, err := in.Engine.Join(ctx, fan.ID, club.ID); err != nil {
			t.Fatal(err)
		}
		for _, a := range []fanclub.Action{fanclub.ActionLike, fanclub.ActionComment, fanclub.ActionShare} {
			in.Clock.Advance(time.Minute)
			if _, _, err := in.Engine.Interact(ctx, fan.ID, club.ID, a, 1); err != nil {
				t.Fatal(err)
			}
		}
		req, err := in.Engine.RequestExit(ctx, fan.ID, club.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.Engine.ConfirmExit(ctx, fan.ID, req.ID, fanclub.ExitAnswers{Confirm: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := in.Engine.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		rs, err := in.Engine.Receipts(ctx, fan.ID)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(rs, func(r fanclub.DeletionReceipt) bool { return r.Category == fanclub.DataBehaviourLog })
		if i < 0 || rs[i].Kept != 2 {
			t.Fatalf("receipts = %+v, want a behaviour-log purge that kept the like and the comment", rs)
		}

		body, _ := exportOf(t, in, fan.ID, fanclub.ExportJSON)
		validate(t, schema, body)
		if !bytes.Contains(body, []byte(`"category":"behaviour_log","action":"erase","count":1,"kept":2,`)) {
			t.Errorf("the JSON export's receipt does not say what was kept: %s", body)
		}
		if _, err := export.Decode(bytes.NewReader(body), keyOf(in)); err != nil {
			t.Errorf("decode: %v", err)
		}
		zipped, _ := exportOf(t, in, fan.ID, fanclub.ExportCSV)
		log := slices.IndexFunc(csvTable(t, zipped, "receipts.csv"), func(r map[string]string) bool {
			return r["category"] == "behaviour_log" && r["count"] == "1" && r["kept"] == "2"
		})
		if log < 0 {
			t.Errorf("receipts.csv = %v, want kept 2 on the log purge", csvTable(t, zipped, "receipts.csv"))
		}
		as, _ := exportOf(t, in, fan.ID, fanclub.ExportActivityStreams)
		found := false
		for _, a := range activities(t, as) {
			if obj, _ := a["object"].(map[string]any); a["type"] == "Delete" && obj["fc:category"] == "behaviour_log" {
				found = obj["fc:kept"] == float64(2)
			}
		}
		if !found {
			t.Errorf("no Delete activity with fc:kept 2: %s", as)
		}
	})
}

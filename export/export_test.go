package export_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"fanclub"
	"fanclub/export"
	"fanclub/internal/teststores"
)

// compileSchema compiles the embedded export schema.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(export.SchemaJSON))
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("export.json", doc); err != nil {
		t.Fatalf("schema: %v", err)
	}
	s, err := c.Compile("export.json")
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return s
}

func TestJSONExportMatchesSchemaAndVerifies(t *testing.T) {
	t.Parallel()
	schema := compileSchema(t)
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		in := newInstance(t, open, "a")
		h := seedHistory(t, in, 7)
		body, res := exportOf(t, in, h.Fan.ID, fanclub.ExportJSON)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("export is not JSON: %v", err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Fatalf("export does not match its schema: %v\n%s", err, body)
		}
		want := map[string]int64{"memberships": 1, "points": 0, "purchases": 2, "subscriptions": 1, "gifts": 1, "interactions": int64(h.Events)}
		for table, n := range want {
			if res.Counts[table] != n {
				t.Errorf("counts[%s] = %d, want %d (all %v)", table, res.Counts[table], n, res.Counts)
			}
		}
		doc, err := export.Decode(bytes.NewReader(body), keyOf(in))
		if err != nil {
			t.Fatalf("decode own export: %v", err)
		}
		if len(doc.Header.Withheld) != 1 || doc.Header.Withheld[0].ClubID != h.Withheld.ID {
			t.Errorf("withheld = %+v, want the douyin club %d only", doc.Header.Withheld, h.Withheld.ID)
		}
		if len(doc.Memberships) != 1 || doc.Memberships[0].ClubID != h.FairClub.ID {
			t.Errorf("memberships = %+v, want the fair club's only", doc.Memberships)
		}
		if _, err := export.VerifySigned(body, in.Signer.Key.Public()); err != nil {
			t.Errorf("VerifySigned: %v", err)
		}

		// After an exit (fair erases progress) the export still matches.
		ctx := context.Background()
		req, err := in.Engine.RequestExit(ctx, h.Fan.ID, h.FairClub.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.Engine.ConfirmExit(ctx, h.Fan.ID, req.ID, fanclub.ExitAnswers{Confirm: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := in.Engine.RunDueJobs(ctx); err != nil {
			t.Fatal(err)
		}
		body, res = exportOf(t, in, h.Fan.ID, fanclub.ExportJSON)
		// fair erases the behaviour log at exit, with a receipt.
		if res.Counts["interactions"] != 0 || res.Counts["receipts"] == 0 {
			t.Errorf("after a fair exit: counts %v, want no interactions and the purge's receipts", res.Counts)
		}
		inst, err = jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Fatalf("export after an exit does not match its schema: %v\n%s", err, body)
		}
		if !bytes.Contains(body, []byte(`"status":"left"`)) {
			t.Errorf("the export after the exit shows no left membership: %s", body)
		}
	})
}

func TestCSVExportIsAZipOfTablesWithASignedManifest(t *testing.T) {
	t.Parallel()
	teststores.Each(t, func(t *testing.T, open teststores.Open) {
		t.Parallel()
		in := newInstance(t, open, "a")
		h := seedHistory(t, in, 3)
		body, _ := exportOf(t, in, h.Fan.ID, fanclub.ExportCSV)
		if _, err := export.VerifyZip(bytes.NewReader(body), int64(len(body)), in.Signer.Key.Public()); err != nil {
			t.Fatalf("VerifyZip: %v", err)
		}
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
			if f.Name != "interactions.csv" {
				continue
			}
			rc, _ := f.Open()
			rows, err := csv.NewReader(rc).ReadAll()
			rc.Close()
			if err != nil {
				t.Fatalf("interactions.csv: %v", err)
			}
			if len(rows) != h.Events+1 || strings.Join(rows[0], ",") != "id,club_id,action,amount,at" {
				t.Errorf("interactions.csv has %d rows (header %v), want a header and %d events", len(rows), rows[0], h.Events)
			}
		}
		want := "memberships.csv points.csv purchases.csv subscriptions.csv gifts.csv interactions.csv receipts.csv manifest.json"
		if got := strings.Join(names, " "); got != want {
			t.Errorf("zip entries = %s, want %s", got, want)
		}
		// A changed CSV file, or a missing manifest, fails the check.
		for name, zipped := range map[string][]byte{
			"changed file":     rezip(t, body, "interactions.csv", func(b []byte) []byte { return bytes.Replace(b, []byte("like"), []byte("LIKE"), 1) }),
			"missing manifest": bytes.ReplaceAll(body, []byte("manifest.json"), []byte("manifest.jsoN")),
		} {
			if _, err := export.VerifyZip(bytes.NewReader(zipped), int64(len(zipped)), in.Signer.Key.Public()); err == nil {
				t.Errorf("%s: the zip verified", name)
			}
		}
	})
}

func TestActivityStreamsExport(t *testing.T) {
	t.Parallel()
	in := newInstance(t, teststores.SQLite.Open, "a")
	h := seedHistory(t, in, 2)
	body, _ := exportOf(t, in, h.Fan.ID, fanclub.ExportActivityStreams)
	if _, err := export.VerifySigned(body, in.Signer.Key.Public()); err != nil {
		t.Fatalf("VerifySigned: %v", err)
	}
	var doc struct {
		Context    []any            `json:"@context"`
		Type       string           `json:"type"`
		Items      []map[string]any `json:"orderedItems"`
		TotalItems int              `json:"totalItems"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	types := map[string]int{}
	for _, it := range doc.Items {
		types[it["type"].(string)]++
		if it["actor"] != "https://a.example/fans/1" {
			t.Errorf("actor = %v", it["actor"])
		}
	}
	if doc.Type != "OrderedCollection" || doc.Context[0] != export.ASContext || doc.TotalItems != len(doc.Items) {
		t.Errorf("collection: type %s, context %v, totalItems %d of %d", doc.Type, doc.Context, doc.TotalItems, len(doc.Items))
	}
	want := map[string]int{"Join": 1, "Like": 2, "Create": 1, "Offer": 2, "fc:Purchase": 2, "fc:Subscribe": 1}
	for k, n := range want {
		if types[k] != n {
			t.Errorf("%d %s activities, want %d (all %v)", types[k], k, n, types)
		}
	}
}

// rezip copies a zip, passing one file's content through change.
func rezip(t *testing.T, body []byte, name string, change func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			b = change(b)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

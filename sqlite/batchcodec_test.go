package sqlite

import (
	"encoding/json"
	"reflect"
	"testing"

	"fanclub"
)

func TestBatchResultCodec(t *testing.T) {
	t.Parallel()
	r := &fanclub.BatchResult{Accepted: 1, Duplicates: 1, Rejected: 1, Results: []fanclub.EventResult{
		{ID: "a", Status: fanclub.EventAccepted, Points: 5},
		{ID: "b", Status: fanclub.EventDuplicate},
		{ID: "c-长", Status: fanclub.EventRejected, Code: fanclub.ERESTRICTED},
	}}
	body := encodeBatchResult(r)
	got, err := decodeBatchResult(body)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, r)
	}
	for i := range body {
		if _, err := decodeBatchResult(body[:i]); err == nil {
			t.Fatalf("truncated body of %d bytes decoded", i)
		}
	}
	js, _ := json.Marshal(r)
	if got, err := decodeBatchResult(js); err != nil || !reflect.DeepEqual(got, r) {
		t.Fatalf("JSON form: %+v, %v", got, err)
	}
	empty := &fanclub.BatchResult{}
	if got, err := decodeBatchResult(encodeBatchResult(empty)); err != nil || !reflect.DeepEqual(got, empty) {
		t.Fatalf("empty result: %+v, %v", got, err)
	}
}

func FuzzDecodeBatchResult(f *testing.F) {
	f.Add(encodeBatchResult(&fanclub.BatchResult{Accepted: 1, Results: []fanclub.EventResult{{ID: "a", Status: fanclub.EventAccepted, Points: 1}}}))
	f.Add([]byte(`{"accepted":1,"results":[{"id":"a","status":"accepted","points":1}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeBatchResult(b)
		if err != nil {
			return
		}
		again, err := decodeBatchResult(encodeBatchResult(r))
		if err != nil || len(again.Results) != len(r.Results) {
			t.Fatalf("re-encoded result decodes to %+v (%v)", again, err)
		}
	})
}

func TestBatchResultCodecRefusesDamagedRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		body string
	}{
		{"non-canonical total", "\x01\x85\x00\x01\x00\x00"},
		{"non-canonical count", "\x01\x00\x00\x00\x80\x00"},
		{"totals without results", "\x01\x01\x00\x00\x00"},
		{"totals disagree with results", "\x01\x00\x01\x00\x01\x00\x01a\x00\x00\x02"},
		{"non-canonical points", "\x01\x01\x00\x00\x01\x00\x01a\x00\x00\x82\x00"},
		{"JSON totals without results", `{"accepted":1}`},
		{"JSON unknown status", `{"accepted":1,"results":[{"id":"a","status":"won"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if r, err := decodeBatchResult([]byte(tc.body)); err == nil {
				t.Fatalf("decoded to %+v, want an error", r)
			}
		})
	}
	// The same bodies in shortest form decode.
	for _, body := range []string{"\x01\x00\x00\x00\x00", "\x01\x01\x00\x00\x01\x00\x01a\x00\x00\x02"} {
		if _, err := decodeBatchResult([]byte(body)); err != nil {
			t.Fatalf("%q: %v", body, err)
		}
	}
}

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
	f.Add([]byte(`{"accepted":1}`))
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

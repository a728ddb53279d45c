package stream_test

import (
	"encoding/json"
	"strings"
	"testing"

	"fanclub"
	"fanclub/stream"
)

func TestDecodeBatchRefusesWhatTheHTTPAPIRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, path, message string
	}{
		{"empty", "  ", "", "empty message"},
		{"malformed", `{"events":[`, "", "malformed JSON"},
		{"not an object", `[{"events":[]}]`, "", "not a JSON object"},
		{"null", `null`, "", "not a JSON object"},
		{"two objects", `{"events":[]} {"events":[]}`, "", "data after the JSON object"},
		{"duplicate member", `{"events":[],"events":[]}`, "events", "duplicate member"},
		{"duplicate event member", `{"events":[{"id":"a","id":"b"}]}`, "events[0].id", "duplicate member"},
		{"unknown member", `{"events":[],"colour":1}`, "colour", "unknown field"},
		{"unknown event member", `{"events":[{"id":"a","actor":1}]}`, "events[0].actor", "unknown field"},
		{"producer", `{"producer":"p","events":[]}`, "producer", "not allowed in a stream message: the stream gives the batch its producer and seq"},
		{"seq", `{"seq":4,"events":[]}`, "seq", "not allowed in a stream message: the stream gives the batch its producer and seq"},
		{"wrong type", `{"events":[{"id":"a","fan_id":"7"}]}`, "events[0].fan_id", "wrong type"},
		{"integer too large", `{"events":[{"id":"a","amount":99999999999999999999}]}`, "events[0].amount", "wrong type"},
		{"fraction", `{"events":[{"id":"a","fan_id":1.5}]}`, "events[0].fan_id", "wrong type"},
		{"bad time", `{"events":[{"id":"a","at":"yesterday"}]}`, "", "invalid value"},
		{"events not an array", `{"events":{"id":"a"}}`, "events", "wrong type"},
		{"too deep", `{"events":[` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `]}`, "", "malformed JSON"},
		{"too large", `{"events":[],"x":"` + strings.Repeat("a", stream.MaxMessageBytes) + `"}`, "", "message too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := stream.DecodeBatch([]byte(tc.body))
			if fanclub.ErrorCode(err) != fanclub.EINVALID {
				t.Fatalf("error %v, want invalid", err)
			}
			fields := fanclub.ErrorFields(err)
			if len(fields) == 0 || fields[0].Path != tc.path || fields[0].Message != tc.message {
				t.Errorf("fields %+v, want path %q message %q", fields, tc.path, tc.message)
			}
		})
	}
}

func TestDecodeBatchReadsTheBatchJSON(t *testing.T) {
	t.Parallel()
	b, err := stream.DecodeBatch([]byte(`{"events":[{"id":"e1","fan_id":1,"club_id":2,"action":"gift","amount":3,"at":"2026-01-02T03:04:05Z"},{"id":"e2","fan_id":1,"club_id":2,"action":"like"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Events) != 2 || b.Producer != "" || b.Seq != 0 {
		t.Fatalf("batch %+v", b)
	}
	e := b.Events[0]
	if e.ID != "e1" || e.FanID != 1 || e.ClubID != 2 || e.Action != fanclub.ActionGift || e.Amount != 3 || e.At == nil || e.At.Year() != 2026 {
		t.Errorf("event %+v", e)
	}
}

// FuzzDecodeBatch feeds arbitrary message bodies to DecodeBatch: it never
// panics, refuses with EINVALID and a field path or returns a batch
// without a key, and a batch it returns survives a JSON round trip.
func FuzzDecodeBatch(f *testing.F) {
	f.Add([]byte(`{"events":[{"id":"e1","fan_id":1,"club_id":2,"action":"gift","amount":3}]}`))
	f.Add([]byte(`{"events":[{"id":"e1","at":"2026-01-02T03:04:05Z"}],"events":[]}`))
	f.Add([]byte(`{"producer":"p","seq":1,"events":null}`))
	f.Add([]byte(`{"events":[{"id":"a","fan_id":99999999999999999999}]}`))
	f.Add([]byte(`[[[[{}]]]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := stream.DecodeBatch(data)
		if err != nil {
			if fanclub.ErrorCode(err) != fanclub.EINVALID || len(fanclub.ErrorFields(err)) == 0 {
				t.Fatalf("error %v: want invalid with fields", err)
			}
			return
		}
		if b.Producer != "" || b.Seq != 0 {
			t.Fatalf("decoded a key: %+v", b)
		}
		again, err := json.Marshal(map[string]any{"events": b.Events})
		if err != nil {
			t.Fatal(err)
		}
		b2, err := stream.DecodeBatch(again)
		if err != nil {
			t.Fatalf("re-encoded batch refused: %v\n%s", err, again)
		}
		if len(b2.Events) != len(b.Events) {
			t.Fatalf("round trip changed the events: %d, then %d", len(b.Events), len(b2.Events))
		}
	})
}

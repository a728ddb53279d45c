package sqlite

import (
	"testing"
	"time"

	"fanclub"
)

// scanned is what scanEvents reports of one event.
type scanned struct {
	id            string
	fan, club, at int64
}

// scanAll collects what scanEvents reports of a body.
func scanAll(format int, body []byte) ([]scanned, error) {
	var out []scanned
	_, err := scanEvents(format, body, nil, func(id []byte, fan, club, at int64) {
		out = append(out, scanned{string(id), fan, club, at})
	})
	return out, err
}

// TestScanEventsAgreesWithDecode scans bodies of both formats, whole and
// truncated: the scan reports the events decodeEvents builds, and refuses
// what it refuses.
func TestScanEventsAgreesWithDecode(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 1, 2, 3, 4, time.UTC)
	evs := []fanclub.Event{
		{ID: "ev-000123", FanID: 1, ClubID: 2, Action: fanclub.ActionLike, Amount: 1, At: at},
		{ID: "ev-000124", FanID: 1 << 40, ClubID: 7, Action: "custom", Amount: 30, At: at.Add(time.Hour)},
		{ID: "other", FanID: 3, ClubID: 7, Action: fanclub.ActionShare, Amount: 2, At: at.Add(-time.Hour)},
	}
	body := encodeEvents(evs)
	tests := []struct {
		name   string
		format int
		body   []byte
	}{
		{"binary", logFormatBinary, body},
		{"JSON", logFormatJSON, []byte(`[["a",1,2,"like",1,5],["b",3,4,"share",2,-7]]`)},
		{"empty", logFormatBinary, encodeEvents(nil)},
		{"trailing byte", logFormatBinary, append(append([]byte{}, body...), 0)},
		{"unknown format", 9, body},
	}
	for i := range body {
		tests = append(tests, struct {
			name   string
			format int
			body   []byte
		}{"truncated", logFormatBinary, body[:i]})
	}
	for _, tc := range tests {
		checkScanAgrees(t, tc.name, tc.format, tc.body)
	}
}

// checkScanAgrees fails the test unless scanEvents and decodeEvents agree
// on body.
func checkScanAgrees(t *testing.T, name string, format int, body []byte) {
	t.Helper()
	evs, derr := decodeEvents(format, body)
	got, serr := scanAll(format, body)
	if (derr == nil) != (serr == nil) {
		t.Fatalf("%s: decode error %v, scan error %v", name, derr, serr)
	}
	if derr != nil {
		return
	}
	if len(got) != len(evs) {
		t.Fatalf("%s: scanned %d events, decoded %d", name, len(got), len(evs))
	}
	for i, e := range evs {
		if want := (scanned{e.ID, e.FanID, e.ClubID, ts(e.At)}); got[i] != want {
			t.Fatalf("%s: event %d scanned as %+v, decoded as %+v", name, i, got[i], want)
		}
	}
}

// FuzzScanEvents checks that scanning and decoding agree on any body.
func FuzzScanEvents(f *testing.F) {
	f.Add(0, []byte(`[["a",1,2,"like",1,0]]`))
	f.Add(1, encodeEvents([]fanclub.Event{{ID: "x-1", FanID: 1, ClubID: 1, Action: "like", Amount: 1}, {ID: "x-2", FanID: 2, ClubID: 1, Action: "c", Amount: 1}}))
	f.Fuzz(func(t *testing.T, format int, b []byte) {
		checkScanAgrees(t, "fuzzed", format, b)
	})
}

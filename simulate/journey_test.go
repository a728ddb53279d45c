package simulate_test

import (
	"strings"
	"testing"
	"time"

	"fanclub"
	"fanclub/simulate"
)

// journeyText wraps steps in a journey object starting at a fixed time.
func journeyText(steps string) string {
	return `{"policy": "douyin", "start": "2026-03-02T09:00:00+08:00", "steps": [` + steps + `]}`
}

func TestParseJourneyResolvesTimesAndDefaults(t *testing.T) {
	t.Parallel()
	j, err := simulate.ParseJourney(strings.NewReader(journeyText(`
		{"at": "+0s", "fan": "alice", "club": "c1", "do": "join"},
		{"at": "+1d2h", "fan": "alice", "club": "c1", "do": "interact", "action": "like"},
		{"fan": "alice", "club": "c1", "do": "inspect"},
		{"at": "2026-03-04T00:00:00Z", "fan": "alice", "club": "c1", "do": "exit", "choices": {"progress": "retain"}}`)))
	if err != nil {
		t.Fatalf("ParseJourney: %v", err)
	}
	if j.Policy != "douyin" || j.Seed != simulate.DefaultSeed || len(j.Steps) != 4 {
		t.Fatalf("journey = %+v", j)
	}
	start := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	wants := []time.Time{start, start.Add(26 * time.Hour), start.Add(26 * time.Hour), time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)}
	for i, want := range wants {
		if !j.Steps[i].At.Equal(want) {
			t.Errorf("steps[%d].At = %s, want %s", i, j.Steps[i].At, want)
		}
	}
	if j.Steps[1].Amount != 1 {
		t.Errorf("amount default = %d, want 1", j.Steps[1].Amount)
	}
	if _, off := j.Steps[3].At.Zone(); off != 8*3600 {
		t.Errorf("absolute time not in the journey's offset: %s", j.Steps[3].At)
	}
}

func TestParseJourneyDefaultPolicyIsFair(t *testing.T) {
	t.Parallel()
	j, err := simulate.ParseJourney(strings.NewReader(`{"start": "2026-03-02T09:00:00Z", "steps": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if j.Policy != "fair" {
		t.Errorf("policy = %q, want fair", j.Policy)
	}
}

func TestParseJourneyErrorsNameTheField(t *testing.T) {
	t.Parallel()
	step := `{"at": "+0s", "fan": "alice", "club": "c1", "do": "join"}`
	tests := []struct {
		name, text, path, message string
	}{
		{"bad JSON", `{"start": `, "journey", "bad JSON"},
		{"syntax", `{"start": "x",, }`, "journey", "bad JSON"},
		{"trailing data", `{"start": "2026-03-02T09:00:00Z", "steps": []} {}`, "journey", "unexpected data"},
		{"unknown top field", `{"start": "2026-03-02T09:00:00Z", "steps": [], "colour": 1}`, "colour", "unknown field"},
		{"duplicate top field", `{"start": "2026-03-02T09:00:00Z", "steps": [], "start": "2026-03-03T09:00:00Z"}`, "start", "duplicate member"},
		{"duplicate step field", journeyText(step + `, {"at": "+1s", "fan": "alice", "club": "c1", "do": "join", "fan": "bob"}`), "steps[1].fan", "duplicate member"},
		{"duplicate choice", journeyText(`{"at": "+0s", "fan": "alice", "club": "c1", "do": "exit", "choices": {"paid": "a", "paid": "b"}}`), "steps[0].choices.paid", "duplicate member"},
		{"missing start", `{"steps": []}`, "start", "missing start"},
		{"bad start", `{"start": "tomorrow", "steps": []}`, "start", "bad time"},
		{"missing steps", `{"start": "2026-03-02T09:00:00Z"}`, "steps", "missing steps"},
		{"steps not a list", `{"start": "2026-03-02T09:00:00Z", "steps": {}}`, "steps", "wrong type"},
		{"unknown step field", journeyText(step + `, {"at": "+1s", "fan": "alice", "club": "c1", "do": "join", "when": 1}`), "steps[1].when", "unknown field"},
		{"bad at", journeyText(step + `, ` + step + `, ` + step + `, {"at": "+1x", "fan": "alice", "club": "c1", "do": "join"}`), "steps[3].at", "bad duration"},
		{"bad absolute at", journeyText(`{"at": "2026-13-02T09:00:00Z", "fan": "alice", "club": "c1", "do": "join"}`), "steps[0].at", "bad time"},
		{"negative at", journeyText(`{"at": "-1s", "fan": "alice", "club": "c1", "do": "join"}`), "steps[0].at", "negative offset"},
		{"time goes back", journeyText(`{"at": "+1h", "fan": "alice", "club": "c1", "do": "join"}, {"at": "+59m", "fan": "alice", "club": "c1", "do": "inspect"}`), "steps[1].at", "time goes back"},
		{"before start", journeyText(`{"at": "2026-03-02T00:59:59Z", "fan": "alice", "club": "c1", "do": "join"}`), "steps[0].at", "time goes back"},
		{"unknown do", journeyText(`{"at": "+0s", "fan": "alice", "club": "c1", "do": "leave"}`), "steps[0].do", "unknown step kind"},
		{"missing do", journeyText(`{"at": "+0s", "fan": "alice", "club": "c1"}`), "steps[0].do", "unknown step kind"},
		{"missing fan", journeyText(`{"at": "+0s", "club": "c1", "do": "join"}`), "steps[0].fan", "missing fan"},
		{"bad fan", journeyText(`{"at": "+0s", "fan": "Al", "club": "c1", "do": "join"}`), "steps[0].fan", "bad fan name"},
		{"missing club", journeyText(`{"at": "+0s", "fan": "alice", "do": "join"}`), "steps[0].club", "missing club"},
		{"amount type", journeyText(`{"at": "+0s", "fan": "alice", "club": "c1", "do": "interact", "action": "like", "amount": "2"}`), "steps[0].amount", "wrong type"},
		{"zero amount", journeyText(`{"at": "+0s", "fan": "alice", "club": "c1", "do": "interact", "action": "like", "amount": 0}`), "steps[0].amount", "bad amount"},
		{"missing action", journeyText(`{"at": "+0s", "fan": "alice", "club": "c1", "do": "interact"}`), "steps[0].action", "missing action"},
		{"missing report action", journeyText(`{"at": "+0s", "fan": "alice", "club": "c1", "do": "report"}`), "steps[0].action", "missing action for report"},
		{"watch too long", journeyText(`{"at": "+0s", "fan": "alice", "club": "c1", "do": "interact", "action": "watch_minutes", "amount": 100000000000}`), "steps[0].amount", "allowed: 1 to 1440 minutes"},
		{"gift too large", journeyText(`{"at": "+0s", "fan": "alice", "club": "c1", "do": "report", "action": "gift", "amount": 100001}`), "steps[0].amount", "allowed: 1 to 100000 coins"},
		{"action on join", journeyText(`{"at": "+0s", "fan": "alice", "club": "c1", "do": "join", "action": "like"}`), "steps[0].action", "only for interact"},
		{"choices on join", journeyText(`{"at": "+0s", "fan": "alice", "club": "c1", "do": "join", "choices": {}}`), "steps[0].choices", "only for exit"},
		{"format on join", journeyText(`{"at": "+0s", "fan": "alice", "club": "c1", "do": "join", "format": "csv"}`), "steps[0].format", "only for export"},
		{"bad export format", journeyText(`{"at": "+0s", "fan": "alice", "club": "c1", "do": "export", "format": "xml"}`), "steps[0].format", "bad format"},
		{"policy changed", journeyText(`{"at": "+0s", "fan": "alice", "club": "c1", "do": "join", "policy": "fair"}, {"at": "+0s", "fan": "bob", "club": "c1", "do": "join", "policy": "douyin"}`), "steps[1].policy", "already runs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			j, err := simulate.ParseJourney(strings.NewReader(tt.text))
			if err == nil {
				t.Fatalf("ParseJourney = %+v, want an error", j)
			}
			if fanclub.ErrorCode(err) != fanclub.EINVALID {
				t.Fatalf("code = %q, want invalid: %v", fanclub.ErrorCode(err), err)
			}
			for _, f := range fanclub.ErrorFields(err) {
				if f.Path == tt.path && strings.Contains(f.Message, tt.message) {
					return
				}
			}
			t.Errorf("errors %q lack %s: %s", simulate.FormatError(err), tt.path, tt.message)
		})
	}
}

func TestFormatErrorShowsPathFoundAndMessage(t *testing.T) {
	t.Parallel()
	_, err := simulate.ParseJourney(strings.NewReader(journeyText(`{"at": "+1x", "fan": "alice", "club": "c1", "do": "join"}`)))
	got := simulate.FormatError(err)
	if !strings.HasPrefix(got, `steps[0].at: "+1x": bad duration`) {
		t.Errorf("FormatError = %q", got)
	}
}

func FuzzParseJourney(f *testing.F) {
	f.Add([]byte(journeyText(`{"at": "+0s", "fan": "alice", "club": "c1", "do": "join"}`)))
	f.Add([]byte(journeyText(`{"at": "+1d2h", "fan": "alice", "club": "c1", "do": "exit", "choices": {"progress": "keep"}}`)))
	f.Add([]byte(journeyText(`{"at": "2026-03-02T09:00:00Z", "fan": "bob", "club": "c2", "do": "interact", "action": "like", "amount": 3}`)))
	f.Add([]byte(journeyText(`{"fan": "kid", "club": "c1", "do": "set_age", "birth_date": "2010-12-01", "method": "identity"}`)))
	f.Add([]byte(journeyText(`{"fan": "kid", "club": "c1", "do": "guardian_refund", "guardian": "mum", "document": {"name": "d", "notary": "n"}}`)))
	f.Add([]byte(`{"start": "x", "steps": [1, "a", null, {}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := simulate.ParseJourney(strings.NewReader(string(data)))
		if err != nil {
			if fanclub.ErrorCode(err) != fanclub.EINVALID || len(fanclub.ErrorFields(err)) == 0 {
				t.Fatalf("error without fields: %v", err)
			}
			return
		}
		for i, st := range j.Steps {
			if i > 0 && st.At.Before(j.Steps[i-1].At) {
				t.Fatalf("steps[%d] goes back in time", i)
			}
			if st.At.Before(j.Start) || !fanclub.ValidHandle(st.Fan) || st.Club == "" || st.Amount < 1 {
				t.Fatalf("invalid step accepted: %+v", st)
			}
		}
	})
}

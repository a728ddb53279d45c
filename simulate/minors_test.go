package simulate_test

import (
	"strings"
	"testing"

	"fanclub"
	"fanclub/simulate"
)

func TestParseMinorsSteps(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, step, path string
	}{
		{"set_age without a date", `{"fan": "kid", "club": "c1", "do": "set_age", "method": "identity"}`, "steps[0].birth_date"},
		{"bad date", `{"fan": "kid", "club": "c1", "do": "set_age", "birth_date": "2010-02-30", "method": "identity"}`, "steps[0].birth_date"},
		{"bad method", `{"fan": "kid", "club": "c1", "do": "set_age", "birth_date": "2010-02-01", "method": "passport"}`, "steps[0].method"},
		{"method elsewhere", `{"fan": "kid", "club": "c1", "do": "join", "method": "identity"}`, "steps[0].method"},
		{"link without a guardian", `{"fan": "kid", "club": "c1", "do": "link_guardian"}`, "steps[0].guardian"},
		{"own guardian", `{"fan": "kid", "club": "c1", "do": "link_guardian", "guardian": "kid"}`, "steps[0].guardian"},
		{"unknown side", `{"fan": "kid", "club": "c1", "do": "unlink_guardian", "by": "judge"}`, "steps[0].by"},
		{"approve without an operator", `{"fan": "kid", "club": "c1", "do": "approve_refund"}`, "steps[0].operator"},
		{"document elsewhere", `{"fan": "kid", "club": "c1", "do": "guardian_exit", "guardian": "mum", "document": {"name": "x"}}`, "steps[0].document"},
	} {
		_, err := simulate.ParseJourney(strings.NewReader(journeyText(tc.step)))
		fields := fanclub.ErrorFields(err)
		if fanclub.ErrorCode(err) != fanclub.EINVALID || len(fields) != 1 || fields[0].Path != tc.path {
			t.Errorf("%s: %v %+v", tc.name, err, fields)
		}
	}
	j, err := simulate.ParseJourney(strings.NewReader(`{"start": "2026-03-02T09:00:00+08:00", "age_gate": true, "steps": [
		{"fan": "kid", "club": "c1", "do": "guardian_refund", "guardian": "mum", "document": {"name": "d.pdf", "notary": "N"}}]}`))
	if err != nil || !j.AgeGate || j.Steps[0].Minors.Guardian != "mum" || j.Steps[0].Minors.Document.Notary != "N" {
		t.Fatalf("parse: %v %+v", err, j)
	}
}

package simulate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/simulate"
)

// runText parses and runs a journey text on a store from open and returns its output lines.
func runText(t *testing.T, open teststores.Open, text string) ([]map[string]any, error) {
	t.Helper()
	j, err := simulate.ParseJourney(strings.NewReader(text))
	if err != nil {
		t.Fatalf("ParseJourney: %v", err)
	}
	var out bytes.Buffer
	err = simulate.RunOn(context.Background(), opener(t, open), j, newRegistry(t), &out)
	return decodeLines(t, out.Bytes()), err
}

// decodeLines decodes JSON lines.
func decodeLines(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("bad output line %s: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

// field reads a dotted path ("membership.level", "effects.0.kind") from a line.
func field(line map[string]any, path string) any {
	var v any = line
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := 0
			for _, c := range k {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func TestRunUnknownPolicyIsInvalidBeforeAnyOutput(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testRunUnknownPolicyIsInvalidBeforeAnyOutput)
}

func testRunUnknownPolicyIsInvalidBeforeAnyOutput(t *testing.T, open teststores.Open) {
	t.Parallel()
	lines, err := runText(t, open, `{"policy": "nosuch", "start": "2026-03-02T09:00:00Z", "steps": [
		{"at": "+0s", "fan": "alice", "club": "c1", "do": "join"},
		{"at": "+0s", "fan": "alice", "club": "c2", "do": "join", "policy": "other"}]}`)
	if fanclub.ErrorCode(err) != fanclub.EINVALID {
		t.Fatalf("err = %v, want invalid", err)
	}
	paths := []string{}
	for _, f := range fanclub.ErrorFields(err) {
		paths = append(paths, f.Path)
	}
	if strings.Join(paths, ",") != "policy,steps[1].policy" {
		t.Errorf("paths = %v", paths)
	}
	if len(lines) != 0 {
		t.Errorf("output before the error: %v", lines)
	}
}

func TestRunRefusedStepsAreOutputNotErrors(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testRunRefusedStepsAreOutputNotErrors)
}

func testRunRefusedStepsAreOutputNotErrors(t *testing.T, open teststores.Open) {
	t.Parallel()
	lines, err := runText(t, open, `{"start": "2026-03-02T09:00:00Z", "steps": [
		{"at": "+0s", "fan": "alice", "club": "c1", "do": "interact", "action": "like"},
		{"at": "+0s", "fan": "alice", "club": "c1", "do": "join"},
		{"at": "+0s", "fan": "alice", "club": "c1", "do": "join"},
		{"at": "+1s", "fan": "alice", "club": "c1", "do": "interact", "action": "dance"},
		{"at": "+2s", "fan": "alice", "club": "c1", "do": "exit", "choices": {"mood": "sad"}},
		{"at": "+3s", "fan": "alice", "club": "c1", "do": "subscribe", "tier": "vip", "plan": "monthly"},
		{"at": "+4s", "fan": "alice", "club": "c1", "do": "revoke_agreement"}]}`)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []struct {
		ok   bool
		code string
	}{{false, "not_member"}, {true, ""}, {false, "already_member"}, {false, "invalid"}, {false, "invalid"}, {true, ""}, {false, "invalid"}}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d", len(lines), len(want))
	}
	for i, w := range want {
		if field(lines[i], "ok") != w.ok || w.code != "" && field(lines[i], "error.code") != w.code {
			t.Errorf("line %d: ok=%v error=%v, want ok=%v code=%q", i, field(lines[i], "ok"), field(lines[i], "error"), w.ok, w.code)
		}
	}
	if msg, _ := field(lines[6], "error.message").(string); !strings.Contains(msg, "cancel_renewal") {
		t.Errorf("revoke_agreement without an agreement: %q does not name cancel_renewal", msg)
	}
	if got := field(lines[0], "membership.status"); got != "none" {
		t.Errorf("never joined: status %v, want none", got)
	}
}

func TestRunIsDeterministic(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testRunIsDeterministic)
}

func testRunIsDeterministic(t *testing.T, open teststores.Open) {
	t.Parallel()
	text := `{"policy": "kuaishou", "seed": 7, "start": "2026-03-02T09:00:00Z", "steps": [
		{"at": "+0s", "fan": "alice", "club": "c1", "do": "join"},
		{"at": "+1s", "fan": "alice", "club": "c1", "do": "exit"}]}`
	a, err := runText(t, open, text)
	if err != nil {
		t.Fatal(err)
	}
	b, err := runText(t, open, text)
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("two runs differ:\n%s\n%s", ja, jb)
	}
}

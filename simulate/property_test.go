package simulate_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"fanclub/internal/teststores"
	"fanclub/simulate"
)

// randomJourney draws a journey of random steps by two fans in two clubs,
// each club under a random preset, with random gaps of up to 9 days.
func randomJourney(t *rapid.T) string {
	presets := []string{"wechat-channels", "douyin", "kuaishou", "fair"}
	policies := map[string]string{
		"c1": rapid.SampledFrom(presets).Draw(t, "policy_c1"),
		"c2": rapid.SampledFrom(presets).Draw(t, "policy_c2"),
	}
	n := rapid.IntRange(1, 25).Draw(t, "steps")
	var steps []string
	offset := 0
	seen := map[string]bool{}
	for i := range n {
		offset += rapid.SampledFrom([]int{0, 1, 59, 3600, 86399, 86400, 259200, 777600}).Draw(t, fmt.Sprintf("gap%d", i))
		fan := rapid.SampledFrom([]string{"alice", "bob"}).Draw(t, fmt.Sprintf("fan%d", i))
		club := rapid.SampledFrom([]string{"c1", "c2"}).Draw(t, fmt.Sprintf("club%d", i))
		do := rapid.SampledFrom([]string{"join", "join", "interact", "interact", "exit", "exit_request", "inspect"}).Draw(t, fmt.Sprintf("do%d", i))
		extra := ""
		switch do {
		case "interact":
			action := rapid.SampledFrom([]string{"watch_minutes", "like", "comment", "share", "gift"}).Draw(t, fmt.Sprintf("action%d", i))
			amount := rapid.IntRange(1, 80).Draw(t, fmt.Sprintf("amount%d", i))
			extra = fmt.Sprintf(`, "action": %q, "amount": %d`, action, amount)
		case "exit":
			if policies[club] == "fair" && rapid.Bool().Draw(t, fmt.Sprintf("keep%d", i)) {
				extra = `, "choices": {"progress": "keep"}`
			}
		}
		if !seen[club] {
			extra += fmt.Sprintf(`, "policy": %q`, policies[club])
			seen[club] = true
		}
		steps = append(steps, fmt.Sprintf(`{"at": "+%ds", "fan": %q, "club": %q, "do": %q%s}`, offset, fan, club, do, extra))
	}
	return `{"start": "2026-03-02T21:30:00+08:00", "steps": [` + strings.Join(steps, ",\n") + `]}`
}

// TestRandomJourneysKeepEveryPreviewPromise runs random journeys: every
// confirmed exit must do what its preview showed (Run checks it and fails
// otherwise), and every step prints exactly one line.
func TestRandomJourneysKeepEveryPreviewPromise(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testRandomJourneysKeepEveryPreviewPromise)
}

func testRandomJourneysKeepEveryPreviewPromise(t *testing.T, open teststores.Open) {
	t.Parallel()
	reg := newRegistry(t)
	open = teststores.Sequential(t, open)
	rapid.Check(t, func(t *rapid.T) {
		text := randomJourney(t)
		j, err := simulate.ParseJourney(strings.NewReader(text))
		if err != nil {
			t.Fatalf("ParseJourney: %v\n%s", err, text)
		}
		var out bytes.Buffer
		if err := simulate.RunOn(context.Background(), opener(t, open), j, reg, &out); err != nil {
			t.Fatalf("Run: %v\n%s", err, text)
		}
		if got := bytes.Count(out.Bytes(), []byte("\n")); got != len(j.Steps) {
			t.Fatalf("%d lines for %d steps", got, len(j.Steps))
		}
	})
}

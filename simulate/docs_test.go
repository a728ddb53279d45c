package simulate_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fanclub/simulate"
)

// fencedBlock returns the body of the first ``` block of the given
// language after marker in doc.
func fencedBlock(t *testing.T, doc, marker, lang string) string {
	t.Helper()
	i := strings.Index(doc, marker)
	if i < 0 {
		t.Fatalf("docs/journeys.md lacks %q", marker)
	}
	rest := doc[i:]
	open := "```" + lang + "\n"
	j := strings.Index(rest, open)
	if j < 0 {
		t.Fatalf("no %s block after %q", lang, marker)
	}
	body := rest[j+len(open):]
	k := strings.Index(body, "```")
	if k < 0 {
		t.Fatalf("unterminated %s block", lang)
	}
	return body[:k]
}

// TestDocsExampleOutput runs the example of docs/journeys.md and checks the
// output shown there.
func TestDocsExampleOutput(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "docs", "journeys.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	j, err := simulate.ParseJourney(strings.NewReader(fencedBlock(t, doc, "## Example", "json")))
	if err != nil {
		t.Fatalf("example journey: %v", err)
	}
	var out bytes.Buffer
	if err := simulate.Run(context.Background(), j, newRegistry(t), &out); err != nil {
		t.Fatal(err)
	}
	if want := fencedBlock(t, doc, "## Example", "jsonl"); out.String() != want {
		t.Errorf("docs/journeys.md example output is stale; got:\n%s", out.String())
	}
	for _, kind := range []string{"join", "interact", "report", "exit", "exit_request", "inspect", "buy_coins", "gift", "decline_payments", "accept_payments", "subscribe", "cancel_renewal", "revoke_agreement",
		"set_age", "link_guardian", "unlink_guardian", "guardian_exit", "guardian_refund", "approve_refund", "fail_face_checks", "pass_face_checks", "login", "follow", "unfollow", "export",
		"settle", "release_hold", "void_hold", "close_review"} {
		if !strings.Contains(doc, "| `"+kind+"` |") {
			t.Errorf("docs/journeys.md does not describe do %q", kind)
		}
	}
}

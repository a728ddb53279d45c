package simulate_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fanclub"
	"fanclub/internal/teststores"
	"fanclub/policyfile"
	"fanclub/simulate"
)

var update = flag.Bool("update", false, "rewrite the golden outputs of the journeys in testdata/journeys")

// newRegistry returns a registry of the shipped presets and of the
// policies in testdata/policies.
func newRegistry(t *testing.T) *policyfile.Registry {
	t.Helper()
	reg, err := policyfile.NewRegistry()
	if err != nil {
		t.Fatalf("NewRegistry: %v", err)
	}
	// The journeys' own policies (fair-eu: fair outside CN).
	if _, err := reg.LoadDir(filepath.Join("testdata", "policies")); err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	return reg
}

// opener adapts a test's store opener to simulate.OpenStore.
func opener(t teststores.T, open teststores.Open) simulate.OpenStore {
	return func(_ context.Context, now func() time.Time) (fanclub.Store, error) {
		return open(t, now), nil
	}
}

// runJourneyFile parses and runs a journey file on a store from open and returns its output.
func runJourneyFile(t *testing.T, open teststores.Open, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	j, err := simulate.ParseJourney(f)
	if err != nil {
		t.Fatalf("ParseJourney(%s): %v", path, err)
	}
	var out bytes.Buffer
	if err := simulate.RunOn(context.Background(), opener(t, open), j, newRegistry(t), &out); err != nil {
		t.Fatalf("Run(%s): %v", path, err)
	}
	return out.Bytes()
}

// TestGoldenJourneys runs every journey in testdata/journeys and compares
// its output with the .golden file next to it (go test -update rewrites them).
func TestGoldenJourneys(t *testing.T) {
	t.Parallel()
	teststores.Each(t, testGoldenJourneys)
}

func testGoldenJourneys(t *testing.T, open teststores.Open) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "journeys", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no journeys in testdata/journeys")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			got := runJourneyFile(t, open, path)
			golden := strings.TrimSuffix(path, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run go test ./simulate -update): %v", err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
				for i := 0; i < len(gl) || i < len(wl); i++ {
					var g, w string
					if i < len(gl) {
						g = gl[i]
					}
					if i < len(wl) {
						w = wl[i]
					}
					if g != w {
						t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s", golden, i+1, g, w)
					}
				}
			}
		})
	}
}

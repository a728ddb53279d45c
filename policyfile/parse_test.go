package policyfile

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fanclub"
)

var update = flag.Bool("update", false, "rewrite golden files and the committed JSON Schema")

// TestParseBadFilesGolden checks the rendered errors of every file under
// testdata/bad against its .golden file.
func TestParseBadFilesGolden(t *testing.T) {
	t.Parallel()
	files := badFiles(t)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.ToSlash(file)
			p, err := Parse(name, data)
			if err == nil {
				t.Fatalf("Parse(%s) = %s, want errors", name, p.Metadata.Name)
			}
			if code := fanclub.ErrorCode(err); code != fanclub.EINVALID {
				t.Fatalf("code = %q, want %q: %v", code, fanclub.EINVALID, err)
			}
			got := FormatErrors(name, err)
			checkGolden(t, file+".golden", got)
		})
	}
}

// TestParseThreeMistakes pins the example file with exactly three mistakes.
func TestParseThreeMistakes(t *testing.T) {
	t.Parallel()
	_, err := ParseFile(filepath.Join("testdata", "bad", "three-mistakes.yaml"))
	fields := fanclub.ErrorFields(err)
	want := []struct {
		path       string
		line, col  int
		msgContain string
	}{
		{"engagement.levels[3]", 32, 25, "strictly increase"},
		{"exit.showImpact", 55, 3, "unknown field"},
		{"revenue.creatorShare", 146, 17, "ratio out of range"},
	}
	if len(fields) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%s", len(fields), len(want), FormatErrors("f", err))
	}
	for i, w := range want {
		f := fields[i]
		if f.Path != w.path || f.Line != w.line || f.Column != w.col || !strings.Contains(f.Message, w.msgContain) {
			t.Errorf("error %d = %+v, want %s at %d:%d (%s)", i, f, w.path, w.line, w.col, w.msgContain)
		}
	}
	if msg := fanclub.ErrorMessage(err); !strings.HasSuffix(msg, "three-mistakes.yaml has 3 errors") {
		t.Errorf("message = %q", msg)
	}
}

// TestParsePresetsRoundTripJSON checks that every preset parses, and that
// its JSON rendering parses back to the same policy.
func TestParsePresetsRoundTripJSON(t *testing.T) {
	t.Parallel()
	r := mustRegistry(t)
	for _, name := range r.Names() {
		p, err := r.Policy(name)
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.MarshalIndent(p, "", "\t")
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(name+".json", data)
		if err != nil {
			t.Fatalf("%s: %s", name, FormatErrors(name+".json", err))
		}
		again, _ := json.Marshal(back)
		first, _ := json.Marshal(p)
		if string(again) != string(first) {
			t.Errorf("%s: JSON round trip changed the policy", name)
		}
	}
}

func TestFormatErrorsWithoutFields(t *testing.T) {
	t.Parallel()
	_, err := ParseFile(filepath.Join(t.TempDir(), "absent.yaml"))
	if got := FormatErrors("absent.yaml", err); !strings.HasPrefix(got, "absent.yaml: policy file ") || !strings.HasSuffix(got, "does not exist\n") {
		t.Fatalf("FormatErrors = %q", got)
	}
	if got := FormatErrors("x", nil); got != "" {
		t.Fatalf("FormatErrors(nil) = %q", got)
	}
}

// FuzzParse feeds arbitrary bytes to Parse: it must not panic, and must
// return either a valid policy or an EINVALID error with field details.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"presets", filepath.Join("testdata", "bad")} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".golden") {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.yaml", data)
		switch {
		case err == nil && p == nil:
			t.Fatal("nil policy without error")
		case err == nil:
			if errs := p.Validate(); len(errs) > 0 {
				t.Fatalf("accepted an invalid policy: %v", errs)
			}
		case fanclub.ErrorCode(err) != fanclub.EINVALID || len(fanclub.ErrorFields(err)) == 0:
			t.Fatalf("error without field details: %v", err)
		}
	})
}

// badFiles lists the policy files under testdata/bad.
func badFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"*.yaml", "*.json"} {
		m, err := filepath.Glob(filepath.Join("testdata", "bad", pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no files in testdata/bad")
	}
	return files
}

// checkGolden compares got with a golden file, rewriting it under -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update to accept):\n--- got\n%s--- want\n%s", path, got, want)
	}
}
